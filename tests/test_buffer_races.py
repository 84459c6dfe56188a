"""sort.sort() on buffers that other threads write, resize or sort at the same time, and under
memory pressure: the call never crashes the interpreter.

What a concurrently written buffer holds afterwards is unspecified (as with any data race), but
it only ever holds values that were in it or were written to it. The racing programs run in a
subprocess under `-X dev`, so that a crash fails one test instead of killing the test run.
"""

import array
import os
import subprocess
import sys
import textwrap
import threading
import time
import unittest

import sort

try:
    import numpy
except ImportError:  # pragma: no cover - numpy is in the `test` extra
    numpy = None

needs_numpy = unittest.skipIf(numpy is None, "numpy is not installed")


def run_python(code, timeout=300):
    """Runs `code` in a fresh `python -X dev`; returns the completed process."""
    return subprocess.run(
        [sys.executable, "-X", "dev", "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


class SubprocessTest(unittest.TestCase):
    def assert_clean_exit(self, proc, last_line):
        details = f"exit code {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
        self.assertEqual(proc.returncode, 0, details)
        self.assertEqual(proc.stdout.strip().splitlines()[-1:], [last_line], details)


@needs_numpy
class TestConcurrentWriters(SubprocessTest):
    def test_copyto_in_a_loop_while_sorting(self):
        # numpy releases the GIL for large copies: the array changes under the sort. Before
        # the bounds checks this ended in "free(): invalid next size" (SIGABRT).
        proc = run_python(
            """
            import threading
            import numpy as np
            import sort

            n = 4_000_000
            rng = np.random.default_rng(1)
            first = rng.integers(0, 2**40, n, dtype=np.int64)
            second = rng.integers(2**50, 2**51, n, dtype=np.int64)
            a = first.copy()
            stop = threading.Event()
            copies = 0

            def writer():
                global copies
                while not stop.is_set():
                    np.copyto(a, second)
                    np.copyto(a, first)
                    copies += 2

            thread = threading.Thread(target=writer)
            thread.start()
            try:
                for _ in range(6):
                    sort.sort(a)
                    sort.sort(a, reverse=True, threads=1)
            finally:
                stop.set()
                thread.join()
            sources = np.concatenate([first, second])
            assert np.isin(a, sources).all(), "a value from neither source"
            assert copies > 0
            print("ok")
            """
        )
        self.assert_clean_exit(proc, "ok")

    def test_two_threads_sort_one_array_at_once(self):
        # Before: a segmentation fault.
        proc = run_python(
            """
            import threading
            import numpy as np
            import sort

            rng = np.random.default_rng(2)
            for dtype in (np.int64, np.float64, np.int32):
                original = (rng.standard_normal(3_000_000) * 1e9).astype(dtype)
                a = original.copy()
                barrier = threading.Barrier(2)
                errors = []

                def sorter(reverse):
                    try:
                        barrier.wait()
                        for _ in range(3):
                            sort.sort(a, reverse=reverse)
                    except BaseException as exc:
                        errors.append(exc)

                threads = [threading.Thread(target=sorter, args=(r,)) for r in (False, True)]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join()
                assert not errors, errors
                # Unspecified order, but every element is one of the original values.
                assert np.isin(a, original).all(), dtype
                # Sorting again on one thread gives a sorted array.
                sort.sort(a)
                assert (a[:-1] <= a[1:]).all()
            print("ok")
            """
        )
        self.assert_clean_exit(proc, "ok")


class TestResizeDuringSort(unittest.TestCase):
    """The buffer stays exported for the whole call: resizing it from another thread raises
    BufferError instead of freeing the memory under the sort."""

    def attempt_resizes(self, make, resize):
        refused = 0
        for attempt in range(5):
            buf = make()
            length = len(buf)
            done = threading.Event()
            started = threading.Event()
            outcomes = []

            def resizer():
                started.wait()
                time.sleep(0.002)
                while not done.is_set():
                    try:
                        resize(buf)
                    except BufferError:
                        outcomes.append("refused" if not done.is_set() else "late")
                        return
                    outcomes.append("resized")
                    return

            thread = threading.Thread(target=resizer)
            thread.start()
            started.set()
            sort.sort(buf)
            done.set()
            thread.join()
            resized = outcomes.count("resized")
            # A resize can only have succeeded after the sort returned.
            self.assertEqual(len(buf), length + resized)
            refused += outcomes.count("refused")
            if refused:
                break
        self.assertGreater(refused, 0, "no resize attempt was made during the sort")

    def test_array_array_cannot_be_resized(self):
        data = os.urandom(8 * 10_000_000)
        self.attempt_resizes(lambda: array.array("q", data), lambda buf: buf.append(1))

    def test_bytearray_cannot_be_resized(self):
        data = os.urandom(150_000_000)
        self.attempt_resizes(lambda: bytearray(data), lambda buf: buf.extend(b"x"))


@unittest.skipUnless(sys.platform.startswith("linux"), "RLIMIT_AS and /proc are Linux's")
class TestMemoryPressure(SubprocessTest):
    def test_scratch_that_cannot_fit_is_a_memory_error(self):
        # 160 MB of int64 whose 160 MB scratch buffer cannot fit under a limit 60 MB above the
        # current address space: MemoryError, the buffer untouched, the process alive.
        proc = run_python(
            """
            import array, os, resource
            import sort

            a = array.array("q", os.urandom(8 * 20_000_000))
            before = a.tobytes()
            with open("/proc/self/status") as f:
                size = next(int(l.split()[1]) * 1024 for l in f if l.startswith("VmSize:"))
            resource.setrlimit(resource.RLIMIT_AS, (size + 60 * 2**20, resource.RLIM_INFINITY))
            for threads in (1, None):
                try:
                    sort.sort(a, threads=threads)
                except MemoryError as exc:
                    print("MemoryError:", str(exc)[:40])
                else:
                    raise AssertionError("the sort fitted")
                # Compared without allocating a copy (which could not fit either).
                assert memoryview(a).cast("B") == before, "the buffer changed"
            small = array.array("q", [3, 1, 2])
            sort.sort(small)
            assert small.tolist() == [1, 2, 3]
            print("ok")
            """
        )
        self.assert_clean_exit(proc, "ok")
        self.assertIn("MemoryError: not enough memory", proc.stdout)


if __name__ == "__main__":
    unittest.main()
