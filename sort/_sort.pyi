"""Type stubs for the compiled module; the public API is in sort/__init__.py."""

from typing import Any, Callable, Iterable, List, Optional

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
def sort_buffer(buf: Any, reverse: bool, threads: Optional[int]) -> None: ...
