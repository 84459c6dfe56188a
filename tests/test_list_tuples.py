"""Lists of tuples: CPython's tuple order (element `==` first, then `<`; a prefix sorts first),
object for object, on small lists, native-path lists and multi-threaded (>= 2**18) lists."""

import builtins
import math
import random
import unittest
from collections import namedtuple

from hypothesis import given, settings
from hypothesis import strategies as st

import sort

# Above the multi-threaded threshold (2**18), so every thread of the Rust paths runs.
LARGE = (1 << 18) + 1000


def copies(data):
    """Equal but distinct tuple objects (stability is only visible on distinct objects)."""
    return [tuple(list(t)) for t in data]


class TupleMixin:
    def assert_like_builtin(self, data, **kwargs):
        """`sort.sorted` and `sort.sort` give the builtin's objects in its order, or raise the
        same exception type."""
        try:
            expected = builtins.sorted(data, **kwargs)
        except Exception as exc:  # the builtin raised: so must we, with the same type
            with self.assertRaises(type(exc)):
                sort.sorted(data, **kwargs)
            return None
        got = sort.sorted(data, **kwargs)
        self.assertEqual(len(got), len(expected))
        bad = [i for i, (a, b) in enumerate(zip(got, expected)) if a is not b]
        self.assertEqual(bad[:5], [], "objects differ from the builtin's")
        in_place = list(data)
        sort.sort(in_place, **kwargs)
        self.assertTrue(all(a is b for a, b in zip(in_place, expected)))
        return expected

    def both_ways(self, data, **kwargs):
        for reverse in (False, True):
            self.assert_like_builtin(data, reverse=reverse, **kwargs)


class NamedCases(TupleMixin, unittest.TestCase):
    def pad(self, rows, n=300):
        rng = random.Random(len(rows))
        return copies(rng.choice(rows) for _ in range(n))

    def test_equal_elements_of_different_types_compare_the_next_element(self):
        # (1, 'b') vs (1.0, 'a'): 1 == 1.0, so 'b' vs 'a' decides.
        rows = [(1, "b"), (1.0, "a"), (True, "c"), (1, "a"), (0, "z"), (False, "y"), (-0.0, "x")]
        data = self.pad(rows)
        self.both_ways(data)
        got = sort.sorted(copies([(1, "b"), (1.0, "a"), (True, "a")] * 100))
        self.assertEqual([type(t[0]) for t in got[:2]], [float, bool])
        self.assertEqual(got[-1], (1, "b"))

    def test_prefixes_empty_and_nested_tuples(self):
        rows = [(), (1,), (1, 2), (1, 2, 3), (0, 9, 9, 9), (2,), ((),), ((1,),), ((1, 2),),
                ((0, 5), 1), ((), 2)]
        # Nested and flat tuples in position 0 do not compare (int vs tuple): separate lists.
        self.both_ways(self.pad(rows[:6]))
        self.both_ways(self.pad(rows[6:]))
        self.both_ways(self.pad([((a, (b, "s" * c)), d) for a in range(3) for b in range(2)
                                 for c in range(3) for d in "ab"]))

    def test_numbers_of_every_size_and_kind_in_tuples(self):
        values = [0, -0.0, 0.0, 1, 1.0, True, False, -1, 2**53, 2.0**53, 2**53 + 1, 2**63,
                  -(2**63) - 1, 2**1000, -(2**1000), 1e308, -math.inf, math.inf, 5e-324, 0.1]
        rows = [(v, w) for v in values for w in values[:6]]
        self.both_ways(self.pad(rows, 500))

    def test_str_and_bytes_with_nul_and_non_ascii(self):
        strs = ["", "\0", "a", "a\0", "a\0b", "ab", "\x01", "é", "€", "\U0001f600", "z" * 20]
        self.both_ways(self.pad([(s, i) for s in strs for i in range(3)]))
        self.both_ways(self.pad([(s.encode(), i % 2) for s in strs for i in range(3)]))
        self.both_ways(self.pad([(i, s) for s in strs for i in range(3)]))

    def test_nan_goes_to_cpython_with_its_identity_rules(self):
        nan = float("nan")
        rows = [(nan, 1), (nan, 0), (1.0, 2), (float("nan"), 3), (0.5, nan)]
        self.both_ways([rows[i % 5] if i % 2 else tuple(list(rows[i % 5])) for i in range(300)])

    def test_mixed_classes_in_one_position_raise_or_not_as_cpython(self):
        # Never compared: first elements differ.
        self.both_ways(copies([(i, "a") if i % 2 else (i, 3) for i in range(300)]))
        # Compared: TypeError, as the builtin.
        with self.assertRaises(TypeError):
            sort.sorted(copies([(1, "a"), (1, 3)] * 100))
        self.assert_like_builtin(copies([(1, "a"), (1, b"a")] * 100))
        self.assert_like_builtin(copies([(1, (2,)), (1, 2)] * 100))

    def test_subclasses_and_other_objects_go_to_cpython(self):
        Point = namedtuple("Point", "x y")

        class Str(str):
            def __lt__(self, other):
                return str.__lt__(other, self)  # reversed order

        rng = random.Random(3)
        self.both_ways([Point(rng.randrange(5), rng.randrange(5)) for _ in range(300)])
        self.both_ways([(rng.randrange(3), Str(rng.choice("abc"))) for _ in range(300)])
        self.both_ways([(rng.randrange(3), None) if i else (1, 2) for i in range(300)])

    def test_key_producing_tuples(self):
        rng = random.Random(4)
        words = ["".join(rng.choice("abc") for _ in range(rng.randrange(4))) for _ in range(500)]
        self.both_ways(words, key=lambda w: (len(w), w))
        self.both_ways(words, key=lambda w: (w[:1], -len(w)))


