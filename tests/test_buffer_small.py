"""sort.sort on small buffers (n = 0..300 and around the small-sort threshold), every format.

Small buffers take their own paths (a sort of keys on the calling thread; exact numpy arrays
read from numpy's own fields instead of a buffer export): these tests hold them to the same
results as the large ones, bit for bit, including where -0.0 and NaNs end up.
"""

import array
import math
import random
import struct
import unittest

import sort
from sort import _sort

try:
    import numpy
except ImportError:  # numpy is optional
    numpy = None

INT_CODES = "bBhHiIlLqQ"
FLOAT_CODES = "fd"
SIZES = list(range(0, 40)) + [63, 64, 65, 100, 127, 128, 129, 255, 256, 257, 300, 1000, 2047,
                               2048, 2049, 3071, 3072, 3073, 5000]
FLOAT_SPECIALS = [math.nan, -math.nan, math.inf, -math.inf, 0.0, -0.0, 1.5, -1.5, 5e-324]


class _NoTruthValue:
    def __bool__(self):
        raise TypeError("no truth value")


def expected(values, reverse):
    """The promised order: by value, stable (-0.0 == 0.0 keep their order), NaNs last in
    input order in both directions."""
    nans = [x for x in values if x != x]
    numbers = [x for x in values if x == x]
    return sorted(numbers, reverse=reverse) + nans


def bits(code, values):
    """Bytes of the values in `code`'s format: tells -0.0 from 0.0 and NaNs apart."""
    return struct.pack(f"{len(values)}{code}", *values)


def random_values(code, n, rng):
    if code in FLOAT_CODES:
        pick = rng.random()
        if pick < 0.3:
            return [rng.choice(FLOAT_SPECIALS) if rng.random() < 0.3 else rng.uniform(-9, 9)
                    for _ in range(n)]
        if pick < 0.5:
            return [rng.choice([0.0, -0.0]) for _ in range(n)]
        values = [rng.uniform(-1e6, 1e6) for _ in range(n)]
        if code == "f":  # exactly representable, so the pack above is lossless
            values = list(array.array("f", values))
        return values
    size = array.array(code).itemsize * 8
    lo, hi = (0, 2**size - 1) if code.isupper() else (-(2 ** (size - 1)), 2 ** (size - 1) - 1)
    if rng.random() < 0.3:
        return [rng.choice([lo, hi, 0, 1, hi - 1]) for _ in range(n)]
    return [rng.randint(lo, hi) for _ in range(n)]


class TestArrayArraySmall(unittest.TestCase):
    def test_every_format_every_small_size_both_directions(self):
        rng = random.Random(10)
        for code in INT_CODES + FLOAT_CODES:
            for n in SIZES:
                values = random_values(code, n, rng)
                for reverse in (False, True):
                    buf = array.array(code, values)
                    sort.sort(buf, reverse=reverse)
                    want = array.array(code, expected(list(array.array(code, values)), reverse))
                    with self.subTest(code=code, n=n, reverse=reverse):
                        self.assertEqual(bits(code, buf.tolist()), bits(code, want.tolist()))

    def test_sorted_and_reversed_inputs(self):
        for code in "bqd":
            for n in (2, 100, 300, 2048):
                ascending = sorted(random_values(code, n, random.Random(n)))
                for values in (ascending, ascending[::-1]):
                    for reverse in (False, True):
                        buf = array.array(code, values)
                        sort.sort(buf, reverse=reverse)
                        with self.subTest(code=code, n=n, reverse=reverse):
                            self.assertEqual(bits(code, buf.tolist()),
                                             bits(code, expected(values, reverse)))


