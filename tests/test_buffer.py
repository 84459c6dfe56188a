"""sort.sort() on writable numeric buffers: array.array, numpy arrays, memoryview, bytearray.

The sort kernels are proved by the Rust unit tests (`cargo test`); these tests check the
binding: every format reaches the right kernel, the results equal sorted()/numpy.sort, floats
follow numpy's order, and every invalid buffer is rejected before anything is written.
"""

import _thread
import array
import math
import random
import struct
import sys
import threading
import time
import unittest

import sort

try:
    import numpy
except ImportError:  # pragma: no cover - numpy is in the `test` extra
    numpy = None

INT_CODES = "bBhHiIlLqQ"
FLOAT_CODES = "fd"
# Sizes on both sides of the thresholds: 256 (small inputs use a comparison sort), 1024 (radix
# splits by the top digit first), 2**15 (larger buffers leave the calling thread), 2**17 (radix
# on several threads) and one large enough that every thread has a real share.
SIZES = [0, 1, 2, 3, 255, 256, 257, 1023, 1025, 32767, 32768, 32769, 131071, 131073, 300_000]
SMALL_SIZES = [0, 1, 2, 3, 255, 257, 1025, 32769]


def int_range(code):
    bits = 8 * array.array(code).itemsize
    if code.isupper():
        return 0, 2**bits - 1
    return -(2 ** (bits - 1)), 2 ** (bits - 1) - 1


def float_extremes(code):
    limits = {
        "f": (3.4028234663852886e38, 1.1754943508222875e-38, 1e-45),
        "d": (sys.float_info.max, sys.float_info.min, 5e-324),
    }
    big, tiny, subnormal = limits[code]
    return [math.nan, math.inf, -math.inf, -0.0, 0.0, big, -big, tiny, -tiny, subnormal]


def expected(values, reverse):
    """numpy's order, stable: by value, NaNs last (in their original order) both ways."""
    nans = [v for v in values if isinstance(v, float) and math.isnan(v)]
    rest = [v for v in values if not (isinstance(v, float) and math.isnan(v))]
    return sorted(rest, reverse=reverse) + nans


def bits(code, values):
    """Bit patterns: tells -0.0 from 0.0 and NaN payloads apart."""
    return array.array(code, values).tobytes()


def int_cases(code, n, rng):
    lo, hi = int_range(code)
    randoms = [rng.randint(lo, hi) for _ in range(n)]
    yield "random", randoms
    yield "sorted", sorted(randoms)
    yield "reversed", sorted(randoms, reverse=True)
    yield "all equal", [hi] * n
    yield "extremes", [rng.choice([lo, hi, 0, lo + 1, hi - 1]) for _ in range(n)]
    yield "few distinct", [rng.randint(0, 3) for _ in range(n)]


def float_cases(code, n, rng):
    # Round through the format so that the expected values are exactly the stored ones.
    randoms = array.array(code, [rng.uniform(-1e6, 1e6) for _ in range(n)]).tolist()
    yield "random", randoms
    yield "sorted", sorted(randoms)
    yield "reversed", sorted(randoms, reverse=True)
    yield "all equal", [1.5] * n
    specials = float_extremes(code)
    yield "specials", array.array(code, [rng.choice(specials) for _ in range(n)]).tolist()
    yield "zeros", [rng.choice([0.0, -0.0]) for _ in range(n)]
    payloads = [math.nan, -math.nan, 1.0, -1.0]
    yield "nan payloads", array.array(code, [rng.choice(payloads) for _ in range(n)]).tolist()


def cases(code, n, rng):
    return (float_cases if code in FLOAT_CODES else int_cases)(code, n, rng)



class _NoTruthValue:
    def __bool__(self):
        raise TypeError("no truth value")


