"""Fixed cost of `sort.sort` on small numpy arrays, against numpy's in-place `a.sort()`.

    python benches/small_buffers.py                 # n = 10, 100, 1000, 10000
    python benches/small_buffers.py --sizes 100 --batches 401 --dtype float64

timeit-style: a batch sorts `copies` fresh copies of the same random data one after the other
(the copies are made before the batch, not timed) and the time per call is the batch time over
`copies`. Batches of `sort.sort` and of numpy alternate, so noise from the shared machine hits
both; the figures are medians over the batches and the ratio is ours / numpy (< 1: faster).
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time

import numpy

import sort


def data(dtype: str, n: int) -> numpy.ndarray:
    rng = numpy.random.default_rng(n)
    if dtype == "float64":
        return rng.random(n)
    info = numpy.iinfo(dtype)
    return rng.integers(info.min, info.max, n, dtype=dtype, endpoint=True)


def batch(fn, source: numpy.ndarray, copies: int) -> float:
    arrays = [source.copy() for _ in range(copies)]
    gc.disable()
    try:
        start = time.perf_counter()
        for a in arrays:
            fn(a)
        elapsed = time.perf_counter() - start
    finally:
        gc.enable()
    return elapsed / copies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000, 10_000])
    parser.add_argument("--dtype", action="append", help="int64 (default), float64, int32, ...")
    parser.add_argument("--batches", type=int, default=201)
    args = parser.parse_args()
    print(f"sort {sort.__version__} from {sort.__file__}")
    for dtype in args.dtype or ["int64"]:
        for n in args.sizes:
            source = data(dtype, n)
            copies = max(10, min(2000, 200_000 // max(n, 1)))
            fns = {"sort.sort": sort.sort, "a.sort()": numpy.ndarray.sort}
            times = {name: [] for name in fns}
            for _ in range(args.batches):
                for name, fn in fns.items():
                    times[name].append(batch(fn, source, copies))
            ours, theirs = (statistics.median(times[name]) for name in fns)
            print(
                f"{dtype:8} n={n:<7} sort.sort {ours * 1e6:9.2f} us   numpy a.sort() "
                f"{theirs * 1e6:9.2f} us   ours/numpy {ours / theirs:5.2f}"
            )


if __name__ == "__main__":
    main()
