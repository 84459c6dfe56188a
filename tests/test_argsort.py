"""sort.argsort(): the stable permutation of numeric buffers and lists.

The radix kernel is proved by `cargo test` (src/algo/argsort.rs); these tests check the
binding against numpy's stable argsort and the builtin sorted(): every format, read-only
buffers, the result type, NaN/-0.0/duplicates, reverse, the list path (native keys and
CPython's comparisons), argument errors, and that the input is never modified.
"""

import array
import random
import subprocess
import sys
import unittest

import sort

try:
    import numpy
except ImportError:  # pragma: no cover - numpy is in the `test` extra
    numpy = None

try:
    from hypothesis import given, settings
    from hypothesis import strategies as st
except ImportError:  # pragma: no cover - hypothesis is in the `test` extra
    given = None

CODES = "bBhHiIlLqQfd"
# Both sides of the thresholds: 256 (comparison sort), 2**15 (leaves the calling thread),
# 2**17 (radix on several threads).
SIZES = [0, 1, 2, 3, 255, 257, 1025, 32767, 32769, 140_000]


def reference(values, reverse=False):
    """numpy's stable argsort, written with sorted(): NaN last in both directions."""

    def nan(i):
        return values[i] != values[i]

    present = [i for i in range(len(values)) if not nan(i)]
    missing = [i for i in range(len(values)) if nan(i)]
    return sorted(present, key=values.__getitem__, reverse=reverse) + missing


def random_values(code, n, rng):
    if code in "fd":
        pool = [float("nan"), -0.0, 0.0, 1.5, -1.5, float("inf"), float("-inf")]
        return [
            rng.choice(pool) if rng.random() < 0.2 else rng.uniform(-1e6, 1e6) for _ in range(n)
        ]
    bits = 8 * array.array(code).itemsize
    lo, hi = (0, 2**bits - 1) if code.isupper() else (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1)
    # Half the time a narrow range: many duplicates.
    if rng.random() < 0.5:
        hi = min(hi, lo + 50)
    return [rng.randint(lo, hi) for _ in range(n)]


class BufferTests(unittest.TestCase):
    def test_every_format_matches_a_stable_sort(self):
        rng = random.Random(1)
        for code in CODES:
            for n in SIZES:
                values = array.array(code, random_values(code, n, rng))
                before = values.tobytes()
                for reverse in (False, True):
                    with self.subTest(code=code, n=n, reverse=reverse):
                        result = sort.argsort(values, reverse=reverse)
                        self.assertIsInstance(result, array.array)
                        self.assertEqual(result.typecode, "q")
                        self.assertEqual(list(result), reference(list(values), reverse))
                self.assertEqual(values.tobytes(), before, "the input was modified")

    def test_read_only_buffers_are_accepted(self):
        data = array.array("d", [3.0, -0.0, float("nan"), 0.0, -2.0] * 10_000)
        frozen = bytes(data)
        view = memoryview(frozen).cast("d")
        self.assertTrue(view.readonly)
        self.assertEqual(list(sort.argsort(view)), reference(list(data)))
        self.assertEqual(list(sort.argsort(b"\x03\x01\x02\x01")), [1, 3, 2, 0])

    def test_sorted_reversed_and_all_equal(self):
        for n in (1000, 100_000):
            for values in (range(n), range(n, 0, -1), [7] * n):
                data = array.array("q", values)
                for reverse in (False, True):
                    self.assertEqual(
                        list(sort.argsort(data, reverse=reverse)), reference(list(data), reverse)
                    )

    def test_unaligned_memoryview(self):
        raw = bytearray(8 * 1000 + 1)
        view = memoryview(raw)[1:].cast("q")
        rng = random.Random(3)
        values = [rng.randint(-(2**63), 2**63 - 1) for _ in range(1000)]
        for i, v in enumerate(values):
            view[i] = v
        self.assertEqual(list(sort.argsort(view)), reference(values))

    def test_errors(self):
        with self.assertRaisesRegex(TypeError, r"sort\.argsort\(\).*'tuple'"):
            sort.argsort((1, 2))
        with self.assertRaisesRegex(TypeError, r"sort\.argsort\(\).*format '\?'"):
            sort.argsort(memoryview(bytearray(8)).cast("?"))
        with self.assertRaisesRegex(TypeError, "key="):
            sort.argsort(array.array("q", [1]), key=abs)
        with self.assertRaisesRegex(ValueError, "threads must be >= 1"):
            sort.argsort(array.array("q", [1]), threads=0)
        with self.assertRaisesRegex(TypeError, "threads must be None or an int"):
            sort.argsort(array.array("q", [1]), threads=True)
        with self.assertRaisesRegex(ValueError, r"sort\.argsort\(\).*2-dimensional"):
            sort.argsort(memoryview(bytearray(16)).cast("q", (1, 2)))