class TestArrayArray(unittest.TestCase):
    def check(self, code, values, reverse=False, threads=None):
        buf = array.array(code, values)
        self.assertIsNone(sort.sort(buf, reverse=reverse, threads=threads))
        want = expected(list(values), reverse)
        self.assertEqual(buf.tobytes(), bits(code, want), f"{code} n={len(values)}")

    def test_every_code_every_pattern_both_directions(self):
        rng = random.Random(1)
        for code in INT_CODES + FLOAT_CODES:
            for n in SMALL_SIZES:
                for name, values in cases(code, n, rng):
                    for reverse in (False, True):
                        with self.subTest(code=code, n=n, data=name, reverse=reverse):
                            self.check(code, values, reverse)

    def test_sizes_around_thresholds_and_thread_counts(self):
        rng = random.Random(2)
        for code in "bhiqQd":
            for n in SIZES:
                lo, hi = int_range(code) if code in INT_CODES else (-1e9, 1e9)
                if code in INT_CODES:
                    values = [rng.randint(lo, hi) for _ in range(n)]
                else:
                    values = [rng.uniform(lo, hi) for _ in range(n)]
                for threads in (1, 2, None):
                    with self.subTest(code=code, n=n, threads=threads):
                        self.check(code, values, reverse=False, threads=threads)
                with self.subTest(code=code, n=n, reverse=True):
                    self.check(code, values, reverse=True, threads=2)

    def test_large_float_specials_on_the_parallel_path(self):
        rng = random.Random(3)
        for code in FLOAT_CODES:
            specials = float_extremes(code)
            values = [rng.choice(specials) if i % 3 else rng.uniform(-5, 5) for i in range(200_000)]
            values = array.array(code, values).tolist()
            for reverse in (False, True):
                with self.subTest(code=code, reverse=reverse):
                    self.check(code, values, reverse=reverse, threads=2)

    def test_reverse_keeps_equal_elements_in_original_order(self):
        # -0.0 and 0.0 are equal: their order is the input's, in both directions.
        values = [0.0, -0.0, 1.0, -0.0, 0.0, -1.0] * 5000
        for reverse in (False, True):
            buf = array.array("d", values)
            sort.sort(buf, reverse=reverse)
            zeros = [math.copysign(1, v) for v in buf if v == 0]
            self.assertEqual(zeros, [math.copysign(1, v) for v in values if v == 0])

    def test_reverse_and_threads_accept_what_list_sort_accepts(self):
        buf = array.array("i", [3, 1, 2])
        sort.sort(buf, reverse=1, threads=1)
        self.assertEqual(buf.tolist(), [3, 2, 1])
        sort.sort(buf, reverse=False, threads=2**70)
        self.assertEqual(buf.tolist(), [1, 2, 3])


class TestOtherBuffers(unittest.TestCase):
    def test_bytearray_sorts_as_unsigned_bytes(self):
        data = bytearray(random.Random(4).randbytes(100_000))
        want = bytes(sorted(data))
        sort.sort(data)
        self.assertEqual(bytes(data), want)
        sort.sort(data, reverse=True)
        self.assertEqual(bytes(data), want[::-1])

    def test_memoryview_of_an_array_sorts_the_array(self):
        buf = array.array("q", [5, -1, 3, 2**62, -(2**63)])
        sort.sort(memoryview(buf))
        self.assertEqual(buf.tolist(), [-(2**63), -1, 3, 5, 2**62])

    def test_memoryview_cast_with_explicit_native_order(self):
        raw = bytearray(struct.pack("<4q", 3, -7, 0, 1))
        view = memoryview(raw).cast("q")
        sort.sort(view)
        self.assertEqual(view.tolist(), [-7, 0, 1, 3])

    def test_unaligned_memoryview_is_sorted_through_a_copy(self):
        raw = bytearray(8 * 20_001 + 1)
        view = memoryview(raw)[1:].cast("q")
        values = random.Random(5).sample(range(-(10**12), 10**12), 20_001)
        for i, v in enumerate(values):
            view[i] = v
        sort.sort(view, threads=2)
        self.assertEqual(view.tolist(), sorted(values))
        self.assertEqual(raw[0], 0)

    def test_contiguous_slice_of_a_memoryview_sorts_only_that_slice(self):
        buf = array.array("i", [9, 8, 7, 6, 5, 4])
        sort.sort(memoryview(buf)[1:4])
        self.assertEqual(buf.tolist(), [9, 6, 7, 8, 5, 4])


