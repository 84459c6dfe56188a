"""sort.argsort against numpy.argsort(kind="stable") and polars' Series.arg_sort.

Buffers (int64, int32, float64) and lists (ints, 8-char strs; against sorted(range(n),
key=lst.__getitem__) and polars' round trip) at 1e4 .. 1e7. Each round times every contender
once, in turn (interleaved), so machine load hits them alike; the table gives medians and the
ratios other / ours (above 1: ours is faster).

    python benches/argsort.py [--max 1e7] [--list-max 1e6] [--rounds 7] [--threads 2] [--out FILE]

Run it from outside the checkout on a release build (`pip install .`).
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import time

import numpy as np

import sort

try:
    import polars as pl
except ImportError:  # pragma: no cover
    pl = None


def timed(fn):
    gc.disable()
    try:
        start = time.perf_counter()
        fn()
        return time.perf_counter() - start
    finally:
        gc.enable()


def cases(n, threads, rng, lists=True):
    nprng = np.random.default_rng(n)
    arrays = {
        "int64": nprng.integers(-(2**63), 2**63 - 1, n, dtype=np.int64),
        "int32": nprng.integers(-(2**31), 2**31 - 1, n, dtype=np.int32),
        "float64": nprng.random(n),
    }
    for kind, a in arrays.items():
        contenders = {
            "sort.argsort": lambda a=a: sort.argsort(a, threads=threads),
            "numpy stable": lambda a=a: np.argsort(a, kind="stable"),
        }
        if pl is not None:
            s = pl.Series(a)
            contenders["polars arg_sort"] = lambda s=s: s.arg_sort()
        yield f"{kind} array", contenders
    if not lists:
        return
    ints = [rng.randint(-(2**63), 2**63 - 1) for _ in range(n)]
    strs = ["".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=8)) for _ in range(n)]
    for kind, lst in (("list of ints", ints), ("list of str8", strs)):
        contenders = {
            "sort.argsort": lambda lst=lst: sort.argsort(lst, threads=threads),
            "sorted(range)": lambda lst=lst: sorted(range(len(lst)), key=lst.__getitem__),
        }
        if pl is not None:
            contenders["polars arg_sort"] = lambda lst=lst: pl.Series(lst).arg_sort().to_list()
        yield kind, contenders


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max", type=float, default=1e7)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--list-max", type=float, default=1e6, help="largest list size")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--out", default=None, help="also write the markdown table here")
    args = parser.parse_args()
    rng = random.Random(1)
    lines = [
        "| input | n | sort.argsort (ms) | baseline (ms) | baseline / ours |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    print("\n".join(lines), flush=True)
    n = 10_000
    while n <= args.max:
        rounds = args.rounds if n < 10**7 else max(3, args.rounds // 2)
        for kind, contenders in cases(n, args.threads, rng, n <= args.list_max):
            times = {name: [] for name in contenders}
            for _ in range(rounds):
                for name, fn in contenders.items():
                    times[name].append(timed(fn))
            med = {name: statistics.median(t) for name, t in times.items()}
            ours = med.pop("sort.argsort")
            for name, t in med.items():
                line = (
                    f"| {kind} | {n:.0e} | {ours * 1e3:.2f} | {name} {t * 1e3:.2f} "
                    f"| {t / ours:.2f}x |"
                )
                lines.append(line)
                print(line, flush=True)
        n *= 10
    if args.out:
        with open(args.out, "w") as f:
            f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
