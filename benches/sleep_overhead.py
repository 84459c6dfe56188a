"""How far sleep_sort is from its ideal: overhead, wake-order errors, and Ctrl-C latency.

    python benches/sleep_overhead.py                 # n = 10, 1000, 10000; units 1 ms, 100 us
    python benches/sleep_overhead.py --sizes 1000 --units 0.001 --repeat 9

Run it on a release build (`pip install .`, not `pip install -e .`), from any directory; it
takes about three minutes with the defaults (n = 10,000 at 1 ms sleeps 10 s per run).

For each size n and unit, the values are n random ints drawn from range(n) (about 63% of
them distinct, so the spread max - min is about n). Runs of `sort.sleep_sort` and of the
private diagnostic `sort._sort._sleep_sort_arrivals` alternate:

- overhead = wall time of sleep_sort - (max - min) x unit, the time not spent in the planned
  sleep: reading the values, spawning and joining one thread per distinct value, late
  wake-ups, the repair pass, building the result list (median of the runs);
- inversions = pairs out of order in the arrival order, before the repair pass (median and
  max of the runs): how much the repair had to fix.

Ctrl-C latency: a timer thread sends SIGINT to the main thread while it is in a sleep_sort
whose longest sleep is minutes away; the latency runs from just before the signal is sent to
the KeyboardInterrupt in the main thread, after every sleeping thread has been woken and joined.
The machine is shared and noisy: compare figures from one run, and read them as medians.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import statistics
import sys
import threading
import time
from typing import List, Tuple

import sort
from sort import _sort


def inversions(values: List[int]) -> int:
    """Pairs i < j with values[i] > values[j], by merge sort (O(n log n))."""

    def count(seq: List[int]) -> Tuple[List[int], int]:
        if len(seq) <= 1:
            return seq, 0
        mid = len(seq) // 2
        left, a = count(seq[:mid])
        right, b = count(seq[mid:])
        merged, inv, i, j = [], a + b, 0, 0
        while i < len(left) and j < len(right):
            if right[j] < left[i]:
                merged.append(right[j])
                inv += len(left) - i
                j += 1
            else:
                merged.append(left[i])
                i += 1
        merged += left[i:]
        merged += right[j:]
        return merged, inv

    return count(values)[1]


def thread_count() -> int:
    return len(os.listdir("/proc/self/task"))


def fmt_ms(seconds: float) -> str:
    return f"{seconds * 1e3:.1f} ms"


def fmt_unit(unit: float) -> str:
    return f"{unit * 1e3:g} ms" if unit >= 1e-3 else f"{unit * 1e6:g} us"


def measure(n: int, unit: float, repeat: int, rng: random.Random) -> dict:
    overheads, inv = [], []
    distinct = []
    for _ in range(repeat):
        values = [rng.randrange(n) for _ in range(n)]
        ideal = (max(values) - min(values)) * unit
        distinct.append(len(set(values)))
        started = time.perf_counter()
        result = sort.sleep_sort(values, unit)
        overheads.append(time.perf_counter() - started - ideal)
        assert result == sorted(values)
        arrivals = _sort._sleep_sort_arrivals(values, unit)
        assert sorted(arrivals) == sorted(values)
        inv.append(inversions(arrivals))
    return {
        "n": n,
        "unit": unit,
        "distinct": statistics.median(distinct),
        "overhead": statistics.median(overheads),
        "overhead_max": max(overheads),
        "inv_median": statistics.median(inv),
        "inv_max": max(inv),
        "pairs": n * (n - 1) // 2,
    }


def ctrl_c_latency(values: List[int], unit: float, delay: float, repeat: int) -> List[float]:
    """Seconds from sending SIGINT to catching KeyboardInterrupt, `repeat` times."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    latencies = []
    try:
        for _ in range(repeat):
            sent = [0.0]

            def interrupt() -> None:
                sent[0] = time.perf_counter()
                signal.pthread_kill(threading.main_thread().ident, signal.SIGINT)

            timer = threading.Timer(delay, interrupt)
            timer.start()
            try:
                sort.sleep_sort(values, unit)
            except KeyboardInterrupt:
                latencies.append(time.perf_counter() - sent[0])
            else:
                raise AssertionError("sleep_sort returned instead of being interrupted")
            finally:
                timer.join()
    finally:
        signal.signal(signal.SIGINT, previous)
    return latencies


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 1_000, 10_000])
    parser.add_argument("--units", type=float, nargs="+", default=[1e-3, 1e-4])
    parser.add_argument("--repeat", type=int, default=5, help="runs per case (default 5)")
    parser.add_argument("--seed", type=int, default=2016)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    print(f"sort {sort.__version__} from {os.path.dirname(sort.__file__)}")
    print(f"{os.cpu_count()} CPUs; load average {os.getloadavg()}")
    before = thread_count()

    rows = []
    for n in args.sizes:
        for unit in args.units:
            row = measure(n, unit, args.repeat, rng)
            rows.append(row)
            print(
                f"n={n:<6} unit={fmt_unit(unit):>7}: overhead {fmt_ms(row['overhead'])} "
                f"(max {fmt_ms(row['overhead_max'])}), inversions median {row['inv_median']:g} "
                f"max {row['inv_max']}",
                flush=True,
            )

    print()
    print(f"sleep_sort overhead and arrival order, median of {args.repeat} runs")
    print()
    print(
        "| n | distinct | unit | overhead (median) | overhead (max) "
        "| inversions before repair (median / max) | of pairs |"
    )
    print("|---|---|---|---|---|---|---|")
    for row in rows:
        print(
            f"| {row['n']:,} | {row['distinct']:,.0f} | {fmt_unit(row['unit'])} "
            f"| {fmt_ms(row['overhead'])} | {fmt_ms(row['overhead_max'])} "
            f"| {row['inv_median']:g} / {row['inv_max']} | {row['pairs']:,} |"
        )

    print()
    print("Ctrl-C latency (SIGINT sent -> KeyboardInterrupt caught, all threads joined)")
    print()
    print("| sleeping threads | longest sleep | median | max | runs |")
    print("|---|---|---|---|---|")
    cases = [
        # (label, values, unit, delay before SIGINT: after every thread has been spawned)
        ("2", [0, 600], 1.0, 0.3),
        ("1,000", list(range(1_000)), 0.6, 0.5),
        ("10,000", list(range(10_000)), 0.06, 2.0),
    ]
    for label, values, unit, delay in cases:
        lat = ctrl_c_latency(values, unit, delay, max(args.repeat, 5))
        longest = (max(values) - min(values)) * unit
        print(
            f"| {label} | {longest:.0f} s | {fmt_ms(statistics.median(lat))} "
            f"| {fmt_ms(max(lat))} | {len(lat)} |",
            flush=True,
        )
    deadline = time.monotonic() + 10
    while thread_count() != before and time.monotonic() < deadline:
        time.sleep(0.01)
    print()
    print(f"threads before: {before}, after: {thread_count()}; load average {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