@unittest.skipIf(numpy is None, "numpy is not installed")
class TestNumpy(unittest.TestCase):
    DTYPES = [
        "int8", "uint8", "int16", "uint16", "int32", "uint32", "int64", "uint64",
        "float32", "float64",
    ]

    def make(self, dtype, n, rng):
        dtype = numpy.dtype(dtype)
        if dtype.kind == "f":
            values = rng.standard_normal(n).astype(dtype) * 1000
            specials = numpy.array([numpy.nan, numpy.inf, -numpy.inf, -0.0, 0.0], dtype=dtype)
            values[rng.integers(0, max(n, 1), n // 10)] = rng.choice(specials, n // 10)
            return values
        info = numpy.iinfo(dtype)
        values = rng.integers(info.min, info.max, n, dtype=dtype, endpoint=True)
        limits = numpy.array([info.min, info.max], dtype=dtype)
        values[rng.integers(0, max(n, 1), n // 10)] = rng.choice(limits, n // 10)
        return values

    def test_equals_numpy_sort_for_every_dtype(self):
        rng = numpy.random.default_rng(6)
        for dtype in self.DTYPES:
            for n in (0, 1, 2, 257, 32769, 140_000, 300_000):
                values = self.make(dtype, n, rng)
                for threads in (1, 2, None):
                    with self.subTest(dtype=dtype, n=n, threads=threads):
                        got = values.copy()
                        sort.sort(got, threads=threads)
                        # numpy's default sort is not stable, so compare values, not the
                        # order of -0.0 and 0.0 (the array tests check that).
                        numpy.testing.assert_array_equal(got, numpy.sort(values))

    def test_reverse_is_the_stable_descending_order(self):
        rng = numpy.random.default_rng(7)
        for dtype in self.DTYPES:
            values = self.make(dtype, 100_000, rng)
            got = values.copy()
            sort.sort(got, reverse=True)
            want = numpy.sort(values)[::-1]
            if want.dtype.kind == "f":
                nans = numpy.isnan(want)
                want = numpy.concatenate([want[~nans], want[nans]])
            with self.subTest(dtype=dtype):
                numpy.testing.assert_array_equal(got, want)

    def test_contiguous_slice_sorts_in_place(self):
        base = numpy.arange(100, 0, -1, dtype=numpy.int64)
        sort.sort(base[10:20])
        self.assertEqual(base[10:20].tolist(), list(range(81, 91)))
        self.assertEqual(base[:10].tolist(), list(range(100, 90, -1)))

    def test_long_and_longlong_dtypes(self):
        dtypes = (numpy.intc, numpy.uintc, numpy.int_, numpy.uint, numpy.longlong, numpy.ulonglong)
        for dtype in dtypes:
            values = numpy.arange(1000, dtype=dtype)[::-1].copy()
            sort.sort(values)
            self.assertEqual(values.tolist(), list(range(1000)))


class TestRejectedBuffers(unittest.TestCase):
    def assert_rejected(self, obj, exc, *fragments, before=None, read=bytes):
        before = read(obj) if before is None else before
        with self.assertRaises(exc) as ctx:
            sort.sort(obj)
        for fragment in fragments:
            self.assertIn(fragment, str(ctx.exception))
        self.assertEqual(read(obj), before, "the buffer changed although sort raised")

    def test_read_only_buffers_are_type_errors(self):
        self.assert_rejected(b"\x03\x01\x02", TypeError, "read-only", "bytes")
        view = memoryview(bytearray(b"\x03\x01\x02")).toreadonly()
        self.assert_rejected(view, TypeError, "read-only", "memoryview")

    def test_non_contiguous_memoryview_is_a_value_error(self):
        buf = array.array("q", [5, 4, 3, 2, 1, 0])
        view = memoryview(buf)[::2]
        self.assert_rejected(view, ValueError, "contiguous", read=lambda v: v.tolist())
        self.assertEqual(buf.tolist(), [5, 4, 3, 2, 1, 0])

    def test_objects_without_a_buffer_are_type_errors(self):
        for obj in ((3, 1, 2), "cba", 5, None, {1: 2}, iter([2, 1])):
            with self.subTest(obj=type(obj).__name__):
                with self.assertRaises(TypeError) as ctx:
                    sort.sort(obj)
                self.assertEqual(
                    str(ctx.exception),
                    "sort.sort() argument must be a list or a writable buffer of numbers, "
                    f"not {type(obj).__name__!r}",
                )

    def test_unsupported_struct_formats_name_the_format(self):
        raw = bytearray(16)
        for fmt in ("?", "c", "e", "n", "N", "P", "2i"):
            try:
                view = memoryview(raw).cast(fmt)
            except (TypeError, ValueError):
                continue  # memoryview cannot make this one
            with self.subTest(format=fmt):
                self.assert_rejected(view, TypeError, f"format '{fmt}'", read=lambda v: raw[:])

    def test_array_unicode_is_rejected(self):
        buf = array.array("u", "cba") if sys.version_info < (3, 13) else array.array("w", "cba")
        self.assert_rejected(buf, TypeError, "format", read=lambda a: a.tobytes())

    def test_key_is_rejected_for_buffers(self):
        buf = array.array("i", [3, 1, 2])
        with self.assertRaises(TypeError):
            sort.sort(buf, key=abs)
        self.assertEqual(buf.tolist(), [3, 1, 2])

    def test_bad_threads_and_reverse_write_nothing(self):
        buf = array.array("d", [3.0, 1.0, 2.0])
        bad = [(0, ValueError), (-1, ValueError), (1.5, TypeError), (True, TypeError)]
        bad.append(("2", TypeError))
        for threads, exc in bad:
            with self.subTest(threads=threads):
                with self.assertRaises(exc):
                    sort.sort(buf, threads=threads)
        # No __index__ (TypeError up to 3.11) and a raising __bool__ (TypeError from 3.12, where
        # list.sort reads reverse by truth value): an error under every version's rule.
        with self.assertRaises(TypeError):
            sort.sort(buf, reverse=_NoTruthValue())
        self.assertEqual(buf.tolist(), [3.0, 1.0, 2.0])

    @unittest.skipIf(numpy is None, "numpy is not installed")
    def test_unsupported_numpy_arrays(self):
        frozen = numpy.array([3, 1, 2])
        frozen.flags.writeable = False
        rejected = [
            (numpy.array([3, 1, 2], dtype=numpy.float16), TypeError, ["format 'e'"]),
            (numpy.array([True, False]), TypeError, ["format '?'"]),
            (numpy.array([2j, 1j]), TypeError, ["format 'Zd'"]),
            (numpy.array([3, "a"], dtype=object), TypeError, ["format 'O'"]),
            (numpy.array([3, 1], dtype=">i8"), TypeError, ["format '>q'", "byte order"]),
            (numpy.array([[4, 3], [2, 1]]), ValueError, ["1-dimensional"]),
            (numpy.array(5), ValueError, ["0-dimensional"]),
            (numpy.arange(10)[::-1], ValueError, ["contiguous"]),
            (numpy.arange(10)[::2], ValueError, ["contiguous"]),
            (frozen, TypeError, ["read-only"]),
            # numpy itself refuses to export datetimes; its error comes through.
            (numpy.array([2, 1], dtype="M8[s]"), ValueError, ["buffer"]),
        ]
        for obj, exc, fragments in rejected:
            with self.subTest(dtype=str(obj.dtype), shape=obj.shape):
                self.assert_rejected(obj, exc, *fragments, read=lambda a: a.tobytes())


class TestGilAndInterrupts(unittest.TestCase):
    def big(self, n=20_000_000):
        # Random 64-bit values without a 20-million-element Python list.
        seed = random.Random(8).randbytes(8 * n)
        return array.array("q", seed)

    def test_other_python_threads_run_during_a_long_sort(self):
        buf = self.big()
        stop = threading.Event()
        iterations = 0

        def spin():
            nonlocal iterations
            while not stop.is_set():
                iterations += 1

        spinner = threading.Thread(target=spin)
        spinner.start()
        try:
            time.sleep(0.01)
            before = iterations
            sort.sort(buf)
            during = iterations - before
        finally:
            stop.set()
            spinner.join(30)
        self.assertGreater(during, 0)
        self.assertTrue(all(buf[i] <= buf[i + 1] for i in range(0, len(buf) - 1, 9973)))

    def test_keyboard_interrupt_leaves_the_same_values(self):
        buf = self.big()
        original = buf.tobytes()
        timer = threading.Timer(0.05, _thread.interrupt_main)
        interrupted = False
        try:
            timer.start()
            sort.sort(buf)
            timer.join()
            time.sleep(0.2)  # if the sort won the race, let the interrupt arrive here
        except KeyboardInterrupt:
            interrupted = True
        finally:
            timer.cancel()
        self.assertTrue(interrupted)
        if numpy is not None:
            got = numpy.frombuffer(buf, dtype=numpy.int64)
            want = numpy.frombuffer(original, dtype=numpy.int64)
            numpy.testing.assert_array_equal(numpy.sort(got), numpy.sort(want))
        else:
            self.assertEqual(len(buf.tobytes()), len(original))


if __name__ == "__main__":
    unittest.main()
