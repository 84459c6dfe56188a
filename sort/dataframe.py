"""Sorting pandas DataFrames with :func:`sort.argsort`, and the partition sort of Dask.

``sort.dataframe.sort_values(df, by, ...)`` returns the frame that
``df.sort_values(by, ..., kind="stable")`` returns (same values, dtypes and index), computed
as the stable permutation of the key columns (:func:`sort.argsort`, parallel, with the GIL
released) followed by one ``df.take``. Its signature is the one Dask expects of a
``sort_function``, so a Dask cluster can sort every partition with it::

    ddf.sort_values("x", sort_function=sort.dataframe.sort_values)

pandas is imported when this module is imported (``import sort`` alone never imports it);
install it with ``pip install "sort[dataframe]"`` (or ``"sort[dask]"`` for Dask).
"""

from __future__ import annotations

from typing import Any, List, Sequence, Union

try:
    import numpy as np
    import pandas as pd
except ImportError as error:  # pragma: no cover - depends on the environment
    raise ImportError(
        "sort.dataframe needs pandas (and numpy): install them with "
        '`pip install "sort[dataframe]"`'
    ) from error

from . import argsort

__all__ = ["sort_values", "argsort_frame"]

# numpy dtype kinds whose values sort.argsort reads directly: signed and unsigned ints,
# floats (NaN is pandas' missing value there, and argsort already puts NaNs last).
_NUMERIC_KINDS = "iuf"
# Item sizes sort.argsort takes (float16 is not one of them).
_SIZES = {"i": (1, 2, 4, 8), "u": (1, 2, 4, 8), "f": (4, 8)}


def sort_values(
    df: "pd.DataFrame",
    by: Union[Any, Sequence[Any]],
    ascending: Union[bool, Sequence[bool]] = True,
    na_position: str = "last",
    **kwargs: Any,
) -> "pd.DataFrame":
    """Return ``df`` sorted by the columns ``by``: ``df.sort_values(by, kind="stable")``.

    The result equals ``df.sort_values(by, ascending=ascending, na_position=na_position,
    kind="stable")``: the same values, dtypes and index, rows with equal keys in their original
    order, missing values (NaN, None, NaT, ``pd.NA``) first or last as ``na_position`` says,
    whatever the direction. ``by`` is a column name or a list of them (compared
    lexicographically, each with its own direction when ``ascending`` is a list).

    Key columns of ints, floats, bools, datetimes/timedeltas (any unit or time zone), nullable
    ints and bools, and strings (``object`` or ``str`` dtype) are sorted by
    :func:`sort.argsort`; any other dtype, and any argument this function does not handle
    itself (``key=``, ``axis=1``, ``inplace=True``, index level names in ``by``...), is
    delegated to pandas' own ``sort_values`` for that call, so the result is always pandas'.

    The signature fits Dask's ``sort_function``, which receives ``by``, ``ascending``,
    ``na_position`` and ``ignore_index`` as keywords::

        ddf.sort_values("x", sort_function=sort.dataframe.sort_values)

    Args:
        df: the frame to sort (not modified).
        by: a column name, or a list of column names.
        ascending: one direction for every key, or a list with one per key.
        na_position: ``"last"`` or ``"first"``.
        **kwargs: ``ignore_index=True`` gives the result a fresh ``RangeIndex``; ``kind`` is
            accepted and ignored (the sort is always stable, a valid result for every kind);
            anything else goes to pandas.

    Returns:
        A new DataFrame.

    Raises:
        Whatever ``df.sort_values`` raises for the same arguments (KeyError for an unknown
        column, ValueError for a bad ``na_position`` or ``ascending`` of the wrong length).
    """
    ignore_index = kwargs.pop("ignore_index", False)
    kwargs.pop("kind", None)
    keys = list(by) if isinstance(by, list) else [by]
    directions = _directions(ascending, len(keys))
    simple = (
        not kwargs
        and directions is not None
        and na_position in ("first", "last")
        and isinstance(df, pd.DataFrame)
        and all(_is_unique_column(df, k) for k in keys)
    )
    order = None
    if simple:
        order = argsort_frame(df, keys, directions, na_position)
    if order is None:
        return df.sort_values(
            by,
            ascending=ascending,
            na_position=na_position,
            kind="stable",
            ignore_index=ignore_index,
            **kwargs,
        )
    result = df.take(order)
    if ignore_index:
        result = result.reset_index(drop=True)
    return result


