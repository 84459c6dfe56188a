"""Sorting on many Rust threads, with the GIL released.

``sort`` hands Python an ordinary module whose work runs on ``std::thread``s over shared memory
while other Python threads keep running:

- :func:`sleep_sort` is the 2016 demo: one thread per distinct value sleeps for
  ``(value - min) * unit`` seconds and then appends its value to a shared list.
- :func:`sorted` and :func:`sort` are drop-ins for the builtin ``sorted()`` and ``list.sort``:
  the same result, object for object, computed in parallel when the keys are plain ints,
  floats, strs or bytes, and by CPython's own sort otherwise.
- :func:`sort` also sorts writable numeric buffers (``array.array``, numpy arrays,
  ``memoryview``, ``bytearray``) in place, on all cores.
- :func:`argsort` returns the stable permutation that sorts a numeric buffer or a list
  (numpy's ``argsort(kind="stable")``, in parallel); :mod:`sort.dataframe` sorts pandas
  frames with it, and is a partition sort for Dask.

>>> import sort
>>> sort.sleep_sort([5, 1, 2, 6, 8, 2, 4, 2, 3, 8, 0, 2], unit=0.01)
[0, 1, 2, 2, 2, 2, 3, 4, 5, 6, 8, 8]
>>> sort.sorted(["pear", "fig", "apple"], key=len)
['fig', 'pear', 'apple']
"""

from __future__ import annotations

import array as _array
import builtins as _builtins
import sys as _sys
from typing import Any, Callable, Iterable, List, Optional

try:
    from . import _sort
except ImportError as error:  # pragma: no cover - depends on how the package was installed
    raise ImportError(
        "sort's compiled extension (sort._sort) is missing. If you are inside the source "
        "checkout, Python is importing the source directory: run from another directory "
        "after `pip install .`, or build in place with `python setup.py build_ext --inplace`."
    ) from error

# `sorted` and `sort` are C-level functions, like the builtins they stand in for: a Python
# wrapper's fixed cost would make them slower than `sorted()` and `list.sort` on short lists.
# Their docstrings and signatures live in src/docstrings/, their types in _sort.pyi.
from ._sort import sort, sorted  # noqa: E402 - needs the import check above

__all__ = ["argsort", "sleep_sort", "sort", "sorted"]

# The one place the version is written: setuptools reads it from here (statically), and a
# test checks that Cargo.toml, compiled into sort._sort.__version__, agrees.
__version__ = "0.1.0"


def sleep_sort(values: Iterable[int], unit: float = 0.1) -> List[int]:
    """Sort ints by sleeping: the 2016 article's algorithm, made correct and safe.

    One ``std::thread`` per distinct value waits for a common start (taken after every thread
    has been spawned), sleeps until ``(value - min(values)) * unit`` seconds after it, then
    pushes its value and count into a shared ``Arc<Mutex<Vec<_>>>``; the caller joins them
    all. The GIL is released meanwhile, so other Python threads keep running, and several
    threads may call ``sleep_sort`` at once. The call takes about ``(max - min) * unit``
    seconds; an empty input returns ``[]`` at once.

    Threads can wake late on a busy machine, so a final stable insertion pass repairs the few
    values that arrive out of order: the result is always ascending, for every ``unit``
    including 0.

    >>> sleep_sort([5, 1, 2, 6, 8, 2, 4, 2, 3, 8, 0, 2], unit=0.01)
    [0, 1, 2, 2, 2, 2, 3, 4, 5, 6, 8, 8]
    >>> sleep_sort({3, -1, 2}, unit=0.001)
    [-1, 2, 3]

    Args:
        values: any iterable of ints, read once (a list, set, generator...). Negative values
            are fine; ``True`` and ``False`` count as ``1`` and ``0`` (the result holds plain
            ints), and so do integer-like objects with ``__index__`` such as ``numpy.int64``.
            Floats, even ``1.0``, are rejected. At most 16,384 distinct values (one thread
            each; duplicates are free).
        unit: seconds of sleep per unit of value: a real number, finite and >= 0, rounded to
            the nearest nanosecond.

    Returns:
        A new list with the values in ascending order.

    Raises:
        TypeError: an element is not an int (the message gives its index and type), or
            ``unit`` is not a real number.
        OverflowError: a value does not fit in a signed 64-bit int (the message gives its
            index), or ``(max - min) * unit`` is too long to sleep.
        ValueError: ``unit`` is negative, NaN or infinite, or there are more than 16,384
            distinct values; nothing is spawned then.
        RuntimeError: the operating system refused a thread; every thread already started is
            woken and joined first.
        KeyboardInterrupt: Ctrl-C; every sleeping thread is woken and joined first.
    """
    return _sort.sleep_sort(values, unit)


