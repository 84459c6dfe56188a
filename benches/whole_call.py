"""A whole `sort.sorted` call on 1 thread and on 2, against `sorted()`, at 1e6 random items.

    python benches/whole_call.py                    # ints in the int64 range, floats, 8-char strs
    python benches/whole_call.py --n 1000000 --rounds 21

Each round times, one after the other on the same list: `sort.sorted(xs, threads=1)`,
`sort.sorted(xs, threads=2)`, `sorted(xs)`, then `sort.sort` in place on fresh copies with 1 and
2 threads. The result is kept alive until after the timer stops: freeing a 1e6-item list takes
~8 ms on one thread, which `sorted()` pays too but which is not part of the call. Medians over
the rounds; the ratios are threads=1 / threads=2 and sorted() / threads=2.
Run it from outside the checkout on a release build (`pip install .`).
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import time
from typing import Callable, Dict, List

import sort


def timed(call: Callable[[], object]) -> float:
    """Seconds taken by `call`, whose result is freed only after the timer stopped."""
    start = time.perf_counter()
    result = call()
    elapsed = time.perf_counter() - start
    del result
    return elapsed


def timed_in_place(data: List[object], threads: int) -> float:
    """Seconds taken by `sort.sort` on a fresh copy of `data` (the copy is not timed)."""
    copy = list(data)
    start = time.perf_counter()
    sort.sort(copy, threads=threads)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10**6)
    parser.add_argument("--rounds", type=int, default=11)
    args = parser.parse_args()
    rng = random.Random(1)
    n = args.n
    kinds: Dict[str, List[object]] = {
        "int64": [rng.randrange(-(2**63), 2**63) for _ in range(n)],
        "float": [rng.random() for _ in range(n)],
        "str8": ["".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=8)) for _ in range(n)],
    }
    print(f"sort {sort.__version__}, n = {n}, {args.rounds} rounds; medians in ms")
    for name, data in kinds.items():
        columns: Dict[str, List[float]] = {k: [] for k in ("1", "2", "builtin", "in1", "in2")}
        for _ in range(args.rounds):
            gc.disable()
            try:
                columns["1"].append(timed(lambda: sort.sorted(data, threads=1)))
                columns["2"].append(timed(lambda: sort.sorted(data, threads=2)))
                columns["builtin"].append(timed(lambda: sorted(data)))
                columns["in1"].append(timed_in_place(data, 1))
                columns["in2"].append(timed_in_place(data, 2))
            finally:
                gc.enable()
        one, two, builtin, in1, in2 = (statistics.median(columns[k]) * 1e3 for k in columns)
        print(
            f"{name:6} sort.sorted threads=1 {one:7.1f}  threads=2 {two:7.1f}  "
            f"2 vs 1 {one / two:4.2f}x  sorted() {builtin:7.1f} ({builtin / two:4.1f}x)  |  "
            f"sort.sort in place threads=1 {in1:7.1f}  threads=2 {in2:7.1f}  {in1 / in2:4.2f}x"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
