"""Other Python threads while a list is sorted without the GIL, and Ctrl-C.

While the native sort runs, the GIL is released and the list looks empty to everybody else
(as it does during list.sort). Changing it meanwhile must never crash; an append makes the
sort raise ValueError, as list.sort does, with the sorted items back in place.
"""

import _thread
import random
import threading
import time
import unittest

import sort

N = 1_000_000  # large enough for the parallel path and for a sort of tens of milliseconds


def shuffled_ints(n, seed):
    rng = random.Random(seed)
    return [rng.randrange(-(2**63), 2**63) for _ in range(n)]


class ConcurrentThreads(unittest.TestCase):
    def run_with_meddler(self, lst, meddle):
        """Sorts `lst` while another thread calls `meddle(lst)` until the sort returns."""
        started, done = threading.Event(), threading.Event()
        calls = []

        def meddler():
            started.wait()
            while not done.is_set():
                meddle(lst)
                calls.append(1)
                time.sleep(0)  # let the sorting thread take the GIL back

        thread = threading.Thread(target=meddler)
        thread.start()
        try:
            started.set()
            try:
                sort.sort(lst, threads=2)
                error = None
            except ValueError as e:
                error = e
        finally:
            done.set()
            thread.join(30)
        self.assertFalse(thread.is_alive(), "meddling thread hung")
        return error, calls

    def test_append_during_parallel_sort_raises_value_error(self):
        data = shuffled_ints(N, 1)
        lst = list(data)
        error, calls = self.run_with_meddler(lst, lambda l: l.append(0))
        self.assertTrue(calls)
        self.assertIsInstance(error, ValueError)
        self.assertIn("list modified during sort", str(error))
        # The sorted original items are back (plus any zeros appended before the sort began);
        # the ones appended during the sort were discarded, as list.sort discards them.
        extra = len(lst) - N
        self.assertEqual(lst, sorted(data + [0] * extra))

    def test_clear_during_parallel_sort_never_crashes(self):
        data = shuffled_ints(N, 2)
        lst = list(data)
        error, calls = self.run_with_meddler(lst, lambda l: l.clear())
        self.assertTrue(calls)
        # Clearing the (seemingly empty) list during the sort changes nothing, as for
        # list.sort; clearing before it started leaves nothing to sort.
        self.assertIsNone(error)
        self.assertIn(lst, ([], sorted(data)))

    def test_readers_during_parallel_sort_see_an_empty_list(self):
        data = shuffled_ints(N, 3)
        lst = list(data)
        lengths = []
        error, _ = self.run_with_meddler(lst, lambda l: lengths.append((len(l), list(l))))
        self.assertIsNone(error)
        self.assertEqual(lst, sorted(data))
        self.assertTrue(all(length in (0, N) for length, _ in lengths))

    def test_two_threads_sorting_the_same_list(self):
        data = shuffled_ints(N, 4)
        lst = list(data)
        error, _ = self.run_with_meddler(lst, lambda l: sort.sort(l, reverse=True))
        # The meddler's sorts run on an empty list or on the finished one; either way the
        # result is a sorted arrangement of the same items.
        self.assertIsNone(error)
        self.assertIn(lst, (sorted(data), sorted(data, reverse=True)))

    def test_other_threads_run_while_the_sort_runs(self):
        data = shuffled_ints(N, 5)
        ticks = []
        done = threading.Event()

        def ticker():
            while not done.is_set():
                ticks.append(time.perf_counter())
                time.sleep(0.001)

        thread = threading.Thread(target=ticker)
        thread.start()
        try:
            time.sleep(0.01)
            before = len(ticks)
            for _ in range(5):
                sort.sorted(data)
            during = len(ticks) - before
        finally:
            done.set()
            thread.join(30)
        self.assertGreater(during, 0)


class Interrupt(unittest.TestCase):
    def test_ctrl_c_during_a_long_sort_leaves_every_item_in_the_list(self):
        data = shuffled_ints(3 * N, 6)
        lst = list(data)
        timer = threading.Timer(0.05, _thread.interrupt_main)
        interrupted = False
        timer.start()
        try:
            sort.sort(lst, threads=1)
            time.sleep(5)  # the interrupt lands here if the sort was faster than the timer
        except KeyboardInterrupt:
            interrupted = True
        finally:
            timer.cancel()
        self.assertTrue(interrupted)
        self.assertEqual(len(lst), len(data))
        self.assertIn(lst, (data, sorted(data)))


if __name__ == "__main__":
    unittest.main()