class Large(TupleMixin, unittest.TestCase):
    """Lists long enough for the multi-threaded paths, with many duplicates."""

    def test_int_int(self):
        rng = random.Random(10)
        self.both_ways([(rng.randrange(100), rng.randrange(-(2**40), 2**40) >> rng.randrange(41))
                        for _ in range(LARGE)])

    def test_int_tuples_packed_and_too_wide_to_pack(self):
        rng = random.Random(13)
        # Spans of 2 x 63 bits do not fit one word; 4 small positions do; bools count as ints.
        wide = 2**62
        self.both_ways([(rng.randrange(-wide, wide) >> rng.randrange(63),
                         rng.randrange(-wide, wide)) for _ in range(LARGE)])
        self.both_ways([(rng.randrange(3), -rng.randrange(5), rng.random() < 0.5, rng.randrange(9))
                        for _ in range(LARGE)])
        self.both_ways([(-(2**63), 2**63 - 1), (2**63 - 1, -(2**63)), (0, 0)] * 100)

    def test_int_str_and_str_int(self):
        rng = random.Random(11)
        words = ["".join(rng.choice("ab\0é") for _ in range(rng.randrange(10)))
                 for _ in range(2000)]
        self.both_ways([(rng.randrange(50), rng.choice(words)) for _ in range(LARGE)])
        self.both_ways([(rng.choice(words), rng.randrange(50)) for _ in range(LARGE)])

    def test_nested_mixed_numbers_and_reverse_with_key(self):
        rng = random.Random(12)
        nums = [0, 1, 1.0, True, 2.5, -3, 2**70, -(2**70), 1e20]
        data = [((rng.choice(nums), rng.choice(b"xyz")), rng.choice(nums)) for _ in range(LARGE)]
        self.both_ways(data)
        self.both_ways(data, key=lambda t: (t[1], t[0]))


# One class per position, so that CPython never raises and the Rust path runs (mostly).
_scalars = {
    "int": st.integers(),
    "small": st.integers(-3, 3),
    "float": st.floats(allow_nan=False),
    "num": st.one_of(st.integers(-3, 3), st.floats(-3, 3), st.booleans()),
    "str": st.text(max_size=5),
    "bytes": st.binary(max_size=5),
}


@st.composite
def tuple_lists(draw):
    schema = draw(st.lists(st.sampled_from(sorted(_scalars)), max_size=4))
    nested = draw(st.booleans())

    def row():
        length = st.integers(0, len(schema))
        return length.flatmap(lambda k: st.tuples(*[_scalars[c] for c in schema[:k]]))

    rows = draw(st.lists(row(), min_size=1, max_size=40))
    if nested:
        rows = [(r, r[:1]) for r in rows]
    return rows


class Properties(TupleMixin, unittest.TestCase):
    @settings(max_examples=150, deadline=None)
    @given(tuple_lists(), st.booleans(), st.randoms(use_true_random=False))
    def test_matches_builtin(self, rows, reverse, rng):
        data = copies(rng.choice(rows) for _ in range(200))
        self.assert_like_builtin(data, reverse=reverse)


if __name__ == "__main__":
    unittest.main()
