"""The list sort under memory pressure and with a hostile environment: never a crash.

- Out of memory: when the fast path cannot get its memory, CPython's own sort (which needs far
  less) takes over, so `sort.sorted` succeeds wherever `sorted()` does (RLIMIT_AS, in a
  subprocess).
- CPython's sort on precomputed keys looks nothing up by name: replacing `builtins.range`
  changes nothing.
- Ctrl-C while a C key function runs over a long list is answered during the key calls.
"""

import builtins
import os
import signal
import subprocess
import sys
import textwrap
import threading
import unittest

import sort

RLIMIT_SCRIPT = textwrap.dedent(
    """
    import resource, sys
    import sort
    n = int(sys.argv[1])
    xs = [(i * 2654435761) % 2**32 for i in range(n)]
    def vm_size():
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    # sorted() needs a copy of the list (8 bytes per item) and timsort's merge space (up to
    # 4 more); give it that and a little slack, not more.
    limit = vm_size() + 14 * n + (8 << 20)
    resource.setrlimit(resource.RLIMIT_AS, (limit, resource.getrlimit(resource.RLIMIT_AS)[1]))
    try:
        expected = sorted(xs)
    except MemoryError:
        print("SKIP sorted() itself did not fit")
        sys.exit(0)
    checksum = hash(tuple(expected[:: 1000]))
    del expected  # sort.sorted gets exactly the room sorted() had
    got = sort.sorted(xs)
    assert hash(tuple(got[:: 1000])) == checksum
    assert all(got[i] <= got[i + 1] for i in range(n - 1))
    del got
    sort.sort(xs)
    assert all(xs[i] <= xs[i + 1] for i in range(n - 1))
    print("OK")
    """
)


@unittest.skipUnless(sys.platform.startswith("linux"), "RLIMIT_AS and /proc are Linux's")
class OutOfMemory(unittest.TestCase):
    def test_sorted_succeeds_where_the_builtin_does(self):
        result = subprocess.run(
            [sys.executable, "-X", "dev", "-c", RLIMIT_SCRIPT, str(2_000_000)],
            capture_output=True,
            text=True,
            timeout=600,
            env=dict(os.environ, PYTHONFAULTHANDLER="1"),
        )
        self.assertEqual(result.returncode, 0, result.stderr[-2000:])
        if result.stdout.startswith("SKIP"):
            self.skipTest(result.stdout.strip())
        self.assertEqual(result.stdout.strip(), "OK")


class NoNameLookups(unittest.TestCase):
    def test_replaced_builtins_do_not_matter(self):
        data = [(i * 7919) % 1000 for i in range(1000)]
        expected = sorted(data, key=lambda o: (o,))
        saved = builtins.range

        def fake_range(n, *rest):
            return [0] * n

        builtins.range = fake_range
        try:
            got = sort.sorted(data, key=lambda o: (o,))
            copy = data[:]
            sort.sort(copy, key=lambda o: (o,), reverse=True)
        finally:
            builtins.range = saved
        self.assertEqual(got, expected)
        self.assertTrue(all(a is b for a, b in zip(got, expected)))
        self.assertEqual(copy, sorted(data, key=lambda o: (o,), reverse=True))

    def test_keys_of_no_fast_kind_are_used_in_order(self):
        # A key function with side effects sees each item once, in order, even when the keys
        # then go to CPython's sort.
        data = [str(i % 97) for i in range(5000)]
        seen = []

        def key(s):
            seen.append(s)
            return (len(s), s)

        got = sort.sorted(data, key=key)
        self.assertEqual(seen, data)
        self.assertEqual(got, sorted(data, key=lambda s: (len(s), s)))


class CtrlCDuringKeyCalls(unittest.TestCase):
    def test_interrupt_while_a_c_key_function_runs(self):
        # str.lower is a C function: no bytecode runs, so only our own signal checks see
        # the Ctrl-C before the key loop ends.
        data = ["A%d" % (i * 7919 % 1_000_003) for i in range(1_000_000)]
        timer = threading.Timer(0.05, lambda: os.kill(os.getpid(), signal.SIGINT))
        original = list(data)
        timer.start()
        try:
            with self.assertRaises(KeyboardInterrupt):
                # Long enough to still be calling key when the signal arrives.
                for _ in range(50):
                    sort.sort(data, key=str.lower)
        finally:
            timer.cancel()
        # The same objects, each once (sorted by an earlier call, or as they were).
        self.assertEqual(sorted(map(id, data)), sorted(map(id, original)))


if __name__ == "__main__":
    unittest.main()
