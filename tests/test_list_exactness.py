"""Each of CPython's sorting rules, checked by name, on small and native-path (large) lists."""

import builtins
import math
import random
import unittest

import sort

# Sizes below and above the small-list shortcut, and above the parallel threshold (32k).
SIZES = (10, 200, 40_000)


class ExactnessMixin:
    def assert_same_objects(self, got, expected):
        self.assertEqual(len(got), len(expected))
        mismatches = [i for i, (a, b) in enumerate(zip(got, expected)) if a is not b]
        self.assertEqual(mismatches[:5], [], "objects differ from the builtin's")

    def assert_like_builtin(self, data, **kwargs):
        expected = builtins.sorted(data, **kwargs)
        self.assert_same_objects(sort.sorted(data, **kwargs), expected)
        in_place = list(data)
        sort.sort(in_place, **kwargs)
        self.assert_same_objects(in_place, expected)
        return expected


class Stability(ExactnessMixin, unittest.TestCase):
    def test_equal_keys_keep_their_input_order(self):
        rng = random.Random(1)
        for n in SIZES:
            records = [(rng.randrange(10), i) for i in range(n)]
            got = sort.sorted(records, key=lambda r: r[0])
            self.assertEqual(got, builtins.sorted(records, key=lambda r: r[0]))
            for a, b in zip(got, got[1:]):
                if a[0] == b[0]:
                    self.assertLess(a[1], b[1])

    def test_reverse_keeps_equal_elements_in_input_order(self):
        rng = random.Random(2)
        for n in SIZES:
            records = [(rng.randrange(10), i) for i in range(n)]
            got = sort.sorted(records, key=lambda r: r[0], reverse=True)
            for a, b in zip(got, got[1:]):
                self.assertGreaterEqual(a[0], b[0])
                if a[0] == b[0]:
                    self.assertLess(a[1], b[1])
            self.assert_like_builtin(records, key=lambda r: r[0], reverse=True)

    def test_equal_but_distinct_objects_keep_order_both_ways(self):
        for n in SIZES:
            # Distinct int objects of equal value (beyond the small-int cache).
            data = [int(str(10**6 + (i % 3))) for i in range(n)]
            for reverse in (False, True):
                self.assert_like_builtin(data, reverse=reverse)

    def test_sorted_and_reversed_inputs(self):
        for n in SIZES:
            up = list(range(n))
            for data in (up, up[::-1], [5] * n, up + up):
                for reverse in (False, True):
                    self.assert_like_builtin(data, reverse=reverse)


