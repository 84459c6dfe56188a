"""Compare `sort` with the builtins and numpy, print a table of medians and draw a plot.

    python benches/compare.py                      # every family, n = 1e3 .. 1e7
    python benches/compare.py --family list --sizes 1000 1000000 --repeat 7

Run it on a release build (`pip install .`, not `pip install -e .`), from any directory.
Needs numpy for the numpy columns and matplotlib for the plot (`pip install numpy matplotlib`).
"""

from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness  # noqa: E402

FAMILIES = {
    # family -> (module with `cases(sizes)`, baseline the plot compares with)
    "list": ("lists", "sorted()"),
    "buffer": ("buffers", "numpy.sort"),
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--family", choices=sorted(FAMILIES), action="append",
                        help="benchmark only this family (repeatable; default: all)")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10**3, 10**4, 10**5, 10**6, 10**7])
    parser.add_argument("--repeat", type=int, default=5, help="runs per case (median; default 5)")
    parser.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "results"),
                        help="directory for results.md and speedup.png")
    args = parser.parse_args()

    import importlib

    import sort

    print(f"sort {sort.__version__} from {os.path.dirname(sort.__file__)}; {os.cpu_count()} CPUs")
    cases = []
    for family in args.family or list(FAMILIES):
        module = importlib.import_module(FAMILIES[family][0])
        cases += module.cases(args.sizes)
    rows = harness.run(cases, args.repeat)
    table = harness.markdown_table(rows)
    print()
    print(table)
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "results.md"), "w") as f:
        f.write(table)
    png = harness.plot(rows, os.path.join(args.out, "speedup.png"),
                       {family: base for family, (_, base) in FAMILIES.items()})
    print(f"table: {os.path.join(args.out, 'results.md')}; plot: {png or 'skipped (no matplotlib)'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
