"""Short lists, where fixed costs decide: sort.sorted / sort.sort against sorted() / list.sort.

    python benches/short_lists.py
    python benches/short_lists.py --sizes 128 256 --kinds int --shapes sorted --rounds 41

For n from 0 to 4096, ints, floats and strs, sorted, reversed, random, sorted with 3 pairs
of items swapped, sorted with one item moved to the end, two sorted halves of interleaved
values, and 200 different random lists sorted one after the other (`random-many`: sorting one
list again and again lets the branch predictor learn its comparisons), prints the median of ``builtin time / ours`` (> 1: ours is faster) over interleaved
rounds (for the swaps, the worst such median of 5 lists: the handover sample sees a few pairs
of a list, and a list it misjudges is the case to see). Each round times
``sorted(x)`` then ``sort.sorted(x)`` (and ``x.sort()`` then ``sort.sort(x)`` on the same
sorted copy, the in-place pair: a sorted list stays sorted), so the noise of a shared
machine hits both sides of a ratio alike. Also ``key=`` on the smallest sizes. A sorted list
of a few hundred items takes timsort well under a microsecond: that is the case the fixed
costs (the call, the arguments, the handover sample) are measured against.
"""

from __future__ import annotations

import argparse
import random
import statistics
import timeit
from typing import Any, Callable, List

import sort

SIZES = (0, 10, 100, 127, 128, 200, 256, 500, 1000, 2000, 4096)
KINDS = ("int", "float", "str")
SHAPES = ("sorted", "reversed", "random", "swaps-3", "append-1", "2 runs", "random-many")
# Lists sorted per call of the random-many row: each call sorts all of them, so no branch
# predictor learns one list's comparisons (as it does when one list is sorted again and again).
MANY = 200
# Lists timed per cell of the swaps row, the worst reported.
SWAPPED_LISTS = 5


def values(kind: str, n: int) -> List[Any]:
    if kind == "int":
        return [i * 7 - 1000 for i in range(n)]
    if kind == "float":
        return [i * 0.37 - 10.0 for i in range(n)]
    return [f"item-{i:06d}" for i in range(n)]


def shaped(kind: str, shape: str, n: int, rng: random.Random) -> List[Any]:
    x = values(kind, n)
    if shape == "reversed":
        x.reverse()
    elif shape == "random":
        rng.shuffle(x)
    elif shape == "swaps-3" and n:
        for _ in range(3):
            a, b = rng.randrange(n), rng.randrange(n)
            x[a], x[b] = x[b], x[a]
    elif shape == "append-1" and n > 1:
        x.append(x.pop(rng.randrange(n - 1)))  # sorted, then one item appended
    elif shape == "2 runs":
        rng.shuffle(x)
        x = sorted(x[:n // 2]) + sorted(x[n // 2:])
    return x


def ratio(builtin: Callable[[], Any], ours: Callable[[], Any], n: int, rounds: int,
          lists: int = 1) -> float:
    """Median over interleaved rounds of builtin time / our time."""
    number = max(5, 100_000 // (n + 20) // lists)
    ratios = []
    for _ in range(rounds):
        a = timeit.timeit(builtin, number=number)
        b = timeit.timeit(ours, number=number)
        ratios.append(a / b)
    return statistics.median(ratios)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--kinds", nargs="+", choices=KINDS, default=list(KINDS))
    parser.add_argument("--shapes", nargs="+", choices=SHAPES, default=list(SHAPES))
    parser.add_argument("--rounds", type=int, default=21)
    args = parser.parse_args()
    rng = random.Random(1)
    print(f"sort {sort.__version__}: builtin time / ours, median of {args.rounds} "
          "interleaved rounds (> 1: ours is faster)")
    print(f"{'kind':6} {'shape':9}" + "".join(f"{n:>7}" for n in args.sizes))
    for kind in args.kinds:
        for shape in args.shapes:
            cells = []
            for n in args.sizes:
                if shape == "random-many":
                    xs = [shaped(kind, "random", n, rng) for _ in range(MANY)]
                    cells.append(ratio(lambda: [sorted(x) for x in xs],
                                       lambda: [sort.sorted(x) for x in xs], n, args.rounds,
                                       MANY))
                    continue
                lists = SWAPPED_LISTS if shape == "swaps-3" and n > 1 else 1
                worst = float("inf")
                for _ in range(lists):
                    x = shaped(kind, shape, n, rng)
                    worst = min(worst, ratio(lambda: sorted(x), lambda: sort.sorted(x), n,
                                             args.rounds))
                cells.append(worst)
            print(f"{kind:6} {shape:9}" + "".join(f"{c:7.2f}" for c in cells))
        # In place, on a sorted list (it stays sorted from call to call).
        cells = []
        for n in args.sizes:
            x = values(kind, n)
            cells.append(ratio(lambda: x.sort(), lambda: sort.sort(x), n, args.rounds))
        print(f"{kind:6} {'in place':9}" + "".join(f"{c:7.2f}" for c in cells))
    small = [n for n in args.sizes if n <= 200]
    if small:
        print(f"\nkey=len on random strs ({', '.join(map(str, small))} items):")
        cells = []
        for n in small:
            x = shaped("str", "random", n, rng)
            cells.append(ratio(lambda: sorted(x, key=len), lambda: sort.sorted(x, key=len),
                               n, args.rounds))
        print(" ".join(f"{c:.2f}" for c in cells))


if __name__ == "__main__":
    main()
