"""Interpreter exit while a daemon thread is inside a long `sort` call (issue 8, hole 4).

CPython up to 3.13 ends a thread that tries to take the GIL back once the interpreter is
finalizing. A daemon thread waiting inside `sort.sort` or `sleep_sort` used to be ended that
way, after which the sort's worker threads wrote into its dead stack: a segfault at exit,
nearly every run. Each scenario runs in a subprocess under `-X dev`: the main thread ends while
the daemon thread is inside a call, and an object whose `__del__` sleeps during finalization
gives the workers time to do damage. The exit must be clean, every time.
"""

import os
import subprocess
import sys
import textwrap
import unittest

try:
    import numpy
except ImportError:  # pragma: no cover - numpy is optional
    numpy = None

# Each scenario runs this many times (SORT_SHUTDOWN_RUNS overrides it), a few at once: before
# the fix, the list and buffer scenarios crashed in most runs.
RUNS = int(os.environ.get("SORT_SHUTDOWN_RUNS", "10"))
AT_ONCE = 3

# `work()` is supplied per scenario; it loops forever on long calls. The main thread returns
# once the daemon thread is inside one, and `Slow.__del__` runs during finalization.
SCRIPT = """
import sys
import threading
import time
import sort

{work}

class Slow:
    def __del__(self):
        time.sleep(0.3)

inside = threading.Event()
for _ in range({threads}):
    threading.Thread(target=work, args=(inside,), daemon=True).start()
inside.wait()
time.sleep(0.02)
slow = Slow()
if {without_hook}:
    import atexit
    atexit._clear()  # sort's hook too: then only the check before each GIL retake protects
print("main thread done", flush=True)
"""

LIST = """
def work(inside):
    xs = list(range(4_000_000, 0, -1))
    inside.set()
    while True:
        sort.sort(xs)
        sort.sort(xs, reverse=True)
"""

BUFFER = """
import numpy
def work(inside):
    a = numpy.random.default_rng(1).integers(0, 2**62, 4_000_000)
    inside.set()
    while True:
        sort.sort(a)
        sort.sort(a, reverse=True)
"""

ARRAY = """
import array
def work(inside):
    a = array.array("q", range(4_000_000))
    inside.set()
    while True:
        sort.sort(a, reverse=True)
        sort.sort(a)
"""

SLEEP = """
def work(inside):
    inside.set()
    while True:
        sort.sleep_sort(range(1000), unit=0.001)
"""

# Several daemon threads, each alternating list sorts and sleep sorts. (The workers of
# concurrent.futures pools are joined before atexit hooks run, so they cannot be caught at
# exit; daemon threads are what a hand-made pool uses.)
SEVERAL = """
import random
def work(inside):
    i = threading.get_ident() % 1000
    xs = list(range(1_000_000))
    random.Random(i).shuffle(xs)
    inside.set()
    while True:
        sort.sorted(xs)
        sort.sleep_sort([i, 0, 50], unit=0.002)
"""


class ExitWhileSorting(unittest.TestCase):
    def run_scenario(self, work: str, threads: int = 1, without_hook: bool = False) -> None:
        script = SCRIPT.format(
            work=textwrap.dedent(work), threads=threads, without_hook=without_hook
        )
        env = dict(os.environ)
        env.pop("PYTHONFAULTHANDLER", None)
        results = []
        for first in range(0, RUNS, AT_ONCE):
            procs = [
                subprocess.Popen(
                    [sys.executable, "-X", "dev", "-c", script],
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                    env=env,
                )
                for _ in range(first, min(RUNS, first + AT_ONCE))
            ]
            for proc in procs:
                stdout, stderr = proc.communicate(timeout=300)
                results.append((proc.returncode, stdout, stderr))
        for run, (returncode, stdout, stderr) in enumerate(results):
            with self.subTest(run=run):
                self.assertIn("main thread done", stdout, stderr[-2000:])
                self.assertNotIn("Fatal Python error", stderr)
                self.assertNotIn("Segmentation fault", stderr)
                self.assertEqual(returncode, 0, stderr[-2000:])

    def test_a_list_sort(self) -> None:
        self.run_scenario(LIST)

    @unittest.skipIf(numpy is None, "needs numpy")
    def test_a_numpy_buffer_sort(self) -> None:
        self.run_scenario(BUFFER)

    def test_an_array_buffer_sort(self) -> None:
        self.run_scenario(ARRAY)

    def test_a_sleep_sort(self) -> None:
        self.run_scenario(SLEEP)

    def test_several_daemon_threads_sorting(self) -> None:
        self.run_scenario(SEVERAL, threads=4)

    def test_a_list_sort_with_the_atexit_hook_removed(self) -> None:
        self.run_scenario(LIST, without_hook=True)

    def test_a_sleep_sort_with_the_atexit_hook_removed(self) -> None:
        self.run_scenario(SLEEP, without_hook=True)


class AfterTheAtexitHook(unittest.TestCase):
    """Once `atexit` hooks have run, calls keep the GIL and still give the right answers."""

    def test_calls_made_by_a_later_atexit_hook_still_work(self) -> None:
        script = textwrap.dedent(
            """
            import atexit, array, sort

            def late():
                xs = list(range(100_000, 0, -1))
                sort.sort(xs)
                a = array.array("q", range(100_000, 0, -1))
                sort.sort(a)
                ok = xs == sorted(xs) and list(a) == sorted(a)
                ok = ok and sort.sleep_sort([3, 1, 2], unit=0.001) == [1, 2, 3]
                print("late ok" if ok else "late WRONG", flush=True)

            # Runs sort's hook now, as Py_FinalizeEx would at exit.
            atexit._run_exitfuncs()
            late()
            """
        )
        proc = subprocess.run(
            [sys.executable, "-X", "dev", "-c", script],
            capture_output=True,
            text=True,
            timeout=120,
        )
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn("late ok", proc.stdout)


if __name__ == "__main__":
    unittest.main()
