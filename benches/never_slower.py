"""Never slower: sort.sorted against sorted() on the inputs where timsort is at its best.

    python benches/never_slower.py                          # every case (long: ~an hour)
    python benches/never_slower.py --sizes 100000 --kinds str --shapes sorted k=16
    python benches/never_slower.py --real                   # only the real-data cases
    python benches/never_slower.py --fallback               # only the late-failing kinds

Reports ours / sorted() as a speed-up (sorted() time / sort.sorted time: > 1 means sort.sorted
is faster), medians of interleaved runs in one process (see ``harness.run``), for:

- shapes x kinds x sizes x layouts: sorted, reversed, sorted with 1% random swaps or with 3,
  sorted with 1% random items appended, sorted with every item up to 8 places off,
  k sorted runs concatenated (k = 2, 16, 100, 1000), few distinct values, all equal; for ints,
  floats, strs and ``(int, str)`` tuples; n = 1e4, 1e5, 1e6; objects allocated in list order
  or scattered in memory (``realdata.laid_out``);
- every real-data case of ``realdata.py``, at the same sizes and layouts;
- lists that fail classification late: ints with a str (or a big int) last, floats with a NaN
  last, strs with an int last.

The machine these figures come from is shared and loaded: only the ratios, measured side by
side, mean anything.
"""

from __future__ import annotations

import argparse
import builtins
import os
import random
import sys
from typing import Any, Callable, Dict, List

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness  # noqa: E402
import realdata  # noqa: E402


