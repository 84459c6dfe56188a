"""The fixed cost of a `sort.sort` call on a small buffer, step by step, against numpy.

    python benches/small_fixed_cost.py
    python benches/small_fixed_cost.py --base /tmp/base   # /tmp/base/sort_base: an older build

On an already sorted int64 array of n = 1 and n = 100, the median time per call of:
`sort.sort(b)` (the public C function, which parses keywords), `_sort.sort_buffer(b, False, None)`
(the Rust entry alone), `memoryview(b)` (what a buffer export costs numpy) and numpy's
`b.sort()`. Rounds of every case alternate, so the noise of a shared machine hits all of them.
With `--base`, the same calls of an older build are interleaved too: copy its installed `sort`
package directory to `<dir>/sort_base` (the compiled module loads under any package name).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import timeit

import numpy

import sort
from sort import _sort


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base", help="a directory holding an older build as `sort_base`")
    parser.add_argument("--rounds", type=int, default=21)
    parser.add_argument("--number", type=int, default=20_000)
    args = parser.parse_args()
    base = None
    if args.base:
        sys.path.insert(0, args.base)
        import sort_base as base  # noqa: E402 (found only once --base is on the path)
    print(f"sort {sort.__version__} from {sort.__file__}")
    for n in (1, 100):
        b = numpy.arange(n, dtype=numpy.int64)
        cases = [
            ("sort.sort(b)", lambda: sort.sort(b)),
            ("_sort.sort_buffer(b, False, None)", lambda: _sort.sort_buffer(b, False, None)),
        ]
        if base is not None:
            cases += [
                ("base: sort.sort(b)", lambda: base.sort(b)),
                ("base: _sort.sort_buffer(b, False, None)",
                 lambda: base._sort.sort_buffer(b, False, None)),
            ]
        cases += [("memoryview(b)", lambda: memoryview(b)), ("numpy b.sort()", lambda: b.sort())]
        times = {name: [] for name, _ in cases}
        for _ in range(args.rounds):
            for name, fn in cases:
                times[name].append(timeit.timeit(fn, number=args.number) / args.number)
        print(f"-- sorted int64, n = {n}: median us per call")
        for name, _ in cases:
            print(f"{name:42} {statistics.median(times[name]) * 1e6:7.3f}")


if __name__ == "__main__":
    main()
