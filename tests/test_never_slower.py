"""The handover to CPython's sort (src/py_list/handover.rs) gives exactly sorted()'s result.

Inputs made of few long runs, nearly sorted lists, lists that fail classification late and
short lists of encoded kinds are sorted by CPython's own `list.sort` after a small sample; the
rest by the Rust kernels. Either way the result must be sorted()'s, object for object: these
tests check identity (`is`), stability (equal keys held by distinct objects), `reverse=` and
`key=`, at sizes that reach the multi-threaded paths (>= 2**18 items).
"""

import builtins
import random
import unittest

import sort
from exactness import SameAsBuiltin, distinct_equal, sorted_runs, swap_pairs

N = 1 << 18


def values(kind, n, rng):
    """n increasing values of a kind, with every value twice (distinct equal objects)."""
    half = n // 2
    if kind == "int":
        base = [i * 3 - 10**6 for i in range(half)]
    elif kind == "float":
        base = [i * 0.25 - 1e4 for i in range(half)]
    elif kind == "str":
        base = [f"/usr/lib/python3/dist-packages/pkg{i // 100:05d}/mod{i:07d}.py" for i in range(half)]
    elif kind == "bytes":
        base = [f"/var/log/{i:08d}".encode() for i in range(half)]
    elif kind == "tuple":
        base = [(i // 3, f"n{i:07d}") for i in range(half)]
    elif kind == "mixed":
        base = [i if i % 2 else i + 0.5 for i in range(half)]
    elif kind == "bigint":
        base = [2**70 + i * 2**10 for i in range(half)]
    else:
        raise ValueError(kind)
    out = []
    for v in base:
        out.append(v)
        out.append(distinct_equal(v))
    return out


def shaped(shape, data, rng):
    data = list(data)
    n = len(data)
    if shape == "sorted":
        return data
    if shape == "reversed":
        return data[::-1]
    if shape == "swaps":
        return swap_pairs(data, n // 100, rng)
    if shape.startswith("k="):
        rng.shuffle(data)
        return sorted_runs(data, int(shape[2:]))
    if shape == "runs20":
        # Walk order: short sorted runs, the list nearly in order as a whole.
        out = []
        for j in range(0, n, 20):
            chunk = data[j:j + 20]
            rng.shuffle(chunk)
            out.extend(builtins.sorted(chunk))
        return out
    if shape == "jitter8":
        # Every item up to 8 places from its own (events logged a little out of order): short
        # runs, the list in order at every distance past 8.
        order = builtins.sorted(range(n), key=lambda i: i + rng.random() * 8)
        return [data[i] for i in order]
    raise ValueError(shape)


KINDS = ("int", "float", "str", "bytes", "tuple", "mixed", "bigint")
SHAPES = ("sorted", "reversed", "swaps", "k=2", "k=16", "k=1000", "runs20", "jitter8")


class HandoverExactness(SameAsBuiltin, unittest.TestCase):

    def test_shapes_of_every_kind(self):
        rng = random.Random(7)
        for kind in KINDS:
            base = values(kind, N, rng)
            for shape in SHAPES:
                data = shaped(shape, base, rng)
                with self.subTest(kind=kind, shape=shape):
                    self.check(data)
                    self.check(data, reverse=True)

    def test_short_lists_with_a_few_items_out_of_place(self):
        # Under ~16,000 items the sample is a few pairs, and a list like these goes one way or
        # the other depending on where its misplaced items fall: both must give sorted()'s.
        rng = random.Random(9)
        for kind in ("int", "float", "str"):
            for n in (128, 200, 1000, 5000):
                base = values(kind, n, rng)
                for swaps in (1, 3, 8):
                    for _ in range(8):
                        data = list(base)
                        for _ in range(swaps):
                            a, b = rng.randrange(n), rng.randrange(n)
                            data[a], data[b] = data[b], data[a]
                        with self.subTest(kind=kind, n=n, swaps=swaps):
                            self.check(data)
                            self.check(data, reverse=True)

    def test_key_functions(self):
        rng = random.Random(8)
        for kind in ("int", "str", "tuple"):
            base = values(kind, N, rng)
            for shape in ("sorted", "reversed", "k=16", "runs20"):
                data = shaped(shape, base, rng)
                with self.subTest(kind=kind, shape=shape):
                    self.check(data, key=lambda x: x)
                    self.check(data, key=repr, reverse=True)
                    self.check(data, key=lambda x: (0, x), reverse=True)

    def test_key_is_called_once_per_item_in_order(self):
        data = list(range(N))
        calls = []

        def key(x):
            calls.append(x)
            return x

        self.assertSameObjects(sort.sorted(data, key=key), data)
        self.assertSameObjects(calls, data)

    def test_short_encoded_kinds(self):
        rng = random.Random(9)
        for kind in ("tuple", "mixed", "bigint"):
            data = values(kind, 100_000, rng)
            rng.shuffle(data)
            with self.subTest(kind=kind):
                self.check(data)
                self.check(data, reverse=True)


class LateFailures(SameAsBuiltin, unittest.TestCase):
    def test_int_list_ending_with_a_str_raises_as_sorted_does(self):
        self.assertRaisesAsSorted(list(range(N, 0, -1)) + ["x"])

    def test_float_list_ending_with_a_nan(self):
        rng = random.Random(10)
        data = [rng.random() for _ in range(N)] + [float("nan")]
        want = builtins.sorted(data)
        got = sort.sorted(data)
        self.assertEqual(len(got), len(want))
        self.assertTrue(all(a is b for a, b in zip(got, want)))

    def test_str_list_ending_with_bytes(self):
        data = [f"k{i}" for i in range(N)] + [b"x"]
        with self.assertRaises(TypeError):
            sort.sorted(data)


class SampleCallsNoPythonCode(unittest.TestCase):
    """The run sample compares only builtin values: a user `__lt__` is called exactly as often
    as by sorted() (the comparisons are CPython's own)."""

    def test_user_objects_inside_tuples(self):
        counts = {"lt": 0, "eq": 0}

        class Quiet:
            def __init__(self, v):
                self.v = v

            def __lt__(self, other):
                counts["lt"] += 1
                return self.v < other.v

            def __eq__(self, other):
                counts["eq"] += 1
                return self.v == other.v

            __hash__ = None

        data = [(i // 2, Quiet(i)) for i in range(1000)]
        builtins.sorted(data)
        want = dict(counts)
        counts.update(lt=0, eq=0)
        sort.sorted(data)
        self.assertEqual(counts, want)

    def test_subclass_of_int(self):
        calls = []

        class Loud(int):
            def __lt__(self, other):
                calls.append(1)
                return int(self) < int(other)

        data = [Loud(i) for i in range(1000)]
        builtins.sorted(data)
        want = len(calls)
        calls.clear()
        sort.sorted(data)
        self.assertEqual(len(calls), want)


if __name__ == "__main__":
    unittest.main()
