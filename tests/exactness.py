"""Helpers for tests that compare sort's results with the builtins' object for object."""

import builtins

import sort


def swap_pairs(data, count, rng):
    """`data` with `count` random pairs of items swapped, in place; returned."""
    n = len(data)
    for _ in range(count):
        a, b = rng.randrange(n), rng.randrange(n)
        data[a], data[b] = data[b], data[a]
    return data


def sorted_runs(data, k, reverse=False):
    """`data` cut into k equal parts, each sorted, concatenated."""
    size = -(-len(data) // k)
    runs = (data[j * size:(j + 1) * size] for j in range(k))
    return [v for run in runs for v in builtins.sorted(run, reverse=reverse)]


def distinct_equal(value):
    """A new object equal to `value` (so that stability is visible through `is`)."""
    if isinstance(value, str):
        return "".join(list(value))
    if isinstance(value, bytes):
        return bytes(bytearray(value))
    if isinstance(value, float):
        return float(repr(value))
    if isinstance(value, int):
        return int(str(value)) if abs(value) > 256 else value
    if isinstance(value, tuple):
        return tuple(distinct_equal(v) for v in value)
    return value


class SameAsBuiltin:
    """A unittest.TestCase mixin: `check` sorts `data` with sort.sorted and sort.sort and
    asserts the very objects sorted() gives, in its order."""

    def assertSameObjects(self, got, want):
        self.assertEqual(len(got), len(want))
        for i, (a, b) in enumerate(zip(got, want)):
            if a is not b:
                self.fail(f"item {i}: {a!r} is not {b!r}")

    def check(self, data, **kwargs):
        want = builtins.sorted(data, **kwargs)
        self.assertSameObjects(sort.sorted(data, **kwargs), want)
        copy = list(data)
        self.assertIsNone(sort.sort(copy, **kwargs))
        self.assertSameObjects(copy, want)

    def assertRaisesAsSorted(self, data, exception=TypeError):
        """sort.sorted(data) raises what sorted(data) raises, with the same message."""
        with self.assertRaises(exception) as theirs:
            builtins.sorted(data)
        with self.assertRaises(exception) as ours:
            sort.sorted(data)
        self.assertEqual(str(ours.exception), str(theirs.exception))

    def assertComparesAsSorted(self, make_data):
        """sort.sorted calls the `__lt__` of an int subclass in `make_data(Loud)`'s list exactly
        as sorted() does, and gives its result."""
        calls = []

        class Loud(int):
            def __lt__(self, other):
                calls.append((int(self), int(other)))
                return int(self) < int(other)

        data = make_data(Loud)
        want = builtins.sorted(data)
        want_calls = list(calls)
        calls.clear()
        self.assertSameObjects(sort.sorted(data), want)
        self.assertEqual(calls, want_calls)
