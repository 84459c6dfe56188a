"""Lists that start in order (src/py_list/presorted.rs) give exactly sorted()'s result.

A list the handover sample gives to timsort has its runs read first: an already sorted or
reversed list is then done, a few runs are merged, and a batch of items after long runs is
sorted by `list.sort` alone before the merge. Whatever happens, the result must be
sorted()'s object for object (equal values are held by distinct objects, so `is` shows
stability), and a list that holds anything else than one fast kind must be sorted by
`list.sort` making exactly its own comparisons.
"""

import builtins
import random
import unittest

import sort
from exactness import SameAsBuiltin, distinct_equal, sorted_runs, swap_pairs

SIZES = (128, 1000, 5000)


def ascending(kind, n):
    """n non-descending values of `kind`, each value twice (distinct equal objects)."""
    half = (n + 1) // 2
    if kind == "int":
        # Small, one-digit, two-digit and 64-bit ints, negative ones too.
        base = [(i - half // 2) * (2**52 // half) for i in range(half)]
    elif kind == "small int":
        base = [i - half // 2 for i in range(half)]
    elif kind == "float":
        base = [(i - half // 2) / 7 for i in range(half)]
        base[half // 2] = -0.0  # equal to 0.0, which follows it in a sorted list
        base[-1] = float("inf")
    elif kind == "str":
        base = [f"/srv/data/{i // 50:04d}/file{i:06d}.txt" for i in range(half)]
    elif kind == "bytes":
        base = [b"key:%08d" % i for i in range(half)]
    elif kind == "text":
        # Mostly ASCII, with 1-, 2- and 4-byte characters (compared by code point, as Python
        # does, which UTF-8 bytes would not tell from a prefix of another str's).
        marks = ("", "é", "", "中", "", "\U0001f600", "ÿ", "")
        base = sorted(f"line {i // 8:05d} {marks[i % 8]}" for i in range(half))
    else:
        raise ValueError(kind)
    out = []
    for v in base:
        out += [v, distinct_equal(v)]
    return out[:n]


def shaped(shape, data, rng):
    data = list(data)
    n = len(data)
    if shape == "sorted":
        return data
    if shape == "reversed":  # equal neighbours: not one strictly descending run
        return data[::-1]
    if shape == "descending":  # strictly: timsort reverses it as one run
        return builtins.sorted(set(data), reverse=True)
    if shape.startswith("append"):
        extra = [distinct_equal(data[rng.randrange(n)]) for _ in range(int(shape[6:]))]
        return data + extra
    if shape == "prepend":
        return [distinct_equal(data[rng.randrange(n)])] + data
    if shape.startswith("swaps"):
        return swap_pairs(data, int(shape[5:]), rng)
    if shape.startswith("k="):
        rng.shuffle(data)
        return sorted_runs(data, int(shape[2:]))
    if shape == "descending runs":
        return sorted_runs(data, 4, reverse=True)
    raise ValueError(shape)


KINDS = ("int", "small int", "float", "str", "bytes", "text")
SHAPES = (
    "sorted", "reversed", "descending", "append1", "append10", "append300", "prepend",
    "swaps1", "swaps3", "swaps12", "k=2", "k=3", "k=16", "k=17", "k=40", "descending runs",
)


class Exactness(SameAsBuiltin, unittest.TestCase):

    def test_shapes_of_every_fast_kind(self):
        rng = random.Random(11)
        for kind in KINDS:
            for n in SIZES:
                base = ascending(kind, n)
                for shape in SHAPES:
                    data = shaped(shape, base, rng)
                    with self.subTest(kind=kind, n=n, shape=shape):
                        self.check(data)
                        self.check(data, reverse=True)

    def test_many_lists_with_a_few_items_out_of_place(self):
        # Every place a misplaced item can fall, against sorted(): runs of one item, runs that
        # end where the next begins, equal items on both sides of a run boundary.
        rng = random.Random(12)
        for kind in ("int", "float", "str", "text"):
            base = ascending(kind, 300)
            for case in range(150):
                shape = rng.choice(("swaps1", "swaps3", "append3", "prepend"))
                data = shaped(shape, base, rng)
                with self.subTest(kind=kind, case=case, shape=shape):
                    self.check(data)
                    self.check(data, reverse=rng.random() < 0.5)

    def test_a_sorted_list_is_left_as_it_is(self):
        data = ascending("int", 5000)
        before = list(data)
        sort.sort(data)
        self.assertSameObjects(data, before)


class OtherKindsInside(SameAsBuiltin, unittest.TestCase):
    """One item of another kind in a sorted list, where the sample does not look: the list
    goes to `list.sort`, which sorts it (or raises) exactly as it would have."""

    def check_intruder(self, base, intruder):
        for at in (len(base) // 3, len(base) - 7, len(base)):
            data = base[:at] + [intruder] + base[at:]
            with self.subTest(intruder=intruder, at=at):
                for reverse in (False, True):
                    want = builtins.sorted(data, reverse=reverse)
                    self.assertSameObjects(sort.sorted(data, reverse=reverse), want)

    def test_numbers_that_are_not_fast_keys(self):
        ints = ascending("int", 2000)
        self.check_intruder(ints, 0.5)
        self.check_intruder(ints, 2**64)
        self.check_intruder(ints, -(2**63) - 1)
        self.check_intruder(ints, True)
        self.check_intruder(ascending("float", 2000), 3)

    def test_strs_that_are_not_ascii(self):
        # Read by run too: compared by code point, as sorted() compares them.
        self.check_intruder(ascending("str", 2000), "/srv/data/0001/filé.txt")
        self.check_intruder(ascending("str", 2000), "/srv/data/0001/\U0001f600")
        self.check_intruder(ascending("text", 2000), "line 00010 \x80")

    def test_str_subclass(self):
        class Name(str):
            pass

        self.check_intruder(ascending("str", 2000), Name("/srv/data/0001/a"))

    def test_a_nan(self):
        # NaN makes the order depend on the comparisons made: only timsort's own give
        # sorted()'s result.
        floats = ascending("float", 2000)
        for at in (500, 1990):
            data = floats[:at] + [float("nan")] + floats[at:]
            want = builtins.sorted(data)
            self.assertSameObjects(sort.sorted(data), want)

    def test_incomparable_items_raise_as_sorted_does(self):
        for base in (ascending("int", 2000), ascending("int", 2000)[::-1]):
            for at in (100, 1000, 1990):
                with self.subTest(at=at):
                    self.assertRaisesAsSorted(base[:at] + ["x"] + base[at:])

    def test_user_comparisons_are_called_as_by_sorted(self):
        for at in (100, 1990):
            data = list(range(1000, 3000))
            with self.subTest(at=at):
                self.assertComparesAsSorted(lambda loud: data[:at] + [loud(1500)] + data[at:])


if __name__ == "__main__":
    unittest.main()
