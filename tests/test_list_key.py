"""The key function: called once per element, in order, before any comparison; its errors and
its changes to the list are handled as list.sort handles them."""

import builtins
import random
import unittest

import sort

SIZES = (10, 200, 40_000)


class Recorder:
    def __init__(self, fn=lambda x: x):
        self.calls = []
        self.fn = fn

    def __call__(self, x):
        self.calls.append(x)
        return self.fn(x)


class KeyCalls(unittest.TestCase):
    def test_key_called_once_per_element_in_order(self):
        rng = random.Random(1)
        for n in SIZES:
            for fn in (lambda x: x, lambda x: -x, str, lambda x: (x,)):
                data = [rng.randrange(1000) for _ in range(n)]
                for reverse in (False, True):
                    key = Recorder(fn)
                    got = sort.sorted(data, key=key, reverse=reverse)
                    self.assertEqual(len(key.calls), n)
                    self.assertTrue(all(a is b for a, b in zip(key.calls, data)))
                    self.assertEqual(got, builtins.sorted(data, key=fn, reverse=reverse))

    def test_all_keys_computed_before_any_comparison(self):
        events = []

        class Key:
            def __init__(self, v):
                self.v = v

            def __lt__(self, other):
                events.append("compare")
                return self.v < other.v

        def key(x):
            events.append("key")
            return Key(x)

        for n in SIZES[:2]:
            events.clear()
            sort.sorted(list(range(n, 0, -1)), key=key)
            self.assertEqual(events[:n], ["key"] * n)
            self.assertNotIn("key", events[n:])

    def test_key_results_of_fast_kinds(self):
        rng = random.Random(2)
        for n in SIZES:
            words = ["".join(rng.choices("abc", k=rng.randrange(6))) for _ in range(n)]
            for key in (len, str.upper, lambda w: w.encode(), lambda w: len(w) / 3, hash):
                for reverse in (False, True):
                    expected = builtins.sorted(words, key=key, reverse=reverse)
                    got = sort.sorted(words, key=key, reverse=reverse)
                    self.assertTrue(all(a is b for a, b in zip(got, expected)))

    def test_callables_of_every_calling_convention(self):
        # The key is called through its vectorcall slot when it has one (builtins, method
        # descriptors, Python functions, bound methods, partials, types) and through the
        # generic call otherwise (a class with __call__, a type without the slot).
        import functools
        import operator

        class Callable:
            def __call__(self, w):
                return w[::-1]

        class Holder:
            def key(self, w):
                return (len(w), w)

        class Text(str):
            pass

        rng = random.Random(5)
        for n in SIZES:
            words = ["".join(rng.choices("abcd", k=rng.randrange(7))) for _ in range(n)]
            keys = (len, str.lower, operator.itemgetter(slice(1, None)), Holder().key,
                    functools.partial(str.split, sep="a"), Callable(), str, Text,
                    lambda w: w.count("a"), operator.methodcaller("upper"))
            for key in keys:
                for reverse in (False, True):
                    with self.subTest(n=n, key=key, reverse=reverse):
                        expected = builtins.sorted(words, key=key, reverse=reverse)
                        got = sort.sorted(words, key=key, reverse=reverse)
                        self.assertTrue(all(a is b for a, b in zip(got, expected)))

    def test_keys_in_runs(self):
        # Keys in order, all equal, or in a few runs: text keys are handed to list.sort
        # through a function feeding it the keys already computed; number keys are sorted
        # in Rust whatever their order. Either way: the builtin's objects, in its order, and
        # each key made once and released once (sys.getrefcount would show a leak).
        import gc
        import sys

        for n in SIZES:
            items = [f"w{i:06d}" for i in range(n)]
            shapes = {
                "sorted": lambda i: i,
                "equal": lambda i: 7,
                "runs": lambda i: i % (n // 4 + 1),
                "descending": lambda i: -i,
            }
            for name, of in shapes.items():
                for make in (lambda i: of(i), lambda i: f"{of(i) + 10**7:09d}",
                             lambda i: float(of(i))):
                    keys = {id(x): make(i) for i, x in enumerate(items)}
                    # A str or float key of our own (small ints are shared, their count moves).
                    probe = keys[id(items[-1])]
                    before = sys.getrefcount(probe)
                    for reverse in (False, True):
                        key = Recorder(lambda x: keys[id(x)])
                        expected = builtins.sorted(items, key=lambda x: keys[id(x)],
                                                   reverse=reverse)
                        got = sort.sorted(items, key=key, reverse=reverse)
                        self.assertEqual(len(key.calls), n)
                        self.assertTrue(all(a is b for a, b in zip(got, expected)),
                                        (n, name, type(probe), reverse))
                    gc.collect()
                    if not isinstance(probe, int):
                        self.assertEqual(sys.getrefcount(probe), before)


class KeyErrors(unittest.TestCase):
    def test_raising_key_leaves_the_list_unchanged(self):
        for n in SIZES:
            data = list(range(n, 0, -1))

            def key(x):
                if x == n // 2:
                    raise KeyError(x)
                return x

            ours = list(data)
            with self.assertRaises(KeyError):
                sort.sort(ours, key=key, reverse=True)
            self.assertEqual(ours, data)
            with self.assertRaises(KeyError):
                sort.sorted(data, key=key)

    def test_key_that_is_not_callable(self):
        for n in SIZES:
            with self.assertRaises(TypeError):
                sort.sorted(list(range(n)), key=5)
        # Like the builtin: never called for an empty list, so no error.
        self.assertEqual(sort.sorted([], key=5), [])


class MutationDuringSort(unittest.TestCase):
    def run_both(self, n, mutate):
        """Sort by a key that calls `mutate(lst)` once, with sort.sort and with list.sort."""
        outcomes = []
        for sorter in (sort.sort, lambda lst, key: lst.sort(key=key)):
            lst = list(range(n, 0, -1))
            seen = []

            def key(x, lst=lst, seen=seen):
                if not seen:
                    seen.append(len(lst))  # the list looks empty during the sort
                    mutate(lst)
                return x

            try:
                sorter(lst, key=key)
                error = None
            except Exception as e:
                error = type(e)
            outcomes.append((error, list(lst), seen))
        return outcomes

    def test_append_from_key_raises_value_error_like_list_sort(self):
        for n in SIZES:
            ours, theirs = self.run_both(n, lambda lst: lst.append(0))
            self.assertIs(ours[0], ValueError)
            self.assertEqual(ours, theirs)
            # The sorted items are back in place; the appended one is gone.
            self.assertEqual(ours[1], list(range(1, n + 1)))

    def test_list_is_empty_while_keys_are_computed(self):
        for n in SIZES:
            ours, theirs = self.run_both(n, lambda lst: None)
            self.assertEqual(ours, (None, list(range(1, n + 1)), [0]))
            self.assertEqual(ours, theirs)

    def test_clear_and_extend_from_key(self):
        for n in SIZES:
            for mutate in (lambda lst: lst.clear(), lambda lst: lst.extend([1, 2]),
                           lambda lst: lst.__setitem__(slice(None), [9])):
                ours, theirs = self.run_both(n, mutate)
                self.assertEqual(ours, theirs)


if __name__ == "__main__":
    unittest.main()
