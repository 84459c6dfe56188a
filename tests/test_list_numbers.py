"""Exact numbers of every size: ints mixed with floats compared exactly, ints beyond 64 bits,
bools; object for object like sorted(), on small, native-path and multi-threaded lists."""

import builtins
import math
import random
import unittest

from hypothesis import given, settings
from hypothesis import strategies as st

import sort

LARGE = (1 << 18) + 1000


def fresh(x):
    """An equal but (where CPython allows) distinct object: stability becomes visible."""
    if type(x) is int:
        return int(str(x))
    if type(x) is float:
        return float(repr(x))
    return x


class NumbersMixin:
    def assert_like_builtin(self, data, **kwargs):
        expected = builtins.sorted(data, **kwargs)
        got = sort.sorted(data, **kwargs)
        bad = [i for i, (a, b) in enumerate(zip(got, expected)) if a is not b]
        self.assertEqual(len(got), len(expected))
        self.assertEqual(bad[:5], [], "objects differ from the builtin's")
        in_place = list(data)
        sort.sort(in_place, **kwargs)
        self.assertTrue(all(a is b for a, b in zip(in_place, expected)))
        return got

    def both_ways(self, data, **kwargs):
        for reverse in (False, True):
            self.assert_like_builtin(data, reverse=reverse, **kwargs)


EDGES = [0, -0.0, 0.0, 1, 1.0, True, False, -1, -1.0, 0.5, 2**53 - 1, 2**53, 2.0**53, 2**53 + 1,
         2**53 + 2, 2.0**53 + 2, 2**63 - 1, 2**63, 2.0**63, -(2**63), -(2**63) - 1, 2**64,
         2**1000, -(2**1000), 2**1000 + 1, 1e308, -1e308, math.inf, -math.inf, 5e-324, -5e-324,
         2.2250738585072014e-308, 10**400, -(10**400)]


class NamedCases(NumbersMixin, unittest.TestCase):
    def test_exact_comparison_of_ints_and_floats(self):
        got = sort.sorted([2**53 + 1, 2.0**53] * 100)
        self.assertEqual(got[:100], [2.0**53] * 100)
        self.assertTrue(all(type(x) is int for x in got[100:]))
        self.assertEqual(sort.sorted([2.0**63, 2**63 - 1] * 100)[0], 2**63 - 1)

    def test_equal_int_float_bool_keep_input_order(self):
        data = [fresh(x) for x in [1, 1.0, True, 1, True, 1.0, 0, False, -0.0, 0.0] * 40]
        got = self.assert_like_builtin(data)
        self.assertEqual([type(x) for x in got[:4]], [int, bool, float, float])
        self.both_ways(data)

    def test_edges_in_every_order(self):
        rng = random.Random(1)
        for n in (200, 5000, 40_000):
            self.both_ways([fresh(rng.choice(EDGES)) for _ in range(n)])

    def test_big_ints_alone_both_signs(self):
        rng = random.Random(2)
        for bits in (65, 100, 256, 2000):
            data = [rng.getrandbits(bits) - (1 << (bits - 1)) for _ in range(3000)]
            data += [fresh(x) for x in data[:500]]
            self.both_ways(data)

    def test_bools_alone_and_with_ints(self):
        rng = random.Random(3)
        self.both_ways([rng.random() < 0.5 for _ in range(500)])
        self.both_ways([rng.choice([True, False, 0, 1, 2, -1]) for _ in range(500)])

    def test_nan_and_other_types_go_to_cpython(self):
        rng = random.Random(4)
        nan = float("nan")
        self.both_ways([rng.choice([1, 2.5, nan, float("nan"), 2**70]) for _ in range(500)])
        with self.assertRaises(TypeError):
            sort.sorted([1, 2.5, 2**70] * 100 + ["x"])

        class Int(int):
            pass

        self.both_ways([rng.choice([1, 2.5, Int(2), 2**70]) for _ in range(500)])

    def test_key_producing_mixed_numbers(self):
        rng = random.Random(5)
        data = [rng.randrange(1000) for _ in range(1000)]
        self.both_ways(data, key=lambda x: x / 7 if x % 2 else x * 2**60)


class Large(NumbersMixin, unittest.TestCase):
    def test_mixed_ints_and_floats(self):
        rng = random.Random(10)
        self.both_ways([rng.randrange(-1000, 1000) if rng.random() < 0.5
                        else rng.randrange(-2000, 2000) / 2 for _ in range(LARGE)])

    def test_wide_mixed_numbers(self):
        rng = random.Random(11)
        data = [fresh(rng.choice(EDGES)) if rng.random() < 0.1
                else rng.randrange(-(2**64), 2**64) for _ in range(LARGE)]
        self.both_ways(data)

    def test_ints_denser_than_floats(self):
        # Ints within a few thousand of 2**63 (both sides of the int64 edge) and of 10**20 share
        # a handful of float floors: long runs of equal words, ordered by their exact tails
        # (the string sort, on threads), with duplicates and floats equal to some of them.
        rng = random.Random(13)

        def value():
            return rng.choice((2**63 + rng.randrange(-3000, 3000),
                               10**20 + rng.randrange(40_000), 2.0**63, float(10**20)))

        data = [fresh(value()) for _ in range(LARGE)]
        self.both_ways(data)

    def test_256_bit_ints_with_duplicates(self):
        rng = random.Random(12)
        pool = [rng.getrandbits(256) for _ in range(100_000)]
        self.both_ways([fresh(rng.choice(pool)) for _ in range(LARGE)])


numbers = st.one_of(
    st.integers(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False),
    st.sampled_from(EDGES),
    st.booleans(),
)


class Properties(NumbersMixin, unittest.TestCase):
    @settings(max_examples=150, deadline=None)
    @given(st.lists(numbers, min_size=1, max_size=50), st.booleans(),
           st.randoms(use_true_random=False))
    def test_matches_builtin(self, pool, reverse, rng):
        data = [fresh(rng.choice(pool)) for _ in range(200)]
        self.assert_like_builtin(data, reverse=reverse)


if __name__ == "__main__":
    unittest.main()
