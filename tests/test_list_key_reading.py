"""Reading keys straight out of int, float, str and bytes objects, on every thread.

Large lists have their keys read without the GIL, from the objects' memory, with a layout
chosen for the running CPython version (ints changed in 3.12, strs too). These tests check the
reads where they can go wrong: edge values of each digit count and sign, ints made in
different ways, subclasses (which must not be read as builtins), ASCII and non-ASCII strs
side by side, and each path size (on the calling thread, without the GIL on one thread, and on
several threads). Every result is compared with ``sorted()`` object for object (``is``), which
checks stability too, since equal keys are distinct objects here.
"""

import _thread
import random
import threading
import time
import unittest

import sort

# Sizes of each path: on the calling thread with the GIL (< 2**15), without the GIL on one
# thread (< 2**18), and on several threads (>= 2**18).
SIZES = (1000, 2**15 + 7, 2**18 + 123)
MULTI = 2**18 + 123


def assert_same_objects(test, got, want, msg=None):
    test.assertEqual(len(got), len(want), msg)
    for i, (a, b) in enumerate(zip(got, want)):
        if a is not b:
            test.fail(f"{msg or ''}: position {i}: {a!r} (id {id(a)}) is not {b!r} (id {id(b)})")


def distinct_copy(x):
    """An object equal to `x` but (outside the small-int cache) not the same one."""
    if isinstance(x, int):
        return int(str(x))
    if isinstance(x, float):
        return float(repr(x))
    if isinstance(x, str):
        return "".join(list(x))
    return bytes(bytearray(x))


def with_duplicates(values, n, seed):
    """`n` items drawn from `values`, each a distinct object (so stability shows in `is`)."""
    rng = random.Random(seed)
    return [distinct_copy(rng.choice(values)) for _ in range(n)]


class Matches(unittest.TestCase):
    def check(self, data, threads=(1, 2), key=None):
        for reverse in (False, True):
            want = sorted(data, key=key, reverse=reverse)
            for t in threads:
                got = sort.sorted(data, key=key, reverse=reverse, threads=t)
                assert_same_objects(self, got, want, f"threads={t} reverse={reverse}")


INT_EDGES = [
    0, 1, -1, 5, -5, 6, -6, 255, 256, 257, -256, -257,
    2**15 - 1, 2**15, 2**30 - 1, 2**30, 2**30 + 1, -(2**30) + 1, -(2**30), -(2**30) - 1,
    2**31, 2**32, 2**59, 2**60 - 1, 2**60, 2**60 + 1, -(2**60), -(2**60) - 1,
    2**62, 2**63 - 2, 2**63 - 1, -(2**63), -(2**63) + 1, -(2**62),
]


