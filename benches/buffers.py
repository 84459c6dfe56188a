"""Buffer benchmarks: `sort.sort(buf)` in place against numpy's in-place sort of the same data.

The baseline is `ndarray.sort()` (in place, default kind "quicksort", i.e. numpy's introsort or
its SIMD sort where the CPU has one), not `numpy.sort()`, which would also pay for a copy.
Every run sorts a fresh copy of the same random data (`make` is not timed).

- "numpy int64/float64/int32": numpy arrays ("float64 [0,1)": `random()` floats, whose keys share
  their top bits); "sort threads=1" is our sort on one thread.
- "array('q')/array('d')": `array.array`s sorted by `sort.sort`, compared with numpy sorting
  the same `array.array` through a zero-copy `numpy.frombuffer` view (same data, same memory).
"""

from __future__ import annotations

import array
from typing import List

import harness

import sort

try:
    import numpy
except ImportError:  # pragma: no cover - the buffer family needs numpy for its baseline
    numpy = None


def _numpy_data(kind: str, n: int):
    rng = numpy.random.default_rng(12345)
    if kind == "int64":
        return rng.integers(-(2**63), 2**63 - 1, n, dtype=numpy.int64)
    if kind == "int32":
        return rng.integers(-(2**31), 2**31 - 1, n, dtype=numpy.int32)
    if kind == "float64 [0,1)":
        return rng.random(n)  # one sign, nearly one exponent: the top key bits barely vary
    return rng.standard_normal(n) * 1e6  # float64


def cases(sizes: List[int]) -> List[harness.Case]:
    if numpy is None:
        print("buffers: numpy is not installed; skipping the buffer family")
        return []
    out = []
    for n in sizes:
        for kind in ("int64", "float64", "float64 [0,1)", "int32"):
            data = _numpy_data(kind, n)
            out.append(
                harness.Case(
                    family="buffer",
                    kind=f"numpy {kind}",
                    n=n,
                    make=data.copy,
                    ours=sort.sort,
                    baselines={"numpy.sort": numpy.ndarray.sort},
                    variants={"threads=1": lambda a: sort.sort(a, threads=1)},
                )
            )
        for code, kind in (("q", "int64"), ("d", "float64")):
            source = array.array(code, _numpy_data(kind, n).tobytes())
            dtype = numpy.dtype(kind)
            out.append(
                harness.Case(
                    family="buffer",
                    kind=f"array('{code}')",
                    n=n,
                    make=lambda source=source: array.array(source.typecode, source),
                    ours=sort.sort,
                    # numpy sorting the very same array.array memory through a zero-copy view.
                    baselines={
                        "numpy.sort": lambda a, dtype=dtype: numpy.frombuffer(a, dtype).sort()
                    },
                    variants={"threads=1": lambda a: sort.sort(a, threads=1)},
                )
            )
    return out