@unittest.skipIf(numpy is None, "numpy is not installed")
class NumpyTests(unittest.TestCase):
    DTYPES = [
        "int8", "uint8", "int16", "uint16", "int32", "uint32", "int64", "uint64",
        "float32", "float64",
    ]

    def check(self, a):
        before = a.copy()
        for reverse in (False, True):
            result = sort.argsort(a, reverse=reverse)
            self.assertIsInstance(result, numpy.ndarray)
            self.assertEqual(result.dtype, numpy.int64)
            if reverse:
                expected = reference(a.tolist(), True)
            else:
                expected = numpy.argsort(a, kind="stable")
            numpy.testing.assert_array_equal(result, expected)
        numpy.testing.assert_array_equal(a, before)

    def test_matches_numpy_stable_argsort(self):
        rng = numpy.random.default_rng(5)
        for dtype in self.DTYPES:
            for n in (0, 1, 300, 40_000, 300_000):
                with self.subTest(dtype=dtype, n=n):
                    if dtype.startswith("float"):
                        a = rng.standard_normal(n).astype(dtype)
                        a[rng.random(n) < 0.1] = numpy.nan
                        a[rng.random(n) < 0.1] = -0.0
                        a[rng.random(n) < 0.1] = 0.0
                    else:
                        info = numpy.iinfo(dtype)
                        a = rng.integers(info.min, info.max, n, dtype=dtype, endpoint=True)
                    self.check(a)
                    self.check(a[: n // 2].repeat(2))  # duplicates

    def test_reverse_keeps_equal_elements_in_input_order(self):
        a = numpy.array([1.0, numpy.nan, 2.0, 1.0, numpy.nan, 2.0, -0.0, 0.0])
        self.assertEqual(sort.argsort(a, reverse=True).tolist(), [2, 5, 0, 3, 6, 7, 1, 4])

    def test_float_keys_in_one_binade(self):
        # Floats in [1, 2): one exponent, keys differ only in the mantissa.
        a = 1.0 + numpy.random.default_rng(9).random(200_000)
        numpy.testing.assert_array_equal(sort.argsort(a), numpy.argsort(a, kind="stable"))

    def test_non_contiguous_and_unsupported_arrays_raise(self):
        with self.assertRaises(ValueError):
            sort.argsort(numpy.arange(10)[::2])
        with self.assertRaises(ValueError):
            sort.argsort(numpy.zeros((2, 2)))
        with self.assertRaises(TypeError):
            sort.argsort(numpy.zeros(3, dtype=bool))
        with self.assertRaises(TypeError):
            sort.argsort(numpy.zeros(3, dtype=">i8"))


class ListTests(unittest.TestCase):
    def check(self, values, key=None):
        snapshot = list(values)
        keys = values if key is None else [key(v) for v in values]
        for reverse in (False, True):
            expected = sorted(range(len(values)), key=keys.__getitem__, reverse=reverse)
            result = sort.argsort(values, key=key, reverse=reverse)
            self.assertIs(type(result), list)
            self.assertEqual(result, expected)
            self.assertTrue(all(type(i) is int for i in result))
        self.assertEqual(values, snapshot)

    def test_native_kinds(self):
        rng = random.Random(4)
        for n in (0, 5, 127, 128, 1000, 40_000, 300_000):
            self.check([rng.randint(-(2**63), 2**63 - 1) for _ in range(n)])
            self.check([rng.randint(0, 30) for _ in range(n)])
            self.check([rng.uniform(-1, 1) for _ in range(n)])
            self.check(["%x" % rng.randint(0, 1 << rng.randint(0, 40)) for _ in range(n)])
            self.check([bytes([rng.randint(0, 3)]) * rng.randint(0, 9) for _ in range(n)])

    def test_cpython_comparisons_for_the_rest(self):
        rng = random.Random(5)
        n = 2000
        self.check([rng.choice([1, 1.0, True, 2**70, -0.0, 0.5]) for _ in range(n)])
        self.check([(rng.randint(0, 3), str(rng.randint(0, 3))) for _ in range(n)])
        self.check([float("nan") if rng.random() < 0.1 else rng.random() for _ in range(n)])
        self.check(["a\ud800", "a", "b"] * 100)
        with self.assertRaises(TypeError):
            sort.argsort([1, "a"] * 100)

    def test_key(self):
        words = ["pear", "fig", "apple", "kiwi", "banana"] * 100
        self.check(words, key=len)
        self.check(words, key=str.upper)
        calls = []
        sort.argsort(list(range(300)), key=lambda x: calls.append(x) or -x)
        self.assertEqual(calls, list(range(300)))

    def test_argument_errors(self):
        with self.assertRaises(ValueError):
            sort.argsort([3, 1, 2], threads=0)
        with self.assertRaises(ValueError):
            sort.argsort(list(range(1000)), threads=0)
        with self.assertRaises(TypeError):
            sort.argsort(list(range(1000)), threads="2")


if given is not None:

    class PropertyTests(unittest.TestCase):
        @settings(max_examples=200, deadline=None)
        @given(st.lists(st.floats(allow_nan=True, width=64)), st.booleans())
        def test_float64_buffers(self, values, reverse):
            data = array.array("d", values)
            self.assertEqual(list(sort.argsort(data, reverse=reverse)), reference(values, reverse))

        @settings(max_examples=200, deadline=None)
        @given(
            st.lists(st.integers(-(2**63), 2**63 - 1), min_size=100, max_size=600),
            st.booleans(),
        )
        def test_int_lists(self, values, reverse):
            expected = sorted(range(len(values)), key=values.__getitem__, reverse=reverse)
            self.assertEqual(sort.argsort(values, reverse=reverse), expected)

        @settings(max_examples=100, deadline=None)
        @given(st.lists(st.text(max_size=12), min_size=100, max_size=400), st.booleans())
        def test_str_lists(self, values, reverse):
            expected = sorted(range(len(values)), key=values.__getitem__, reverse=reverse)
            self.assertEqual(sort.argsort(values, reverse=reverse), expected)


class ImportTests(unittest.TestCase):
    def test_import_sort_loads_no_numpy_pandas_or_dask(self):
        code = (
            "import sys, array, sort\n"
            "sort.argsort(array.array('d', [2.0, 1.0]))\n"
            "loaded = [m for m in ('numpy', 'pandas', 'dask') if m in sys.modules]\n"
            "assert not loaded, loaded\n"
        )
        subprocess.run([sys.executable, "-c", code], check=True)


if __name__ == "__main__":
    unittest.main()
