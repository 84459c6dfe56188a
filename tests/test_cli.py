"""``python -m sort``: the sleep-sort command line, run as a real subprocess."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
import unittest
from typing import List

# Far longer than any command here should take, even on a loaded 2-core machine.
HANG = 60.0


def run_cli(*args: str) -> subprocess.CompletedProcess:
    # From an empty directory, so that `import sort` cannot pick up a source checkout by
    # accident: the subprocess sees the same `sort` as this test process (same sys.executable
    # and environment, PYTHONPATH included).
    with tempfile.TemporaryDirectory() as cwd:
        return subprocess.run(
            [sys.executable, "-X", "dev", "-m", "sort", *args],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=HANG,
        )


class Output(unittest.TestCase):
    def test_the_articles_example(self) -> None:
        done = run_cli("5", "1", "2", "6", "8", "2", "4", "2", "3", "8", "0", "2")
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(done.stdout, "[0, 1, 2, 2, 2, 2, 3, 4, 5, 6, 8, 8]\n")

    def test_unit_option(self) -> None:
        for unit in (["--unit", "0.001"], ["--unit=0"], ["--unit", "1e-4"]):
            with self.subTest(unit=unit):
                done = run_cli(*unit, "30", "10", "20", "10")
                self.assertEqual(done.returncode, 0, done.stderr)
                self.assertEqual(done.stdout, "[10, 10, 20, 30]\n")

    def test_negative_values_are_values_not_options(self) -> None:
        done = run_cli("--unit", "0.001", "3", "-1", "-20", "2")
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(done.stdout, "[-20, -1, 2, 3]\n")

    def test_no_values_prints_an_empty_list(self) -> None:
        done = run_cli()
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(done.stdout, "[]\n")

    def test_help(self) -> None:
        done = run_cli("--help")
        self.assertEqual(done.returncode, 0)
        self.assertIn("usage: python -m sort", done.stdout)
        self.assertIn("--unit", done.stdout)
        self.assertEqual(done.stderr, "")


class BadArguments(unittest.TestCase):
    def assert_usage_error(self, args: List[str], words: List[str]) -> None:
        done = run_cli(*args)
        self.assertEqual(done.returncode, 2, done.stderr)
        self.assertEqual(done.stdout, "")
        self.assertIn("usage:", done.stderr)
        for word in words:
            self.assertIn(word, done.stderr)

    def test_a_value_that_is_not_an_int(self) -> None:
        self.assert_usage_error(["1", "x", "3"], ["invalid int value", "'x'"])
        self.assert_usage_error(["1", "2.5"], ["invalid int value", "'2.5'"])

    def test_a_bad_unit(self) -> None:
        self.assert_usage_error(["--unit", "-1", "1", "2"], ["unit"])
        self.assert_usage_error(["--unit", "nan", "1"], ["unit"])
        self.assert_usage_error(["--unit", "soon", "1"], ["--unit", "invalid float value"])

    def test_a_value_beyond_64_bits(self) -> None:
        self.assert_usage_error(["1", str(2**64)], ["element 1", "64 bits"])

    def test_too_many_distinct_values(self) -> None:
        self.assert_usage_error([str(i) for i in range(16_385)], ["16384", "distinct"])


class Interrupt(unittest.TestCase):
    def test_ctrl_c_exits_with_status_130(self) -> None:
        with tempfile.TemporaryDirectory() as cwd:
            process = subprocess.Popen(
                [sys.executable, "-m", "sort", "--unit", "600", "0", "1"],
                cwd=cwd,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            try:
                # Wait until the sort is sleeping: its threads show up next to the main one.
                deadline = time.monotonic() + HANG
                while time.monotonic() < deadline and process.poll() is None:
                    try:
                        if len(os.listdir(f"/proc/{process.pid}/task")) >= 3:
                            break
                    except FileNotFoundError:
                        break
                    time.sleep(0.01)
                process.send_signal(signal.SIGINT)
                stdout, stderr = process.communicate(timeout=HANG)
            finally:
                if process.poll() is None:
                    process.kill()
                    process.communicate()
        self.assertEqual(process.returncode, 130, stderr)
        self.assertEqual(stdout, "")
        self.assertNotIn("Traceback", stderr)


if __name__ == "__main__":
    unittest.main()
