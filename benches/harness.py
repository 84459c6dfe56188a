"""Shared benchmark machinery: timing, the results table and the plot.

A *case* is one input kind at one size; each case times `sort` against one or more baselines
on fresh copies of the same data, in one process, and reports medians and ratios.
"""

from __future__ import annotations

import gc
import statistics
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional


@dataclass
class Case:
    family: str  # "list" or "buffer": one table and one plot panel each
    kind: str  # e.g. "int64-range ints"; one line in the plot
    n: int
    make: Callable[[], Any]  # builds the input (not timed)
    ours: Callable[[Any], Any]  # the `sort` call under test
    baselines: Dict[str, Callable[[Any], Any]] = field(default_factory=dict)
    # Optional extra timings of `sort` itself, e.g. {"threads=1": ...} for scaling.
    variants: Dict[str, Callable[[Any], Any]] = field(default_factory=dict)


@dataclass
class Row:
    case: Case
    ours: float
    baselines: Dict[str, float]
    variants: Dict[str, float]


def median_time(fn: Callable[[Any], Any], make: Callable[[], Any], repeat: int) -> float:
    """Median wall time of `fn(make())` over `repeat` runs; `make` is outside the timing.

    As `timeit` does, the garbage collector is off during each timed call, so that a
    collection triggered by unrelated objects is not charged to the sort. (Collecting before
    every run instead costs as much as walking every live container, each time: far longer
    than a small sort when a large input is alive.)
    """
    times = []
    for _ in range(repeat):
        data = make()
        enabled = gc.isenabled()
        gc.disable()
        try:
            start = time.perf_counter()
            fn(data)
            times.append(time.perf_counter() - start)
        finally:
            if enabled:
                gc.enable()
        del data
    return statistics.median(times)


def repeats_for(n: int, base: int) -> int:
    """More runs for tiny inputs, where a single run is too short to time."""
    return base if n >= 100_000 else max(base, 2_000_000 // max(n, 1) // 100)


def run(cases: List[Case], repeat: int, log: Callable[[str], None] = print) -> List[Row]:
    rows = []
    for case in cases:
        gc.collect()  # once per case: start each case with the previous one's garbage gone
        reps = repeats_for(case.n, repeat)
        # Interleave ours and the baselines run by run, so that noise from the shared machine
        # hits both sides of a ratio alike.
        names = ["ours", *case.baselines, *case.variants]
        fns = {"ours": case.ours, **case.baselines, **case.variants}
        samples: Dict[str, List[float]] = {name: [] for name in names}
        for _ in range(reps):
            for name in names:
                samples[name].append(median_time(fns[name], case.make, 1))
        med = {name: statistics.median(values) for name, values in samples.items()}
        row = Row(
            case,
            med["ours"],
            {name: med[name] for name in case.baselines},
            {name: med[name] for name in case.variants},
        )
        rows.append(row)
        log(format_row(row))
    return rows


def fmt_seconds(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:.1f} us"
    if seconds < 1:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds:.3f} s"


def format_row(row: Row) -> str:
    parts = [f"{row.case.family:6} {row.case.kind:28} n={row.case.n:<9} sort {fmt_seconds(row.ours):>10}"]
    for name, t in row.baselines.items():
        parts.append(f"{name} {fmt_seconds(t):>10} (x{t / row.ours:.2f})")
    for name, t in row.variants.items():
        parts.append(f"{name} {fmt_seconds(t):>10} (x{t / row.ours:.2f})")
    return " | ".join(parts)


def markdown_table(rows: List[Row]) -> str:
    """One table per family; 'speed-up' = baseline time / sort time (> 1: sort is faster)."""
    out = []
    for family in dict.fromkeys(r.case.family for r in rows):
        fam = [r for r in rows if r.case.family == family]
        base_names = list(dict.fromkeys(n for r in fam for n in r.baselines))
        var_names = list(dict.fromkeys(n for r in fam for n in r.variants))
        head = ["data", "n", "sort"]
        for name in base_names:
            head += [name, f"speed-up vs {name}"]
        for name in var_names:
            head += [f"sort {name}", f"{name} / sort"]
        out.append("| " + " | ".join(head) + " |")
        out.append("|" + "---|" * len(head))
        for r in fam:
            cells = [r.case.kind, f"{r.case.n:.0e}" if r.case.n >= 1000 else str(r.case.n), fmt_seconds(r.ours)]
            for name in base_names:
                t = r.baselines.get(name)
                cells += ["" if t is None else fmt_seconds(t), "" if t is None else f"{t / r.ours:.2f}x"]
            for name in var_names:
                t = r.variants.get(name)
                cells += ["" if t is None else fmt_seconds(t), "" if t is None else f"{t / r.ours:.2f}x"]
            out.append("| " + " | ".join(cells) + " |")
        out.append("")
    return "\n".join(out)


def plot(rows: List[Row], path: str, baseline_for: Dict[str, str]) -> Optional[str]:
    """Speed-up of `sort` over each family's main baseline against n, one line per kind."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    families = list(dict.fromkeys(r.case.family for r in rows))
    fig, axes = plt.subplots(1, len(families), figsize=(7 * len(families), 5), squeeze=False)
    for ax, family in zip(axes[0], families):
        base = baseline_for[family]
        for kind in dict.fromkeys(r.case.kind for r in rows if r.case.family == family):
            pts = [(r.case.n, r.baselines[base] / r.ours) for r in rows
                   if r.case.family == family and r.case.kind == kind and base in r.baselines]
            if pts:
                ax.plot(*zip(*pts), marker="o", label=kind)
        ax.axhline(1.0, color="grey", linewidth=0.8, linestyle="--")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("n (elements)")
        ax.set_ylabel(f"speed-up over {base} (higher is better)")
        ax.set_title(f"{family}: sort vs {base}")
        ax.legend(fontsize=8)
        ax.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    return path