def _value(kind: str, i: int, rng: random.Random) -> Any:
    """The i-th value of a kind, increasing with i (so sorted order = index order)."""
    if kind == "int":
        return i * 7 - 3_000_000
    if kind == "float":
        return i * 0.37 - 1e5
    if kind == "str":
        return f"/usr/share/doc/pkg{i // 1000:05d}/file{i:08d}.txt"
    if kind == "tuple":
        return (i // 4, f"name{i:08d}")
    raise ValueError(kind)


def _shape(shape: str, kind: str, n: int, rng: random.Random) -> List[Any]:
    if shape == "few-distinct":
        pool = [_value(kind, i * 1000, rng) for i in range(16)]
        return [rng.choice(pool) for _ in range(n)]
    if shape == "all-equal":
        v = _value(kind, 1, rng)
        return [v] * n
    base = [_value(kind, i, rng) for i in range(n)]
    if shape == "sorted":
        return base
    if shape == "reversed":
        return base[::-1]
    if shape == "appended-1%":
        # A sorted list, then a batch of items appended.
        extra = [_value(kind, rng.randrange(n), rng) for _ in range(n // 100)]
        return base[:n - n // 100] + extra
    if shape in ("swaps-1%", "swaps-3"):
        for _ in range(n // 100 if shape == "swaps-1%" else 3):
            a, b = rng.randrange(n), rng.randrange(n)
            base[a], base[b] = base[b], base[a]
        return base
    if shape.startswith("k="):
        # k sorted runs of interleaved values, concatenated.
        k = int(shape[2:])
        rng.shuffle(base)
        size = -(-n // k)
        out: List[Any] = []
        for j in range(k):
            out.extend(builtins.sorted(base[j * size:(j + 1) * size]))
        return out
    if shape == "jitter-8":
        # Every item up to 8 places from its own: events logged a little out of order.
        order = builtins.sorted(range(n), key=lambda i: i + rng.random() * 8)
        return [base[i] for i in order]
    if shape == "random":
        rng.shuffle(base)
        return base
    raise ValueError(shape)


SHAPES = ("sorted", "reversed", "swaps-1%", "swaps-3", "appended-1%", "jitter-8", "k=2", "k=16",
          "k=100", "k=1000", "few-distinct", "all-equal")
KINDS = ("int", "float", "str", "tuple")


def _fallback(kind: str, n: int, rng: random.Random) -> List[Any]:
    data: List[Any]
    if kind == "ints+str last":
        data = [rng.randrange(-10**9, 10**9) for _ in range(n - 1)] + ["x"]
    elif kind == "ints+bigint last":
        data = [rng.randrange(-10**9, 10**9) for _ in range(n - 1)] + [2**100]
    elif kind == "floats+nan last":
        data = [rng.random() for _ in range(n - 1)] + [float("nan")]
    elif kind == "strs+int last":
        data = [f"k{rng.randrange(10**9)}" for _ in range(n - 1)] + [1]
    else:
        raise ValueError(kind)
    return data


FALLBACKS = ("ints+str last", "ints+bigint last", "floats+nan last", "strs+int last")


class _Built:
    """Builds a case's data on first use (only the current case's data stays alive) and hands
    out fresh copies of the list (the objects are shared)."""

    current: Any = None

    def __init__(self, build: Callable[[], List[Any]]) -> None:
        self.build = build

    def __call__(self) -> List[Any]:
        if _Built.current is None or _Built.current[0] is not self:
            _Built.current = None
            _Built.current = (self, self.build())
        return _Built.current[1].copy()


def _case(family: str, kind: str, n: int, build: Callable[[], List[Any]]) -> harness.Case:
    import sort

    def sorting_fails(data: List[Any]) -> Any:
        try:
            return builtins.sorted(data)
        except TypeError:
            return None

    def ours_fails(data: List[Any]) -> Any:
        try:
            return sort.sorted(data)
        except TypeError:
            return None

    return harness.Case(family=family, kind=kind, n=n, make=_Built(build), ours=ours_fails,
                        baselines={"sorted()": sorting_fails})


def cases(args: argparse.Namespace) -> List[harness.Case]:
    out = []
    layouts = args.layouts
    if not (args.real or args.fallback) or args.shapes_only:
        for kind in args.kinds:
            for shape in args.shapes:
                for layout in layouts:
                    for n in args.sizes:
                        def build(kind=kind, shape=shape, layout=layout, n=n):
                            rng = random.Random(f"{kind}/{shape}/{n}")
                            return realdata.laid_out(_shape(shape, kind, n, rng), layout, rng)
                        out.append(_case("shape", f"{kind} {shape} [{layout}]", n, build))
    if args.real or not (args.fallback or args.shapes_only):
        for name in args.cases or list(realdata.CASES):
            for layout in layouts:
                for n in args.sizes:
                    out.append(_case("real", f"{name} [{layout}]", n, realdata._Data(name, layout, n)))
    if args.fallback or not (args.real or args.shapes_only):
        for kind in FALLBACKS:
            for n in args.sizes:
                def build(kind=kind, n=n):
                    return _fallback(kind, n, random.Random(kind))
                out.append(_case("fallback", kind, n, build))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10**4, 10**5, 10**6])
    parser.add_argument("--kinds", nargs="+", choices=KINDS, default=list(KINDS))
    parser.add_argument("--shapes", nargs="+", choices=SHAPES + ("random",), default=list(SHAPES))
    parser.add_argument("--layouts", nargs="+", choices=realdata.LAYOUTS,
                        default=list(realdata.LAYOUTS))
    parser.add_argument("--cases", nargs="+", choices=list(realdata.CASES), metavar="CASE",
                        help="real-data cases (default: all)")
    parser.add_argument("--real", action="store_true", help="only the real-data cases")
    parser.add_argument("--fallback", action="store_true", help="only the late-failing kinds")
    parser.add_argument("--shapes-only", action="store_true", help="only the synthetic shapes")
    parser.add_argument("--repeat", type=int, default=5, help="interleaved runs per case")
    parser.add_argument("--out", help="write the markdown table to this file")
    args = parser.parse_args()

    import sort

    print(f"sort {sort.__version__} from {os.path.dirname(sort.__file__)}; {os.cpu_count()} CPUs; "
          f"load average {os.getloadavg()[0]:.2f}")
    rows = harness.run(cases(args), args.repeat)
    slow = [r for r in rows if r.baselines["sorted()"] / r.ours < 0.95]
    table = harness.markdown_table(rows)
    print()
    print(table)
    print(f"{len(slow)} of {len(rows)} cases below 0.95x")
    if args.out:
        with open(args.out, "w") as f:
            f.write(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
