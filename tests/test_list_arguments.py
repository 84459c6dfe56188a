"""Argument checking for sort.sorted / sort.sort on lists: threads, reverse, key, the list."""

import unittest

import sort
import sort._sort as compiled

SIZES = (0, 10, 200, 40_000)


class Threads(unittest.TestCase):
    def test_valid_thread_counts_give_the_same_result(self):
        for n in SIZES:
            data = [(i * 7919) % 1000 for i in range(n)]
            for threads in (None, 1, 2, 3, 1000, 2**70):
                self.assertEqual(sort.sorted(data, threads=threads), sorted(data))

    def test_bad_thread_counts(self):
        for n in SIZES:
            data = list(range(n))
            for threads, error in ((0, ValueError), (-1, ValueError), (1.5, TypeError),
                                   ("2", TypeError), (True, TypeError), ([2], TypeError)):
                with self.subTest(n=n, threads=threads):
                    with self.assertRaises(error):
                        sort.sorted(data, threads=threads)
                    with self.assertRaises(error):
                        sort.sort(list(data), threads=threads)
            with self.assertRaisesRegex(ValueError, "threads must be >= 1"):
                sort.sorted(data, threads=0)
            with self.assertRaisesRegex(TypeError, "threads must be None or an int"):
                sort.sorted(data, threads=2.0)

    def test_bad_threads_reported_before_key_is_called(self):
        calls = []
        with self.assertRaises(ValueError):
            sort.sorted(list(range(100)), key=calls.append, threads=0)
        self.assertEqual(calls, [])


class Reverse(unittest.TestCase):
    def test_reverse_accepts_what_list_sort_accepts(self):
        for n in SIZES:
            data = [(i * 7919) % 1000 for i in range(n)]
            for reverse in (0, 1, 2, True, False):
                self.assertEqual(sort.sorted(data, reverse=reverse),
                                 sorted(data, reverse=reverse))

    def test_unusual_reverse_values_are_read_as_the_builtin_reads_them(self):
        # Up to 3.11 list.sort wants an int in C int range (TypeError, OverflowError
        # otherwise); from 3.12 it takes any object by its truth value. Whatever this
        # interpreter does, sort must do the same: same result, or same exception type.
        for n in SIZES:
            data = [(i * 7919) % 1000 for i in range(n)]
            for reverse in ("x", "", None, 1.0, 0.0, [], [0], 2**31, -(2**31) - 1, 2**70, -5):
                with self.subTest(n=n, reverse=reverse):
                    try:
                        expected = sorted(data, reverse=reverse)
                    except Exception as error:  # noqa: BLE001 - the type is what we compare
                        with self.assertRaises(type(error)):
                            sort.sorted(data, reverse=reverse)
                        with self.assertRaises(type(error)):
                            sort.sort(list(data), reverse=reverse)
                    else:
                        self.assertEqual(sort.sorted(data, reverse=reverse), expected)
                        copy = list(data)
                        sort.sort(copy, reverse=reverse)
                        self.assertEqual(copy, expected)


class Lists(unittest.TestCase):
    def test_any_iterable_for_sorted(self):
        for n in SIZES:
            data = [(i * 7919) % 1000 for i in range(n)]
            for make in (tuple, iter, lambda d: (x for x in d), set, dict.fromkeys):
                self.assertEqual(sort.sorted(make(data)), sorted(make(data)))

    def test_sort_returns_none_and_sorts_in_place(self):
        data = list(range(1000, 0, -1))
        self.assertIsNone(sort.sort(data))
        self.assertEqual(data, list(range(1, 1001)))

    def test_list_subclass_is_sorted_as_a_list(self):
        class MyList(list):
            def sort(self, *args, **kwargs):
                raise AssertionError("the override must not be used")

        for n in SIZES:
            for key, reverse in ((None, False), (None, True), (abs, False), (abs, True)):
                data = MyList(range(n, 0, -1))
                sort.sort(data, key=key, reverse=reverse)
                self.assertEqual(list(data), sorted(range(1, n + 1), key=key, reverse=reverse))

    def test_reverse_without_key_is_list_sorts_reverse_even_when_a_comparison_raises(self):
        # list.sort(reverse=True) reverses, sorts stably and reverses back, also after a
        # comparison raised: the partial order left behind must be the builtin's.
        class Boom:
            def __init__(self, value):
                self.value = value

            def __lt__(self, other):
                if self.value == 7 or other.value == 7:
                    raise RuntimeError("boom")
                return self.value < other.value

        for n in (10, 200):
            items = [Boom((i * 37) % n) for i in range(n)]
            theirs, ours = list(items), list(items)
            with self.assertRaises(RuntimeError):
                theirs.sort(reverse=True)
            with self.assertRaises(RuntimeError):
                sort.sort(ours, reverse=True)
            self.assertEqual([id(x) for x in ours], [id(x) for x in theirs])

    def test_compiled_function_rejects_non_lists(self):
        with self.assertRaisesRegex(TypeError, "needs a list, not tuple"):
            compiled.sort_list((2, 1), None, False, None)


if __name__ == "__main__":
    unittest.main()