class Numbers(ExactnessMixin, unittest.TestCase):
    def test_int64_range_and_beyond(self):
        rng = random.Random(3)
        for n in SIZES:
            for bits in (8, 62, 63, 64, 65, 200):
                data = [rng.randrange(-(2**bits), 2**bits) for _ in range(n)]
                data += [-(2**63), 2**63 - 1, 2**63, -(2**63) - 1]
                for reverse in (False, True):
                    self.assert_like_builtin(data, reverse=reverse)

    def test_int_above_float_with_the_same_rounding(self):
        for n in SIZES:
            data = [2**53 + 1, 2.0**53] * (n // 2)
            got = self.assert_like_builtin(data)
            self.assertEqual(got[0], 2.0**53)
            self.assertIs(type(got[0]), float)
            self.assertIs(type(got[-1]), int)

    def test_true_one_and_one_point_zero_keep_types_and_order(self):
        for n in SIZES:
            data = [1.0, True, 1, 0, False, 0.0] * (n // 6 + 1)
            for reverse in (False, True):
                got = self.assert_like_builtin(data, reverse=reverse)
                ones = [type(x) for x in got if x == 1]
                self.assertEqual(ones[:3], [float, bool, int])

    def test_negative_and_positive_zero_are_equal_and_keep_order(self):
        for n in SIZES:
            data = [0.0, -0.0, 1.5, -1.5] * (n // 4)
            for reverse in (False, True):
                got = self.assert_like_builtin(data, reverse=reverse)
                zeros = [math.copysign(1, x) for x in got if x == 0]
                self.assertEqual(zeros[:4], [1, -1, 1, -1])

    def test_nan_gives_what_the_builtin_gives(self):
        rng = random.Random(4)
        for n in SIZES:
            data = [rng.random() for _ in range(n)]
            for i in range(0, n, 7):
                data[i] = math.nan
            for reverse in (False, True):
                self.assert_like_builtin(data, reverse=reverse)

    def test_infinities_and_extremes(self):
        for n in SIZES:
            data = [math.inf, -math.inf, 5e-324, -5e-324, 1.7976931348623157e308, 0.0] * (n // 6)
            for reverse in (False, True):
                self.assert_like_builtin(data, reverse=reverse)


class Text(ExactnessMixin, unittest.TestCase):
    def test_str_by_code_point(self):
        rng = random.Random(5)
        alphabet = "aZ\x00\x7f\xe9\u0800\uffff\U00010000\U0010ffff"
        for n in SIZES:
            data = ["".join(rng.choices(alphabet, k=rng.randrange(12))) for _ in range(n)]
            for reverse in (False, True):
                self.assert_like_builtin(data, reverse=reverse)

    def test_lone_surrogates(self):
        for n in SIZES:
            data = ["\ud800", "\udfff", "a", "\U00010000", "\uffff", "\ud800x"] * (n // 6)
            got = self.assert_like_builtin(data)
            # Code point order: U+10000 is above every surrogate and U+FFFF.
            self.assertEqual(got[-1], "\U00010000")
            self.assert_like_builtin(data, reverse=True)

    def test_eight_byte_prefix_ties(self):
        for n in SIZES:
            data = ["abcdefgh" + s for s in ("z", "", "\x00", "a", "zz")] * (n // 5)
            data += ["a", "a\x00", "a\x00\x00"]
            for reverse in (False, True):
                self.assert_like_builtin(data, reverse=reverse)

    def test_bytes(self):
        rng = random.Random(6)
        for n in SIZES:
            data = [bytes(rng.choices(b"\x00\x01\xfe\xff", k=rng.randrange(12))) for _ in range(n)]
            for reverse in (False, True):
                self.assert_like_builtin(data, reverse=reverse)

    def test_str_and_bytes_mixed_raise_like_the_builtin(self):
        for n in SIZES:
            data = ["a", b"a"] * (n // 2)
            with self.assertRaises(TypeError):
                builtins.sorted(data)
            with self.assertRaises(TypeError):
                sort.sorted(data)


class Counted:
    """Compares through `value`; records which rich comparisons were used."""

    used = set()

    def __init__(self, value):
        self.value = value

    def __lt__(self, other):
        Counted.used.add("__lt__")
        return self.value < other.value

    def __gt__(self, other):
        raise AssertionError("__gt__ used")

    def __le__(self, other):
        raise AssertionError("__le__ used")

    def __ge__(self, other):
        raise AssertionError("__ge__ used")

    def __eq__(self, other):
        raise AssertionError("__eq__ used")

    __hash__ = object.__hash__


class BackwardsInt(int):
    """An int subclass whose order is reversed: its `__lt__` must be honoured."""

    def __lt__(self, other):
        return int(other) < int(self)


class BackwardsStr(str):
    def __lt__(self, other):
        return str(other) < str(self)


class Boom(Exception):
    pass


class Exploding:
    def __init__(self, value, explode_at):
        self.value, self.explode_at = value, explode_at

    def __lt__(self, other):
        if self.value == self.explode_at or other.value == self.explode_at:
            raise Boom
        return self.value < other.value


class Objects(ExactnessMixin, unittest.TestCase):
    def test_subclass_overriding_lt_is_honoured(self):
        rng = random.Random(7)
        for n in SIZES:
            ints = [BackwardsInt(rng.randrange(100)) for _ in range(n)]
            got = self.assert_like_builtin(ints)
            self.assertGreaterEqual(int(got[0]), int(got[-1]))
            strs = [BackwardsStr(rng.randrange(100)) for _ in range(n)]
            self.assert_like_builtin(strs)
            # A subclass hidden among exact ints also sends the list to CPython's sort.
            mixed = list(range(n)) + [BackwardsInt(5)]
            self.assert_like_builtin(mixed)

    def test_only_lt_is_used(self):
        rng = random.Random(8)
        for n in SIZES:
            data = [Counted(rng.randrange(50)) for _ in range(n)]
            Counted.used.clear()
            for key in (None, lambda c: c):
                for reverse in (False, True):
                    self.assert_like_builtin(data, key=key, reverse=reverse)
            self.assertEqual(Counted.used, {"__lt__"})

    def test_comparison_exception_propagates_and_leaves_the_list_as_list_sort_does(self):
        rng = random.Random(9)
        for n in SIZES:
            values = list(range(n))
            rng.shuffle(values)
            for key in (None, lambda x: x):
                for reverse in (False, True):
                    data = [Exploding(v, explode_at=n // 2) for v in values]
                    ours, theirs = list(data), list(data)
                    with self.assertRaises(Boom):
                        sort.sort(ours, key=key, reverse=reverse)
                    with self.assertRaises(Boom):
                        theirs.sort(key=key, reverse=reverse)
                    self.assert_same_objects(ours, theirs)
                    with self.assertRaises(Boom):
                        sort.sorted(data, key=key, reverse=reverse)

    def test_unorderable_mix_raises_type_error(self):
        for n in SIZES:
            data = [1, "a", None] * (n // 3)
            for key in (None, lambda x: x):
                ours, theirs = list(data), list(data)
                with self.assertRaises(TypeError):
                    sort.sort(ours, key=key)
                with self.assertRaises(TypeError):
                    theirs.sort(key=key)
                self.assert_same_objects(ours, theirs)

    def test_tuples_and_none_fall_back_exactly(self):
        rng = random.Random(10)
        for n in SIZES:
            data = [(rng.randrange(3), rng.choice("ab")) for _ in range(n)]
            for reverse in (False, True):
                self.assert_like_builtin(data, reverse=reverse)
            maybe = [rng.choice([None, 1]) for _ in range(n)]
            self.assert_like_builtin(maybe, key=lambda x: x is None)


if __name__ == "__main__":
    unittest.main()