# Below this many elements CPython's own sort is about as fast as any native path and the call
# into Rust would be pure overhead, so `argsort` hands such lists straight to `sorted()`
# (after validating `threads`, which `sorted()` does not know), as src/py_list.rs does.
_SMALL = 128


def _check_threads(threads: Any) -> None:
    """Raise what the native code raises for a bad ``threads=`` (one definition of "bad")."""
    if type(threads) is not int or threads < 1:
        _sort.sort_list([], None, False, threads)


def _int64_output(obj: Any) -> Callable[[int], Any]:
    """A maker of the int64 result for ``argsort(obj)``: numpy for numpy, else array('q')."""
    # numpy is looked up, never imported: if it is not loaded, `obj` is no numpy array.
    numpy = _sys.modules.get("numpy")
    if numpy is not None and isinstance(obj, numpy.ndarray):
        return lambda n: numpy.empty(n, dtype=numpy.int64)
    return lambda n: _array.array("q", bytes(8 * n))


def argsort(
    obj: Any,
    /,
    *,
    key: Optional[Callable[[Any], Any]] = None,
    reverse: bool = False,
    threads: Optional[int] = None,
) -> Any:
    """Return the stable permutation that sorts a numeric buffer or a list; ``obj`` is unchanged.

    For a 1-dimensional, C-contiguous buffer of signed or unsigned 8/16/32/64-bit ints or
    32/64-bit floats in native byte order (the formats :func:`sort` takes; read-only buffers
    such as ``bytes`` are fine), the result equals ``numpy.argsort(obj, kind="stable")``
    element for element: indices of equal elements in input order, floats by value with
    ``-0.0 == 0.0`` and NaNs last. ``reverse=True`` gives the descending order with equal
    elements still in input order and NaNs still last (not ``argsort(...)[::-1]``). It is a
    numpy ``int64`` array when ``obj`` is a numpy array, an ``array.array('q')`` otherwise
    (numpy is never imported by this function). The keys are read once and radix-sorted as
    (key, index) records by Rust threads with the GIL released (buffers of up to 32768
    elements on the calling thread). Writing to the buffer from another thread meanwhile gives
    an unspecified permutation, never a crash.

    For a list, the result is ``sorted(range(len(obj)), key=lambda i: keys[i],
    reverse=reverse)`` as a list of ints, where ``keys`` is ``obj`` (a snapshot taken at the
    call) or ``[key(x) for x in obj]``: ``key`` is called once per element, in order. Keys
    that :func:`sorted` sorts natively (exact 64-bit ints, non-NaN floats, strs, bytes, all of
    one kind) are sorted by Rust threads; any other list is sorted by CPython's own
    ``sorted()`` with its comparisons and exceptions.

    >>> import array
    >>> list(argsort(array.array("d", [3.0, float("nan"), -1.0, 3.0])))
    [2, 0, 3, 1]
    >>> argsort(["pear", "fig", "apple"], key=len, reverse=True)
    [2, 0, 1]

    Args:
        obj: a list, or a buffer of a numeric format.
        key: a one-argument function computing each element's sort key (lists only).
        reverse: descending order (stable; NaNs of buffers still last).
        threads: the most threads to use; ``None`` uses every CPU this process may run on.

    Returns:
        The permutation: ``numpy.ndarray`` of int64, ``array.array('q')``, or a list of ints.

    Raises:
        TypeError: ``key`` given for a buffer, an unsupported format (float16, bool, complex,
            object, non-native byte order, ...), or an object that is neither a list nor a
            buffer; ``threads`` not None or an int; whatever ``key`` or a comparison raises.
        ValueError: a non-contiguous, 0-dimensional or multi-dimensional buffer; ``threads``
            < 1.
        MemoryError: not enough memory for the records.
    """
    if isinstance(obj, list):
        keys = obj if key is None else [key(x) for x in obj]
        if len(keys) < _SMALL:
            if threads is not None:
                _check_threads(threads)
            return _builtins.sorted(range(len(keys)), key=list(keys).__getitem__, reverse=reverse)
        return _sort.argsort_list(keys, reverse, threads)
    if key is not None:
        raise TypeError(
            "sort.argsort(): key= is only supported for lists, not for "
            f"{type(obj).__name__!r} buffers"
        )
    return _sort.argsort_buffer(obj, reverse, threads, _int64_output(obj))