class Ints(Matches):
    def test_edge_values_on_every_path(self):
        for n in SIZES:
            with self.subTest(n=n):
                self.check(with_duplicates(INT_EDGES, n, n))

    def test_random_int64_with_duplicates(self):
        rng = random.Random(1)
        pool = [rng.randrange(-(2**63), 2**63) for _ in range(5000)]
        self.check(with_duplicates(pool, MULTI, 2))

    def test_ints_beyond_64_bits_fall_back(self):
        for big in (2**63, -(2**63) - 1, 2**64 - 1, -(2**64) + 1, 2**64, 2**90, -(2**200)):
            for where in (0, MULTI // 2, MULTI - 1):
                data = with_duplicates(INT_EDGES, MULTI, where)
                data[where] = big
                with self.subTest(big=big, where=where):
                    self.check(data, threads=(2,))

    def test_small_int_cache_literals_and_arithmetic(self):
        # Cached small ints (the same object many times), literals, and ints made by
        # arithmetic, which are distinct objects of equal value.
        rng = random.Random(3)
        data = []
        for _ in range(MULTI):
            v = rng.randrange(-10, 300)
            data.append(rng.choice((v, v + 0, (v * 3) // 3, int(str(v)), 2**40 + v - 2**40)))
        self.check(data)

    def test_bool_and_int_subclasses_are_not_read_as_ints(self):
        class Backwards(int):
            def __lt__(self, other):
                return int(self) > int(other)

        for odd in (True, Backwards(7)):
            for where in (0, 1000, MULTI - 1):
                data = with_duplicates(INT_EDGES, MULTI, where)
                data[where] = odd
                with self.subTest(odd=odd, where=where):
                    self.check(data, threads=(2,))

    def test_keys_returned_by_a_key_function(self):
        data = with_duplicates(INT_EDGES, MULTI, 4)
        self.check([(x,) for x in data], key=lambda t: t[0])


class Floats(Matches):
    EDGES = [0.0, -0.0, 1.0, -1.0, 0.5, 1e-300, -1e-300, 5e-324, 1e300, -1e300,
             float("inf"), float("-inf"), 2.0**53, 2.0**53 + 2, 0.1, -0.1]

    def test_edge_values_on_every_path(self):
        for n in SIZES:
            with self.subTest(n=n):
                self.check(with_duplicates(self.EDGES, n, n))

    def test_nan_and_subclass_fall_back(self):
        class Backwards(float):
            def __lt__(self, other):
                return float(self) > float(other)

        for odd in (float("nan"), Backwards(2.0)):
            data = with_duplicates(self.EDGES, MULTI, 5)
            data[MULTI // 2] = odd
            self.check(data, threads=(2,))

    def test_ints_among_floats_fall_back(self):
        data = with_duplicates(self.EDGES, MULTI, 6)
        data[-1] = 1
        self.check(data, threads=(2,))


class Strs(Matches):
    ASCII = ["", "a", "ab", "abc", "abcdefgh", "abcdefghi", "abcdefgh\x00", "\x7f", "Z" * 40]
    OTHER = ["\xe9", "caf\xe9", "\u0100", "\uffff", "\U0001f600", "a\U0001f600",
             "abcdefgh\xe9", "\x80"]

    def test_ascii_on_every_path(self):
        for n in SIZES:
            with self.subTest(n=n):
                self.check(with_duplicates(self.ASCII, n, n))

    def test_ascii_and_non_ascii_mixed(self):
        for n in SIZES:
            with self.subTest(n=n):
                self.check(with_duplicates(self.ASCII + self.OTHER, n, n))

    def test_all_non_ascii(self):
        self.check(with_duplicates(self.OTHER, MULTI, 7))

    def test_one_non_ascii_str_anywhere(self):
        for where in (0, 5000, MULTI // 2, MULTI - 1):
            data = with_duplicates(self.ASCII, MULTI, where)
            data[where] = "z\xe9"
            with self.subTest(where=where):
                self.check(data, threads=(2,))

    def test_lone_surrogate_falls_back(self):
        data = with_duplicates(self.ASCII + self.OTHER, MULTI, 8)
        data[MULTI - 3] = "a\ud800"
        self.check(data, threads=(2,))

    def test_subclasses_are_not_read_as_strs(self):
        class Backwards(str):
            def __lt__(self, other):
                return str(self) > str(other)

        class Plain(str):
            pass

        for odd in (Backwards("abc"), Plain("abc"), Plain("\xe9")):
            data = with_duplicates(self.ASCII, MULTI, 9)
            data[MULTI // 3] = odd
            with self.subTest(odd=type(odd).__name__):
                self.check(data, threads=(2,))

    def test_interned_and_hashed_strs(self):
        # Interning and hashing write into the str object (state bits, cached hash); the
        # characters stay where the reader expects them.
        import sys

        data = with_duplicates(self.ASCII + self.OTHER, MULTI, 10)
        for i in range(0, MULTI, 7):
            hash(data[i])
        for i in range(0, MULTI, 11):
            data[i] = sys.intern(data[i])
        self.check(data)

    def test_random_eight_char_strs(self):
        rng = random.Random(11)
        data = ["".join(rng.choices("abcdefghij", k=8)) for _ in range(MULTI)]
        self.check(data)


class Bytes(Matches):
    VALUES = [b"", b"\x00", b"a", b"ab", b"\xff", b"\xff\x00", b"abcdefgh", b"abcdefgh\x00",
              b"\x80" * 9]

    def test_bytes_on_every_path(self):
        for n in SIZES:
            with self.subTest(n=n):
                self.check(with_duplicates(self.VALUES, n, n))

    def test_subclass_and_bytearray_fall_back(self):
        class Sub(bytes):
            pass

        for odd in (Sub(b"ab"), bytearray(b"ab")):
            data = with_duplicates(self.VALUES, MULTI, 12)
            data[-2] = odd
            self.check(data, threads=(2,))


class Interrupt(unittest.TestCase):
    def test_ctrl_c_while_keys_of_scattered_objects_are_read(self):
        # Objects scattered in memory make the key reading long; Ctrl-C must stop it and
        # leave the list holding every item, in its original or its sorted order.
        rng = random.Random(13)
        data = [rng.randrange(-(2**63), 2**63) for _ in range(3_000_000)]
        rng.shuffle(data)
        lst = list(data)
        timer = threading.Timer(0.02, _thread.interrupt_main)
        interrupted = False
        timer.start()
        try:
            sort.sort(lst, threads=2)
            time.sleep(5)  # the interrupt lands here if the sort was faster than the timer
        except KeyboardInterrupt:
            interrupted = True
        finally:
            timer.cancel()
        self.assertTrue(interrupted)
        self.assertEqual(len(lst), len(data))
        self.assertTrue(lst == data or lst == sorted(data))


if __name__ == "__main__":
    unittest.main()
