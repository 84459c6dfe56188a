"""Tuples, mixed ints/floats and big ints: sort.sorted against sorted().

    python benches/tuples_numbers.py                       # every case, n = 1e6
    python benches/tuples_numbers.py --cases int_int mixed --sizes 100000 1000000

Synthetic data of the shapes issue 7 names; the real-data versions (``(size, path)``,
``(ext, size)``, numeric literals from source, sha256 ints) are in benches/realdata.py.
Timings are medians of interleaved runs (``harness.run``); "threads=1" shows what the
threads add. Every case is checked once against sorted() (same objects, same order).
"""

from __future__ import annotations

import argparse
import builtins
import os
import random
import string
import sys
from typing import Any, Callable, Dict, List, Tuple

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness  # noqa: E402


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(4, 12)))


def _int_int(rng, n):
    return [(rng.randrange(1000), rng.randrange(-(2**40), 2**40)) for _ in range(n)]


def _int_str(rng, n):
    words = [_word(rng) for _ in range(50_000)]
    return [(rng.randrange(100_000), rng.choice(words)) for _ in range(n)]


def _str_int(rng, n):
    words = [_word(rng) for _ in range(50_000)]
    return [(rng.choice(words), rng.randrange(100_000)) for _ in range(n)]


def _mixed(rng, n):
    out: List[Any] = []
    for _ in range(n):
        r = rng.random()
        if r < 0.5:
            out.append(rng.randrange(-(10**6), 10**6))
        else:
            out.append(rng.uniform(-(10**6), 10**6))
    return out


def _mixed_wide(rng, n):
    # Ints beyond 2**53 beside floats: no float holds them all exactly.
    return [rng.randrange(-(2**62), 2**62) if rng.random() < 0.5 else rng.uniform(-(2**62), 2**62)
            for _ in range(n)]


def _big256(rng, n):
    return [rng.getrandbits(256) for _ in range(n)]


def _big_signed(rng, n):
    return [rng.getrandbits(100) - 2**99 for _ in range(n)]


CASES: Dict[str, Tuple[str, Callable[[random.Random, int], List[Any]]]] = {
    "int_int": ("(int, int): 1000 groups, 41-bit second", _int_int),
    "int_str": ("(int, str): 1e5 ints, 5e4 words", _int_str),
    "str_int": ("(str, int): 5e4 words, 1e5 ints", _str_int),
    "mixed": ("ints and floats, half each, within +-1e6", _mixed),
    "mixed_wide": ("ints and floats within +-2**62", _mixed_wide),
    "big256": ("256-bit ints", _big256),
    "big_signed": ("100-bit ints, both signs", _big_signed),
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", nargs="+", choices=list(CASES), default=list(CASES))
    parser.add_argument("--sizes", type=int, nargs="+", default=[10**6])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args()

    import sort

    print(f"sort from {os.path.dirname(sort.__file__)}; {os.cpu_count()} CPUs; "
          f"load average {os.getloadavg()[0]:.2f}")
    todo = []
    for name in args.cases:
        for n in args.sizes:
            data = CASES[name][1](random.Random(f"{name}/{n}"), n)
            ours = sort.sorted(data, threads=args.threads)
            expect = builtins.sorted(data)
            assert all(a is b for a, b in zip(ours, expect)), name
            todo.append(harness.Case(
                family="list",
                kind=name,
                n=n,
                make=data.copy,
                ours=lambda d: sort.sorted(d, threads=args.threads),
                baselines={"sorted()": builtins.sorted},
                variants={"threads=1": lambda d: sort.sorted(d, threads=1)},
            ))
    rows = harness.run(todo, args.repeat)
    print()
    print(harness.markdown_table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
