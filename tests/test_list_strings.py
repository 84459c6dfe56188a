"""The string sort on its multi-threaded paths: lists of >= 2**18 strs or bytes.

Shapes that real data has and that the whole-string sort must get exactly right: long shared
prefixes (URLs, paths), duplicates, strings that are prefixes of each other, embedded NULs,
non-ASCII text. Every result is compared with sorted() object by object (`is`), which checks
stability too: equal strings are distinct objects, and must come out in input order.
"""

import random
import unittest

import sort

N = 2**18 + 1000  # above the threshold from which the list sort uses several threads


def distinct_copies(strings):
    """Fresh, distinct objects with the same values, so that `is` sees stability."""
    return [(s + "\0")[:-1] if isinstance(s, str) else bytes(bytearray(s)) for s in strings]


def urls(rng, n):
    words = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"]
    return [f"https://www.example.com/{rng.choice(words)}/{rng.choice(words)}?id={rng.randrange(3000)}"
            for _ in range(n)]


def long_prefix(rng, n):
    prefix = "/" + "shared-directory/" * 40  # 681 characters that every string shares
    return [prefix + str(rng.randrange(500)) + "x" * rng.randrange(3) for _ in range(n)]


def prefixes_and_nuls(rng, n):
    return ["".join(rng.choice("a\0b") for _ in range(rng.randrange(12))) for _ in range(n)]


def non_ascii(rng, n):
    return ["/" + "".join(rng.choice("aé\u07ff\u0800\uffff\U00010348z") for _ in range(rng.randrange(6)))
            for _ in range(n)]


SHAPES = {
    "urls": urls,
    "long shared prefix": long_prefix,
    "prefixes of each other, NULs": prefixes_and_nuls,
    "non-ASCII": non_ascii,
}


class ParallelStrings(unittest.TestCase):
    def assert_same_objects(self, got, expected):
        self.assertEqual(len(got), len(expected))
        mismatch = next((i for i, (a, b) in enumerate(zip(got, expected)) if a is not b), None)
        self.assertIsNone(mismatch, f"first object out of place at index {mismatch}")

    def check(self, data, **kwargs):
        for reverse in (False, True):
            for threads in (1, 2, 3):
                with self.subTest(reverse=reverse, threads=threads, **{k: str(v) for k, v in kwargs.items()}):
                    expected = sorted(data, reverse=reverse, **kwargs)
                    self.assert_same_objects(sort.sorted(data, reverse=reverse, threads=threads, **kwargs),
                                             expected)
                    lst = list(data)
                    self.assertIsNone(sort.sort(lst, reverse=reverse, threads=threads, **kwargs))
                    self.assert_same_objects(lst, expected)

    def test_str_shapes(self):
        for name, make in SHAPES.items():
            with self.subTest(shape=name):
                self.check(distinct_copies(make(random.Random(name), N)))

    def test_bytes_shapes(self):
        for name, make in SHAPES.items():
            with self.subTest(shape=name):
                data = [s.encode("utf-8") for s in make(random.Random(name), N)]
                self.check(distinct_copies(data))

    def test_key_function_giving_strings(self):
        rng = random.Random(5)
        items = [(i, u) for i, u in enumerate(urls(rng, N))]
        self.check(items, key=lambda t: t[1])

    def test_sorted_reversed_and_all_equal(self):
        data = distinct_copies(sorted(long_prefix(random.Random(1), N)))
        self.check(data)
        self.check(data[::-1])
        self.check(distinct_copies(["the same string, longer than a chunk"] * N))
        self.check(distinct_copies([""] * N))


if __name__ == "__main__":
    unittest.main()
