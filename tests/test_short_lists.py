"""Lists of fewer than 128 items with no key (src/py_list/short.rs) give exactly sorted()'s
result.

Their keys are read once into pairs and sorted in Rust: by runs (in order, strictly
descending, a few runs merged), as words packed with their index (numbers within 2**57 of
one another), as pairs (wider numbers), or by binary insertion (strs, bytes). Every path must
give sorted()'s very objects in its order (equal values are held by distinct objects, so `is`
shows stability), and a list holding anything but one fast kind must be left to `list.sort`,
which then makes exactly its own comparisons.
"""

import builtins
import random
import threading
import unittest

import sort
from exactness import SameAsBuiltin, distinct_equal
from test_presorted import KINDS, ascending, shaped

SHAPES = (
    "sorted", "reversed", "descending", "append1", "append10", "prepend", "swaps1", "swaps3",
    "swaps12", "k=2", "k=3", "k=8", "k=9", "descending runs", "random",
)


def sort_both(data):
    """(sort.sorted(data), sorted(data))."""
    return sort.sorted(data), builtins.sorted(data)


def short_shaped(shape, data, rng):
    if shape == "random":
        data = list(data)
        rng.shuffle(data)
        return data
    return shaped(shape, data, rng)


class Exactness(SameAsBuiltin, unittest.TestCase):

    def test_every_size_shape_and_kind(self):
        rng = random.Random(21)
        for kind in KINDS:
            for n in range(2, 128):
                base = ascending(kind, n)
                for shape in SHAPES:
                    data = short_shaped(shape, base, rng)[:127]
                    with self.subTest(kind=kind, n=len(data), shape=shape):
                        self.check(data)
                        self.check(data, reverse=True)

    def test_numbers_far_apart(self):
        # Words more than 2**57 apart are not packed with their index: sorted as pairs.
        rng = random.Random(22)
        wide_ints = [-(2**63), 2**63 - 1, -1, 0, 1, 2**57, -(2**57), 2**62]
        wide_floats = [-1e300, 1e300, -0.0, 0.0, 1e-300, -1e-300, float("inf"),
                       float("-inf"), 0.5, -0.5]
        for values in (wide_ints, wide_floats):
            for case in range(200):
                n = rng.randrange(2, 128)
                data = [distinct_equal(rng.choice(values)) for _ in range(n)]
                with self.subTest(case=case, n=n):
                    self.check(data)
                    self.check(data, reverse=True)

    def test_duplicates_within_a_narrow_range(self):
        # Packed words: equal words are told apart by their index alone.
        rng = random.Random(23)
        for case in range(300):
            n = rng.randrange(2, 128)
            base = 10**12 * rng.choice((1, -1))
            data = [distinct_equal(base + rng.randrange(4)) for _ in range(n)]
            floats = [x / 3 for x in data]
            with self.subTest(case=case, n=n):
                self.check(data)
                self.check(data, reverse=True)
                self.check(floats)
                self.check(floats, reverse=True)

    def test_signed_zeros_are_equal(self):
        for data in ([0.0, -0.0], [-0.0, 0.0], [0.0, -0.0, -1.0, 0.0, -0.0],
                     [1.0, 0.0, -0.0, -1.0] * 10):
            with self.subTest(data=data):
                self.check(data)
                self.check(data, reverse=True)

    def test_on_the_smallest_thread_stack(self):
        # The pairs live on the stack (under 10 KB for 127 strs): fine on 32 KB, the least
        # `threading.stack_size` allows.
        rng = random.Random(25)
        data = [f"/srv/é/{rng.randrange(10**6):07d}" for _ in range(127)]
        floats = [rng.random() * (-1) ** i for i in range(127)]
        results = []
        old = threading.stack_size(32768)
        try:
            worker = threading.Thread(
                target=lambda: results.extend([sort_both(data), sort_both(floats)]))
            worker.start()
            worker.join()
        finally:
            threading.stack_size(old)
        self.assertEqual(len(results), 2)
        for (got, want) in results:
            self.assertSameObjects(got, want)

    def test_no_items_or_one(self):
        # No comparison is made: any object is fine, as in list.sort.
        for data in ([], [object()], [float("nan")], [{1: 2}]):
            with self.subTest(data=data):
                self.check(data)
                self.check(data, reverse=True)


class OtherKindsInside(SameAsBuiltin, unittest.TestCase):
    """An item of another kind anywhere in a short list: `list.sort` sorts it (or raises)
    exactly as it would have."""

    def check_intruder(self, base, intruder):
        for at in range(0, len(base) + 1, max(1, len(base) // 6)):
            data = base[:at] + [intruder] + base[at:]
            with self.subTest(intruder=intruder, n=len(data), at=at):
                self.check(data)
                self.check(data, reverse=True)
                self.check(data[::-1])

    def test_numbers_that_are_not_fast_keys(self):
        for n in (1, 5, 16, 40, 126):
            ints = ascending("int", n)
            self.check_intruder(ints, 0.5)
            self.check_intruder(ints, 2**64)
            self.check_intruder(ints, -(2**63) - 1)
            self.check_intruder(ints, True)
            self.check_intruder(ascending("float", n), 3)
            self.check_intruder(ascending("float", n), float("nan"))

    def test_strs(self):
        class Name(str):
            pass

        for n in (1, 5, 16, 40, 126):
            # Not ASCII: sorted here too, by code point.
            self.check_intruder(ascending("str", n), "/srv/data/0000/filé.txt")
            self.check_intruder(ascending("str", n), "/srv/data/0000/\U0001f600")
            self.check_intruder(ascending("str", n), Name("/srv/data/0000/a"))
            self.check_intruder(ascending("bytes", n), b"key:\xff")

    def test_incomparable_items_raise_as_sorted_does(self):
        for base in (ascending("int", 40), ascending("str", 40), ascending("bytes", 40)):
            for intruder in ("x", 1, b"x"):
                if type(intruder) is type(base[0]):
                    continue
                for at in (0, 20, 40):
                    with self.subTest(intruder=intruder, at=at):
                        self.assertRaisesAsSorted(base[:at] + [intruder] + base[at:])

    def test_user_comparisons_are_called_as_by_sorted(self):
        rng = random.Random(24)
        for n in (2, 10, 60, 127):
            data = [rng.randrange(1000) for _ in range(n - 1)]
            at = rng.randrange(n)
            with self.subTest(n=n):
                self.assertComparesAsSorted(lambda loud: data[:at] + [loud(500)] + data[at:])


if __name__ == "__main__":
    unittest.main()
