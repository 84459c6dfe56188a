"""sort.dataframe.sort_values against pandas' DataFrame.sort_values(kind="stable").

A 1e6-row frame (an int64 key, a float64 key, an 8-char str key of object dtype and of
pandas' `str` dtype, payload columns; and its numeric columns alone, where moving the rows
costs less); one numeric key, one string key, two keys. Interleaved
rounds, medians, ratio pandas / ours (above 1: ours is faster).

    python benches/dataframe.py [--rows 1e6] [--rounds 7] [--out FILE]
"""

from __future__ import annotations

import argparse
import statistics

import numpy as np
import pandas as pd

import sort.dataframe
from argsort import timed  # benches/argsort.py, next to this script


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=float, default=1e6)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    n = int(args.rows)
    rng = np.random.default_rng(1)
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
    words = letters[rng.integers(0, 26, (n, 8))].view("<U8").ravel().astype(object)
    df = pd.DataFrame(
        {
            "i": rng.integers(-(2**62), 2**62, n),
            "f": rng.random(n),
            "k": rng.integers(0, 1000, n),
            "obj": words,
            "str": pd.array(words, dtype="str"),
            "payload1": rng.random(n),
            "payload2": np.arange(n),
        }
    )
    numeric = df[["i", "f", "k", "payload1", "payload2"]]
    cases = [
        ("one int64 key, numeric columns only", "i", numeric),
        ("one float64 key, numeric columns only", "f", numeric),
        ("one int64 key", "i"),
        ("one float64 key", "f"),
        ("one str key (object)", "obj"),
        ("one str key (str dtype)", "str"),
        ("two keys (int 0..999, float64)", ["k", "f"]),
        ("two keys (str object, int64)", ["obj", "i"]),
    ]
    lines = [
        f"| {n:.0e} rows, sort by | sort.dataframe (ms) | pandas (ms) | pandas / ours |",
        "| --- | ---: | ---: | ---: |",
    ]
    print("\n".join(lines), flush=True)
    for label, by, *frame in cases:
        data = frame[0] if frame else df
        ours_t, theirs_t = [], []
        for _ in range(args.rounds):
            ours_t.append(timed(lambda: sort.dataframe.sort_values(data, by)))
            theirs_t.append(timed(lambda: data.sort_values(by, kind="stable")))
        ours, theirs = statistics.median(ours_t), statistics.median(theirs_t)
        line = f"| {label} | {ours * 1e3:.1f} | {theirs * 1e3:.1f} | {theirs / ours:.2f}x |"
        lines.append(line)
        print(line, flush=True)
    if args.out:
        with open(args.out, "w") as f:
            f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
