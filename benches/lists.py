"""List benchmarks for benches/compare.py: sort.sorted against builtins.sorted (and numpy).

    python benches/compare.py --family list
    python benches/compare.py --family list --sizes 10 100 1000

Every case sorts a fresh copy of the same list; "ours" is ``sort.sorted`` with the default
thread count, and the ``threads=1`` variant shows what the threads add.
"""

from __future__ import annotations

import builtins
import random
import string
from typing import Any, Callable, Dict, List

import harness

import sort

try:
    import numpy as np
except ImportError:  # pragma: no cover - numpy is optional for benchmarks
    np = None


def _int64(rng: random.Random, n: int) -> List[Any]:
    return [rng.randrange(-(2**63), 2**63) for _ in range(n)]


def _small(rng: random.Random, n: int) -> List[Any]:
    return [rng.randrange(1000) for _ in range(n)]


def _floats(rng: random.Random, n: int) -> List[Any]:
    return [rng.random() for _ in range(n)]


def _strs(rng: random.Random, n: int) -> List[Any]:
    letters = string.ascii_letters
    return ["".join(rng.choices(letters, k=8)) for _ in range(n)]


def _sorted_ints(rng: random.Random, n: int) -> List[Any]:
    return builtins.sorted(_int64(rng, n))


def _reversed_ints(rng: random.Random, n: int) -> List[Any]:
    return builtins.sorted(_int64(rng, n), reverse=True)


# kind -> (generator, numpy dtype for the round-trip baseline or None)
KINDS: Dict[str, Any] = {
    "int64-range ints": (_int64, "int64"),
    "small ints 0..1000": (_small, "int64"),
    "floats": (_floats, "float64"),
    "8-char ASCII str": (_strs, None),
    "already sorted ints": (_sorted_ints, "int64"),
    "reversed ints": (_reversed_ints, "int64"),
}


def _numpy_round_trip(dtype: str) -> Callable[[List[Any]], Any]:
    def run(data: List[Any]) -> Any:
        return np.sort(np.array(data, dtype=dtype), kind="stable").tolist()

    return run


class _Data:
    """Builds a case's data on first use and keeps only the current case's data alive.

    The harness calls gc.collect() before every timed run; with every case's million-element
    lists alive at once, each collection would walk all of them, thousands of times for the
    small cases.
    """

    current: Any = None  # (key, data) of the case being timed

    def __init__(self, generate: Callable[[random.Random, int], List[Any]], n: int) -> None:
        self.generate, self.n = generate, n

    def __call__(self) -> List[Any]:
        if _Data.current is None or _Data.current[0] is not self:
            _Data.current = None  # free the previous case's data first
            _Data.current = (self, self.generate(random.Random(self.n), self.n))
        return _Data.current[1].copy()


def cases(sizes: List[int]) -> List[harness.Case]:
    out = []
    for kind, (generate, dtype) in KINDS.items():
        for n in sizes:
            baselines = {"sorted()": builtins.sorted}
            if np is not None and dtype is not None:
                baselines["numpy round trip"] = _numpy_round_trip(dtype)
            out.append(
                harness.Case(
                    family="list",
                    kind=kind,
                    n=n,
                    make=_Data(generate, n),  # a fresh copy of the same data each run
                    ours=sort.sorted,
                    baselines=baselines,
                    variants={"threads=1": lambda d: sort.sorted(d, threads=1)},
                )
            )
    return out
