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
) -> None: ...
def sort_buffer(buf: Any, reverse: bool, threads: Optional[int]) -> None: ...
