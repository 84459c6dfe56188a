"""A/B: the installed `sort` against another build of `sort._sort` (e.g. main's), on buffers.

    python benches/ab_buffers.py --base /path/to/other/sort/_sort.cpython-311-x86_64-linux-gnu.so

Both builds sort fresh copies of the same data in one process, interleaved run by run (then
numpy's in-place sort as a third column), so the shared machine's noise hits them alike; the
figures are medians. The other build is loaded as a top-level module `_sort` (its init function
has that name), so the two never clash.
"""

from __future__ import annotations

import argparse
import gc
import importlib.machinery
import importlib.util
import statistics
import time

import numpy

import sort


def load(path: str):
    loader = importlib.machinery.ExtensionFileLoader("_sort", path)
    spec = importlib.util.spec_from_loader("_sort", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def make(kind: str, n: int) -> numpy.ndarray:
    rng = numpy.random.default_rng(12345)
    if kind == "int64":
        return rng.integers(-(2**63), 2**63 - 1, n, dtype=numpy.int64)
    if kind == "int32":
        return rng.integers(-(2**31), 2**31 - 1, n, dtype=numpy.int32)
    if kind == "float64 [0,1)":
        return rng.random(n)
    return rng.standard_normal(n) * 1e6  # "float64": every sign and many exponents


def timed(fn, data) -> float:
    a = data.copy()
    gc.disable()
    try:
        start = time.perf_counter()
        fn(a)
        return time.perf_counter() - start
    finally:
        gc.enable()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base", required=True, help="path of the other build's _sort .so")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10**5, 10**6, 10**7])
    parser.add_argument("--kinds", nargs="+", default=["int64", "float64", "int32", "float64 [0,1)"])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args()
    base = load(args.base)
    threads = args.threads
    fns = {
        "new": lambda a: sort._sort.sort_buffer(a, False, threads),
        "base": lambda a: base.sort_buffer(a, False, threads),
        "numpy": numpy.ndarray.sort,
    }
    print(f"new: {sort._sort.__file__}\nbase: {args.base}\nthreads={threads}")
    for n in args.sizes:
        for kind in args.kinds:
            data = make(kind, n)
            check = data.copy()
            fns["new"](check)
            assert (check == numpy.sort(data)).all()
            reps = args.repeat if n >= 10**6 else args.repeat * 5
            times = {name: [] for name in fns}
            for _ in range(reps):
                for name, fn in fns.items():
                    times[name].append(timed(fn, data))
            med = {name: statistics.median(t) for name, t in times.items()}
            print(
                f"{kind:14} n={n:<9} new {med['new'] * 1e3:8.2f} ms  base {med['base'] * 1e3:8.2f} ms"
                f"  new/base {med['new'] / med['base']:5.3f}  numpy {med['numpy'] * 1e3:8.2f} ms"
                f"  numpy/new x{med['numpy'] / med['new']:4.2f}"
            )


if __name__ == "__main__":
    main()