@unittest.skipIf(numpy is None, "numpy is not installed")
class TestNumpySmall(unittest.TestCase):
    DTYPES = ["int8", "uint8", "int16", "uint16", "int32", "uint32", "int64", "uint64",
              "longlong", "ulonglong", "float32", "float64"]

    def test_every_dtype_every_small_size_both_directions(self):
        rng = random.Random(11)
        for name in self.DTYPES:
            dtype = numpy.dtype(name)
            code = dtype.char
            for n in SIZES:
                values = numpy.array(random_values(code, n, rng), dtype=dtype)
                for reverse in (False, True):
                    got = values.copy()
                    sort.sort(got, reverse=reverse)
                    want = numpy.array(expected(values.tolist(), reverse), dtype=dtype)
                    with self.subTest(dtype=name, n=n, reverse=reverse):
                        self.assertEqual(got.tobytes(), want.tobytes())

    def test_equals_numpy_stable_sort(self):
        rng = numpy.random.default_rng(12)
        for name in ("int32", "int64", "uint64", "float32", "float64"):
            for n in (10, 100, 300, 1000, 2048):
                if name.startswith("float"):
                    values = rng.standard_normal(n).astype(name)
                    values[rng.integers(0, n, n // 10)] = numpy.nan
                else:
                    values = rng.integers(-50, 50, n).astype(name)
                got = values.copy()
                sort.sort(got)
                with self.subTest(dtype=name, n=n):
                    self.assertEqual(got.tobytes(), numpy.sort(values, kind="stable").tobytes())

    def test_views_subclasses_and_unaligned_arrays(self):
        base = numpy.arange(50, 0, -1, dtype=numpy.int64)
        sort.sort(base[10:20])  # a view: only its elements move
        self.assertEqual(base[10:20].tolist(), list(range(31, 41)))
        self.assertEqual(base[:10].tolist(), list(range(50, 40, -1)))

        class Sub(numpy.ndarray):
            pass

        sub = numpy.array([3.0, -0.0, 1.0, 0.0]).view(Sub)
        sort.sort(sub)
        self.assertEqual(bits("d", sub.tolist()), bits("d", [-0.0, 0.0, 1.0, 3.0]))

        raw = numpy.zeros(8 * 100 + 1, dtype=numpy.uint8)
        unaligned = raw[1:].view(numpy.float64)
        self.assertFalse(unaligned.flags.aligned)
        unaligned[:] = numpy.arange(100, 0, -1)
        sort.sort(unaligned, reverse=True)
        self.assertEqual(unaligned.tolist(), list(range(100, 0, -1)))
        sort.sort(unaligned)
        self.assertEqual(unaligned.tolist(), list(range(1, 101)))

    def test_argument_errors_on_small_arrays_write_nothing(self):
        values = numpy.array([3, 1, 2], dtype=numpy.int64)
        for threads, exc in [(0, ValueError), (1.5, TypeError), (True, TypeError)]:
            with self.subTest(threads=threads):
                with self.assertRaises(exc):
                    sort.sort(values, threads=threads)
        with self.assertRaises(TypeError):  # under every version's rule for reverse=
            sort.sort(values, reverse=_NoTruthValue())
        self.assertEqual(values.tolist(), [3, 1, 2])

    def test_reverse_that_resizes_the_array_sorts_its_new_memory(self):
        # `reverse` is read after the array's fields on the no-export path, and may run Python
        # code (`__index__` up to 3.11, `__bool__` from 3.12) that moves the array's memory:
        # the sort must use the memory the array has afterwards, never the freed one.
        values = numpy.array([3, 1, 2], dtype=numpy.int64)

        class Resizing:
            def __index__(self):
                values.resize(1000, refcheck=False)
                values[:] = numpy.arange(1000)[::-1]
                return 0

            def __bool__(self):
                return bool(self.__index__())

        sort.sort(values, reverse=Resizing())
        self.assertEqual(values.tolist(), list(range(1000)))

    def test_read_only_small_array_is_a_type_error(self):
        frozen = numpy.array([3, 1, 2])
        frozen.flags.writeable = False
        with self.assertRaises(TypeError) as ctx:
            sort.sort(frozen)
        self.assertIn("read-only", str(ctx.exception))
        self.assertEqual(frozen.tolist(), [3, 1, 2])


class TestSortBufferEntry(unittest.TestCase):
    def test_takes_exactly_three_positional_arguments(self):
        buf = array.array("q", [2, 1])
        for args in [(), (buf,), (buf, False), (buf, False, None, None)]:
            with self.subTest(nargs=len(args)):
                with self.assertRaises(TypeError):
                    _sort.sort_buffer(*args)
        with self.assertRaises(TypeError):
            _sort.sort_buffer(buf, reverse=False, threads=None)
        self.assertEqual(buf.tolist(), [2, 1])
        self.assertIsNone(_sort.sort_buffer(buf, False, None))
        self.assertEqual(buf.tolist(), [1, 2])


if __name__ == "__main__":
    unittest.main()
