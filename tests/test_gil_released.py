"""The GIL is released *inside* one long call: another Python thread runs during it.

A ticker thread counts while the main thread is inside a single call. The switch interval is
raised for the test so that the main thread never hands the GIL over between bytecodes: any
tick therefore happened while the call had released the GIL, not between calls.
"""

import array
import sys
import threading
import time
import unittest

import sort

try:
    import numpy
except ImportError:  # pragma: no cover - numpy is optional
    numpy = None

# Ticks (one per millisecond at most) that prove the ticker ran during the call; each call
# below spends well over 50 ms without the GIL, even on a fast machine.
MIN_TICKS = 10


class TicksDuringOneCall(unittest.TestCase):
    def ticks_during(self, call) -> int:
        ticks = [0]
        stop = threading.Event()

        def ticker() -> None:
            while not stop.is_set():
                ticks[0] += 1
                time.sleep(0.001)

        thread = threading.Thread(target=ticker)
        old_interval = sys.getswitchinterval()
        thread.start()
        try:
            while ticks[0] == 0:
                time.sleep(0.001)
            sys.setswitchinterval(1000.0)
            before = ticks[0]
            call()
            during = ticks[0] - before
        finally:
            sys.setswitchinterval(old_interval)
            stop.set()
            thread.join(30)
        return during

    def test_a_list_sort(self) -> None:
        # Scrambled, not in runs: a list of a few long runs is handed to CPython's own sort
        # (timsort wins there), which keeps the GIL.
        xs = [(i * 2654435761) % 1_000_003 for i in range(1_300_000)]
        during = self.ticks_during(lambda: sort.sort(xs))
        self.assertEqual(xs, sorted(xs))
        self.assertGreaterEqual(during, MIN_TICKS)

    def test_an_array_sort(self) -> None:
        a = array.array("q", range(8_000_000, 0, -1))
        during = self.ticks_during(lambda: sort.sort(a))
        self.assertEqual(a[0], 1)
        self.assertEqual(a[-1], 8_000_000)
        self.assertGreaterEqual(during, MIN_TICKS)

    @unittest.skipIf(numpy is None, "needs numpy")
    def test_a_numpy_sort(self) -> None:
        a = numpy.random.default_rng(3).integers(-(2**63), 2**63 - 1, 8_000_000)
        expected = numpy.sort(a)
        during = self.ticks_during(lambda: sort.sort(a))
        self.assertTrue(numpy.array_equal(a, expected))
        self.assertGreaterEqual(during, MIN_TICKS)

    def test_a_sleep_sort(self) -> None:
        result = []
        during = self.ticks_during(
            lambda: result.extend(sort.sleep_sort([20, 0, 10], unit=0.01))
        )
        self.assertEqual(result, [0, 10, 20])
        self.assertGreaterEqual(during, MIN_TICKS)

    def test_the_ticker_is_still_without_a_gil_release(self) -> None:
        # The control: a call that keeps the GIL (a busy Python loop) gets no ticks.
        def busy() -> None:
            end = time.perf_counter() + 0.2
            while time.perf_counter() < end:
                pass

        self.assertLess(self.ticks_during(busy), MIN_TICKS)


if __name__ == "__main__":
    unittest.main()
