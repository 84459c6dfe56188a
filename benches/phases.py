"""Where the time of one ``sort.sorted`` call goes, phase by phase, with 1 and 2 threads.

Needs a build with the ``phase-timing`` feature (off by default: it prints each call's phases
to stderr), run from the checkout:

    cargo build --release --features phase-timing   # links libpython: fine for this bench
    mkdir -p /tmp/phases && cp -r sort /tmp/phases/ && \\
        cp target/release/lib_sort.so /tmp/phases/sort/_sort$(python3-config --extension-suffix)
    cd /tmp && PYTHONPATH=/tmp/phases python benches/phases.py 1000000 9 2> phases.err
    python benches/phases.py --parse phases.err

Prints, for 1e6 int64, floats and 8-letter strs, the median of each phase (ms) with
``threads=1`` and ``threads=2``, the time of ``list(xs)`` (the copy ``sort.sorted`` makes
before calling into Rust, timed apart on the same data), of the whole call as Python sees it,
and of freeing the returned list (``del``: one reference drop per item, in sorted order, which
the builtin's result costs too). Phases and calls are interleaved, but the machine may be shared: a phase
that does not halve may be one whose second thread waited for a core (compare ``uptime``).
"""

import collections
import random
import statistics
import sys
import time


def parse(path):
    rows = collections.defaultdict(lambda: collections.defaultdict(list))
    tag = None
    with open(path) as f:
        for line in f:
            if line.startswith("NEXT "):
                tag = line.split()[1]
            elif line.startswith("TAG "):
                _, tag, wall, copy, free = line.split()
                rows[tag]["list()"].append(float(copy))
                rows[tag]["whole call"].append(float(wall))
                rows[tag]["free result"].append(float(free))
            elif line.startswith("PHASES ") and tag:
                for kv in line.split()[1:]:
                    k, v = kv.split("=")
                    rows[tag][k].append(float(v))
    for kind in sorted({t.rsplit("-", 1)[0] for t in rows}):
        one, two = rows[kind + "-t1"], rows[kind + "-t2"]
        print(f"\n{kind}: ms             median t=1      t=2    min t=1      t=2")
        last = ["list()", "whole call", "free result"]
        names = [k for k in dict.fromkeys([*one, *two]) if k not in last] + last
        for k in names:
            a = statistics.median(one[k]) if one[k] else float("nan")
            b = statistics.median(two[k]) if two[k] else float("nan")
            c = min(one[k]) if one[k] else float("nan")
            d = min(two[k]) if two[k] else float("nan")
            print(f"  {k:20} {a:8.2f} {b:8.2f}   {c:8.2f} {d:8.2f}")


def run(n, reps):
    import sort

    rng = random.Random(1)
    data = {
        "int64": [rng.randrange(-(2**63), 2**63) for _ in range(n)],
        "float": [rng.random() for _ in range(n)],
        "str8": ["".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=8)) for _ in range(n)],
    }
    for _ in range(reps):
        for name, xs in data.items():
            for t in (1, 2):
                start = time.perf_counter()
                copy = list(xs)
                copied = time.perf_counter() - start
                del copy
                sys.stderr.write(f"NEXT {name}-t{t}\n")
                sys.stderr.flush()
                start = time.perf_counter()
                result = sort.sorted(xs, threads=t)
                whole = time.perf_counter() - start
                start = time.perf_counter()
                del result
                free = time.perf_counter() - start
                sys.stderr.write(f"TAG {name}-t{t} {whole * 1e3:.3f} {copied * 1e3:.3f} "
                                 f"{free * 1e3:.3f}\n")
                sys.stderr.flush()


if __name__ == "__main__":
    if sys.argv[1:2] == ["--parse"]:
        parse(sys.argv[2])
    else:
        run(int(sys.argv[1]) if len(sys.argv) > 1 else 10**6,
            int(sys.argv[2]) if len(sys.argv) > 2 else 9)
