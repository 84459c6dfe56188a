"""Type stubs for the compiled module; `sort/__init__.py` re-exports `sorted` and `sort`."""

from typing import Any, Callable, Iterable, List, Optional, TypeVar, overload

T = TypeVar("T")

def sorted(
    iterable: Iterable[T],
    /,
    *,
    key: Optional[Callable[[T], Any]] = None,
    reverse: bool = False,
    threads: Optional[int] = None,
) -> List[T]:
    """Return a new sorted list: a drop-in for the builtin ``sorted()``."""
@overload
def sort(
    obj: List[T],
    /,
    *,
    key: Optional[Callable[[T], Any]] = ...,
    reverse: bool = ...,
    threads: Optional[int] = ...,
) -> None: ...
@overload
def sort(
    obj: Any,  # a writable buffer; typing.Buffer needs Python 3.12
    /,
    *,
    reverse: bool = ...,
    threads: Optional[int] = ...,
) -> None: ...

__version__: str

def sleep_sort(values: Iterable[int], unit: float) -> List[int]: ...
def _sleep_sort_arrivals(values: Iterable[int], unit: float) -> List[int]: ...
def sort_list(
    lst: List[Any],
    key: Optional[Callable[[Any], Any]],
    reverse: bool,
    threads: Optional[int],
) -> None:
    """Sort `lst` in place exactly as `list.sort(key=key, reverse=reverse)` would.

    Raises TypeError if `lst` is not a list or `threads` is not None/int; ValueError if
    `threads` < 1 or the list was changed during the sort; whatever `key` or a comparison
    raises.
    """
def sort_buffer(buf: Any, reverse: bool, threads: Optional[int], /) -> None: ...
def argsort_buffer(
    buf: Any, reverse: bool, threads: Optional[int], new_output: Callable[[int], Any]
) -> Any:
    """The stable permutation sorting the numeric buffer `buf`, written into `new_output(n)`
    (a writable int64 buffer of n elements), which is returned."""
def argsort_list(lst: List[Any], reverse: bool, threads: Optional[int]) -> List[int]:
    """`sorted(range(len(lst)), key=lst.__getitem__, reverse=reverse)`."""
