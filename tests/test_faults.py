"""Injected panics and allocation failures in every phase of a list sort.

A panic (a bug) must surface as SystemError, an allocation failure as the fallback to
CPython's own sort (or MemoryError where there is none), and either way the list must hold
the same objects, each exactly once, with their reference counts unchanged: no crash, no
object freed twice. The faults are injected by `_sort._inject_fault`, which exists only in a
build with the test-only cargo feature `fault-injection` (`tox -e faults`, or
`SORT_FAULT_INJECTION=1 pip install .`); in a normal build these tests skip.
"""

import gc
import random
import sys
import unittest

import sort
from sort import _sort

INJECTABLE = hasattr(_sort, "_inject_fault")
SKIP_REASON = (
    "needs a build with the fault-injection feature "
    "(tox -e faults, or SORT_FAULT_INJECTION=1 pip install .)"
)

PHASES = ("keys", "sort", "write")
# Lengths for two ways the sort runs: on the calling thread with the GIL held, and without the
# GIL on one thread; MULTI is on several threads (see src/py_list.rs).
LENGTHS = (1_000, 40_000)
MULTI = 270_000


def big_ints(n, seed):
    """Distinct int objects (not cached, not immortal) in random order."""
    rng = random.Random(seed)
    return [rng.randrange(2**40, 2**62) for _ in range(n)]


def wide_ints(n, seed):
    """Ints over the whole 64-bit range: the (key, item) record path."""
    rng = random.Random(seed)
    return [rng.randrange(-(2**63), 2**63) for _ in range(n)]


def strs(n, seed):
    rng = random.Random(seed)
    return ["%016x" % rng.getrandbits(64) for _ in range(n)]


KINDS = {"ints": big_ints, "wide ints": wide_ints, "strs": strs}


@unittest.skipUnless(INJECTABLE, SKIP_REASON)
class InjectedFaults(unittest.TestCase):
    def tearDown(self):
        _sort._inject_fault("none", "")

    def check(self, data, phase, kind, key=None, reverse=False, expected_sorted=None):
        """Sorts a copy of `data` with the fault armed; checks the outcome and the objects."""
        originals = list(data)  # one more reference to each, the same before and after
        gc.collect()
        counts = [sys.getrefcount(o) for o in originals]
        lst = list(data)  # released before the counts are taken again
        _sort._inject_fault(phase, kind)
        try:
            sort.sort(lst, key=key, reverse=reverse)
            error = None
        except (SystemError, MemoryError) as e:
            # Without its traceback, whose frames would hold `lst` and the items.
            error = e.with_traceback(None)
        self.assertFalse(_sort._fault_pending(), "the fault did not fire")
        if kind == "panic":
            self.assertIsInstance(error, SystemError)
            self.assertIn("injected fault", str(error))
        if error is None:
            # Fell back to CPython's sort: the builtin's result, object for object.
            expected = expected_sorted or builtins_sorted(originals, key=key, reverse=reverse)
        else:
            expected = originals  # left as it was
        self.assertEqual(len(lst), len(expected))
        self.assertTrue(all(a is b for a, b in zip(lst, expected)), "objects moved or lost")
        del lst, expected
        gc.collect()
        # Compared whole, not with assertEqual, whose diff of long lists is slow.
        self.assertTrue([sys.getrefcount(o) for o in originals] == counts, "refcounts changed")
        return error

    def every_phase_and_fault(self, items, **labels):
        expected = builtins_sorted(items)
        for phase in PHASES:
            for kind in ("panic", "nomemory"):
                with self.subTest(phase=phase, fault=kind, **labels):
                    error = self.check(items, phase, kind, expected_sorted=expected)
                    if kind == "nomemory":
                        self.assertIsNone(error)  # CPython's sort took over

    def test_every_phase_every_fault_every_kind(self):
        for n in LENGTHS:
            for name, make in KINDS.items():
                self.every_phase_and_fault(make(n, n), n=n, data=name)

    def test_on_several_threads(self):
        self.every_phase_and_fault(big_ints(MULTI, 3))

    def test_with_a_key_function_and_reverse(self):
        data = big_ints(40_000, 7)
        for phase in PHASES:
            for kind in ("panic", "nomemory"):
                with self.subTest(phase=phase, fault=kind):
                    self.check(data, phase, kind, key=lambda x: -x, reverse=True)

    def test_keys_of_no_fast_kind(self):
        # Float keys with one NaN where the sample taken before classification does not look
        # (a kind the sample sees is handed to CPython's sort before any key is read): the
        # keys are classified, the class fails late, and CPython's sort gets the list, fed the
        # keys already computed.
        data = big_ints(5_000, 8)
        special = data[1]
        nan = float("nan")
        for kind in ("panic", "nomemory"):
            with self.subTest(fault=kind):
                self.check(data, "keys", kind, key=lambda x: nan if x == special else x / 7)

    def test_the_list_works_afterwards(self):
        data = strs(50_000, 9)
        self.check(data, "sort", "panic")
        self.assertEqual(sort.sorted(data), builtins_sorted(data))


builtins_sorted = sorted


class FaultHookAbsentFromNormalBuilds(unittest.TestCase):
    @unittest.skipIf(INJECTABLE, "this is a fault-injection build")
    def test_no_hook(self):
        self.assertFalse(hasattr(_sort, "_fault_pending"))


if __name__ == "__main__":
    unittest.main()
