"""Property tests: sort.sorted / sort.sort give exactly what builtins.sorted / list.sort give.

"Exactly" means the same objects (``is``) in the same order, the same exception type when the
builtin raises, and for ``sort.sort`` the same list state afterwards, even after an exception.
Lists are drawn at 128+ elements too, so that the native paths (not only the small-list
shortcut to ``list.sort``) are exercised.
"""

import builtins
import math
import unittest

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sort

SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

ints = st.one_of(
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.integers(min_value=-3, max_value=3),
    st.integers(),  # unbounded: big ints beyond 64 bits
)
floats = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, -0.0, math.inf, -math.inf, math.nan, 1.0, 2.0**53]),
)
# Every code point, lone surrogates included.
strs = st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x10FFFF,
                                      exclude_categories=()), max_size=12)
ascii_strs = st.text(alphabet="abc\x00\x7f", max_size=10)
byte_strings = st.binary(max_size=12)
mixed_numbers = st.one_of(ints, floats, st.booleans())
tuples = st.tuples(st.integers(-2, 2), st.one_of(st.integers(-2, 2), st.text("ab", max_size=2)))
with_none = st.one_of(st.none(), st.integers(-5, 5))

KINDS = {
    "ints": ints,
    "floats": floats,
    "strs": strs,
    "ascii_strs": ascii_strs,
    "bytes": byte_strings,
    "mixed_numbers": mixed_numbers,
    "tuples": tuples,
    "with_none": with_none,
}


def lists_of(elements):
    """Small lists (the shortcut) and lists of 128..300 (the native code), with many repeats."""
    repeated = st.lists(elements, min_size=1, max_size=8).flatmap(
        lambda base: st.permutations(base * (140 // len(base) + 1))
    )
    return st.one_of(
        st.lists(elements, max_size=20),
        st.lists(elements, min_size=128, max_size=300),
        repeated,
    )


KEYS = [None, lambda x: x, lambda x: [x]]


def outcome(fn):
    """(result or None, exception type or None)."""
    try:
        return fn(), None
    except Exception as error:  # the type is what must agree
        return None, type(error)


class ExactnessChecks(unittest.TestCase):
    def assert_same_objects(self, got, expected):
        self.assertEqual(len(got), len(expected))
        for i, (a, b) in enumerate(zip(got, expected)):
            if a is not b:
                self.fail(f"index {i}: got {a!r} (id {id(a)}), expected {b!r} (id {id(b)})")

    def check_sorted(self, data, key, reverse):
        ours, our_error = outcome(lambda: sort.sorted(data, key=key, reverse=reverse))
        theirs, their_error = outcome(lambda: builtins.sorted(data, key=key, reverse=reverse))
        self.assertIs(our_error, their_error)
        if their_error is None:
            self.assert_same_objects(ours, theirs)

    def check_sort(self, data, key, reverse, threads=None):
        ours, theirs = list(data), list(data)
        _, our_error = outcome(lambda: sort.sort(ours, key=key, reverse=reverse, threads=threads))
        _, their_error = outcome(lambda: theirs.sort(key=key, reverse=reverse))
        self.assertIs(our_error, their_error)
        # Also after an exception: the list is left exactly as list.sort leaves it.
        self.assert_same_objects(ours, theirs)


class Exactness(ExactnessChecks):
    """One property test per kind of element, added below."""


def make_test(kind, elements):
    @SETTINGS
    @given(data=lists_of(elements), key=st.sampled_from(KEYS), reverse=st.booleans())
    def test(self, data, key, reverse):
        self.check_sorted(data, key, reverse)
        self.check_sort(data, key, reverse)

    test.__name__ = f"test_{kind}_match_the_builtins"
    return test


for _kind, _elements in KINDS.items():
    setattr(Exactness, f"test_{_kind}_match_the_builtins", make_test(_kind, _elements))


class ExactnessAcrossThreadCounts(ExactnessChecks):
    @SETTINGS
    @given(data=st.lists(ints, min_size=128, max_size=400), reverse=st.booleans(),
           threads=st.sampled_from([None, 1, 2, 3, 64]))
    def test_threads_never_change_the_result(self, data, reverse, threads):
        self.check_sort(data, None, reverse, threads)


if __name__ == "__main__":
    unittest.main()
