"""Command line: ``python -m sort 5 1 2 6 8 2 4 2 3 8 0 2`` sleep-sorts its arguments.

Prints the sorted list as Python would (``[0, 1, 2, 2, 2, 2, 3, 4, 5, 6, 8, 8]``). Exit status:
0 on success, 2 for bad arguments (with a message on stderr), 1 if the system refused a
thread, 130 after Ctrl-C.
"""

from __future__ import annotations

import argparse
import sys
from typing import List, Optional

from . import __version__, sleep_sort


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m sort",
        description="Sleep-sort integers: one thread per distinct value sleeps "
        "(value - min) x unit seconds, then appends it to the result, which is printed "
        "in ascending order. Takes about (max - min) x unit seconds.",
        epilog="example: python -m sort 5 1 2 6 8 2 4 2 3 8 0 2  ->  "
        "[0, 1, 2, 2, 2, 2, 3, 4, 5, 6, 8, 8]",
    )
    parser.add_argument(
        "values",
        nargs="*",
        type=int,
        metavar="INT",
        help="integers to sort (negatives allowed; at most 16384 distinct values)",
    )
    parser.add_argument(
        "--unit",
        type=float,
        default=0.1,
        metavar="SECONDS",
        help="seconds of sleep per unit of value, >= 0 (default: %(default)s)",
    )
    parser.add_argument("--version", action="version", version=f"sort {__version__}")
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        result = sleep_sort(args.values, unit=args.unit)
    except (TypeError, ValueError, OverflowError) as error:
        parser.error(str(error))  # exits with status 2
    except RuntimeError as error:
        print(f"{parser.prog}: error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        # The sort has already woken and joined its threads; 128 + SIGINT, like a shell.
        return 130
    print(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