def argsort_frame(
    df: "pd.DataFrame",
    by: Sequence[Any],
    ascending: Sequence[bool],
    na_position: str = "last",
) -> "Any":
    """The stable permutation that sorts ``df`` by the columns ``by`` (a numpy int64 array),
    or ``None`` if a key column has a dtype this module does not sort (then ask pandas).

    Lexicographic order by stable passes from the last key to the first: each pass sorts the
    rows, in the order the later keys left them, by one key; stability keeps that order among
    equal keys.
    """
    n = len(df)
    order = None
    for key, up in zip(reversed(list(by)), reversed(list(ascending))):
        column = df[key]
        values = column if order is None else column.take(order)
        perm = _column_order(values, up, na_position == "last")
        if perm is None:
            return None
        order = perm if order is None else order.take(perm)
    if order is None:  # no keys at all
        order = np.arange(n, dtype=np.int64)
    return order


def _directions(ascending: Any, count: int) -> Union[List[bool], None]:
    """One bool per key, or None when pandas should judge (and raise for) ``ascending``."""
    if isinstance(ascending, (list, tuple)):
        if len(ascending) != count:
            return None
        if not all(isinstance(a, (bool, np.bool_)) for a in ascending):
            return None
        return [bool(a) for a in ascending]
    if isinstance(ascending, (bool, np.bool_)):
        return [bool(ascending)] * count
    return None


def _is_unique_column(df: "pd.DataFrame", key: Any) -> bool:
    """Whether ``key`` names exactly one column (not an index level, not a duplicate)."""
    try:
        return key in df.columns and isinstance(df.columns.get_loc(key), int)
    except TypeError:  # unhashable
        return False


def _column_order(column: "pd.Series", ascending: bool, na_last: bool) -> Any:
    """The stable permutation that sorts one column by pandas' rules, or None."""
    dtype = column.dtype
    if isinstance(dtype, np.dtype):
        if dtype.kind in _NUMERIC_KINDS and dtype.itemsize in _SIZES[dtype.kind]:
            values = np.ascontiguousarray(column.to_numpy())
            perm = argsort(values, reverse=not ascending)
            if dtype.kind == "f" and not na_last:
                # argsort puts NaNs last, in input order, in both directions; pandas' "first"
                # wants that same block at the front.
                missing = int(np.count_nonzero(np.isnan(values)))
                if missing:
                    k = len(perm) - missing
                    perm = np.concatenate((perm[k:], perm[:k]))
            return perm
        if dtype.kind == "b":
            values = np.ascontiguousarray(column.to_numpy()).view(np.uint8)
            return argsort(values, reverse=not ascending)
        if dtype.kind == "O":
            return _object_order(column.to_numpy(), ascending, na_last)
    array = column.array
    if hasattr(array, "asi8") and dtype.kind in "mM":
        # Datetimes and timedeltas (time zone or not) as int64; NaT is the smallest int64, so
        # it forms one block at the front (ascending) or the back (descending), in input order.
        values = np.ascontiguousarray(array.asi8)
        perm = argsort(values, reverse=not ascending)
        missing = int(np.count_nonzero(column.isna().to_numpy()))
        if missing:
            at_front = ascending
            if at_front and na_last:
                perm = np.concatenate((perm[missing:], perm[:missing]))
            elif not at_front and not na_last:
                k = len(perm) - missing
                perm = np.concatenate((perm[k:], perm[:k]))
        return perm
    if isinstance(dtype, pd.StringDtype):
        return _object_order(column.to_numpy(dtype=object, na_value=None), ascending, na_last)
    if pd.api.types.is_extension_array_dtype(dtype) and dtype.kind in "iub":
        # Nullable ints and bools: the values with a mask of missing ones.
        mask = column.isna().to_numpy()
        numpy_dtype = np.uint8 if dtype.kind == "b" else dtype.numpy_dtype
        values = column.to_numpy(dtype=numpy_dtype, na_value=0)
        return _masked_order(values, mask, ascending, na_last)
    return None


def _masked_order(values: Any, mask: Any, ascending: bool, na_last: bool) -> Any:
    """Stable order of ``values`` where ``mask`` marks missing ones (kept in input order)."""
    if not mask.any():
        return argsort(np.ascontiguousarray(values), reverse=not ascending)
    present = np.flatnonzero(~mask)
    missing = np.flatnonzero(mask)
    ordered = present.take(argsort(np.ascontiguousarray(values[present]), reverse=not ascending))
    parts = (ordered, missing) if na_last else (missing, ordered)
    return np.concatenate(parts).astype(np.int64, copy=False)


def _object_order(values: Any, ascending: bool, na_last: bool) -> Any:
    """Stable order of an object array (strs, or anything Python compares), nulls apart."""
    mask = pd.isna(values)
    if mask.any():
        present = np.flatnonzero(~mask)
        missing = np.flatnonzero(mask)
        ordered = present.take(
            np.asarray(argsort(values[present].tolist(), reverse=not ascending), dtype=np.int64)
        )
        parts = (ordered, missing) if na_last else (missing, ordered)
        return np.concatenate(parts).astype(np.int64, copy=False)
    return np.asarray(argsort(values.tolist(), reverse=not ascending), dtype=np.int64)
