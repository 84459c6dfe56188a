"""Command line: ``python -m sort 5 1 2 6 8 2 4 2 3 8 0 2`` sleep-sorts its arguments."""

from __future__ import annotations

import argparse
import sys
from typing import List, Optional

from . import __version__, sleep_sort


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sort",
        description="Sleep-sort integers: one thread per value sleeps value x unit seconds, "
        "then appends it to the result.",
    )
    parser.add_argument("values", nargs="*", type=int, metavar="INT", help="integers to sort")
    parser.add_argument(
        "--unit",
        type=float,
        default=0.1,
        help="seconds of sleep per unit of value (default: %(default)s)",
    )
    parser.add_argument("--version", action="version", version=f"sort {__version__}")
    args = parser.parse_args(argv)
    try:
        print(sleep_sort(args.values, unit=args.unit))
    except (TypeError, ValueError, OverflowError) as error:
        parser.error(str(error))
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
