"""Dask sorting a DataFrame on a 2-process distributed.LocalCluster, with and without
sort.dataframe.sort_values as the partition sort, and the share of time the partition sort
takes.

    python benches/dask_sort.py [--rows 2e7] [--partitions 40] [--rounds 3] [--out FILE]

The frame (a float64 key and two payload columns) is built on the workers
(`dd.from_map`), so the timing is the sort: sampling quantiles, the shuffle between the two
worker processes, the partition sorts. The partition-sort share is measured separately by
sorting every partition of the shuffled result again, on the workers, with each function.
"""

from __future__ import annotations

import argparse
import statistics
import time

import dask
import dask.dataframe as dd
import numpy as np
import pandas as pd
from distributed import Client, LocalCluster, wait

import sort.dataframe


def make_part(i, rows):
    rng = np.random.default_rng(i)
    return pd.DataFrame(
        {"x": rng.random(rows), "a": rng.integers(0, 1000, rows), "b": rng.random(rows)}
    )


def pandas_sort(df, by, **kwargs):
    return df.sort_values(by, **kwargs)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=float, default=2e7)
    parser.add_argument("--partitions", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    rows = int(args.rows) // args.partitions
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
        dashboard_address=None,
    ) as cluster, Client(cluster) as client:
        ddf = dd.from_map(make_part, range(args.partitions), rows=rows)
        ddf = ddf.persist()
        wait(ddf)
        contenders = {"pandas (default)": None, "sort.dataframe": sort.dataframe.sort_values}
        times = {name: [] for name in contenders}
        for _ in range(args.rounds):
            for name, fn in contenders.items():
                start = time.perf_counter()
                out = ddf.sort_values("x", sort_function=fn).persist()
                wait(out)
                times[name].append(time.perf_counter() - start)
                del out
        # The partition sort alone: re-sort the partitions of one sorted result.
        shuffled = ddf.sort_values("x").persist()
        wait(shuffled)
        shuffled = shuffled.map_partitions(lambda df: df.sample(frac=1, random_state=0)).persist()
        wait(shuffled)
        part = {"pandas (default)": [], "sort.dataframe": []}
        for _ in range(args.rounds):
            for name, fn in (("pandas (default)", pandas_sort),
                             ("sort.dataframe", sort.dataframe.sort_values)):
                start = time.perf_counter()
                out = shuffled.map_partitions(fn, "x").persist()
                wait(out)
                part[name].append(time.perf_counter() - start)
                del out
    total = {k: statistics.median(v) for k, v in times.items()}
    parts = {k: statistics.median(v) for k, v in part.items()}
    lines = [
        f"| {args.rows:.0e} rows, {args.partitions} partitions, 2 worker processes "
        "| end-to-end sort (s) | partition sorts alone (s) | share of the sort |",
        "| --- | ---: | ---: | ---: |",
    ]
    for name in contenders:
        lines.append(
            f"| {name} | {total[name]:.2f} | {parts[name]:.2f} "
            f"| {parts[name] / total[name]:.0%} |"
        )
    lines.append(
        f"| gain | {total['pandas (default)'] / total['sort.dataframe']:.2f}x "
        f"| {parts['pandas (default)'] / parts['sort.dataframe']:.2f}x | |"
    )
    print("\n".join(lines))
    if args.out:
        with open(args.out, "w") as f:
            f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    dask.config.set({"dataframe.shuffle.method": "p2p"})
    main()
