"""Checking what a batched function returned and cutting it into one-sample values.

A batched function returns one sequence per output, each with one item per event. Anything else is a
``BatchShapeError`` that names the function and describes what came back: silently truncating (as
``zip`` would) hands some events another event's result or leaves them hanging.
"""

from __future__ import annotations

import reprlib
from collections.abc import Mapping
from typing import Any, Final

from carpool.exceptions import BatchShapeError

__all__ = ["FINISHED", "describe", "one_sample_values", "sample_error"]


class _Finished:
    """Type of ``FINISHED``: one instance, compared by identity (pickling keeps it the same object)."""

    def __repr__(self) -> str:
        return "FINISHED"

    def __reduce__(self) -> str:
        return "FINISHED"


FINISHED: Final = _Finished()
"""Put as an item by a batched generator to end that event early; its last generated value is its output."""

_short = reprlib.Repr()
_short.maxstring = 40
_short.maxother = 40


def _is_sequence(value: Any) -> bool:
    if isinstance(value, (str, bytes, bytearray, Mapping)):
        return False
    return hasattr(value, "__len__") and hasattr(value, "__getitem__")


def describe(value: Any) -> str:
    """A short description of a returned value, for error messages."""
    if _is_sequence(value):
        inner = ", ".join(str(len(item)) if _is_sequence(item) else "-" for item in list(value)[:8])
        more = ", ..." if len(value) > 8 else ""
        return f"a {type(value).__name__} of {len(value)} (inner lengths: [{inner}{more}])"
    return f"{type(value).__name__} {_short.repr(value)}"


def one_sample_values(result: Any, n_items: int, n_outputs: int, name: str, what: str) -> list[Any]:
    """Cut a batched ``result`` into ``n_items`` one-sample values (the item, or a tuple of items)."""
    if n_outputs == 0 and result is None:
        return [None] * n_items
    if not _is_sequence(result) or len(result) != n_outputs:
        raise _shape_error(result, n_items, n_outputs, name, what)
    for column in result:
        if not _is_sequence(column) or len(column) != n_items:
            raise _shape_error(result, n_items, n_outputs, name, what)
    if n_outputs == 0:
        return [None] * n_items
    if n_outputs == 1:
        return list(result[0])
    return list(zip(*result, strict=True))


def _shape_error(result: Any, n_items: int, n_outputs: int, name: str, what: str) -> BatchShapeError:
    return BatchShapeError(
        f"batched function {name!r} {what} {describe(result)}; expected {n_outputs} sequence(s), one per "
        f"output, each with {n_items} item(s), one per event (e.g. `return [outputs]` for one output)"
    )


def sample_error(value: Any, n_outputs: int) -> BaseException | None:
    """The exception a one-sample value carries (an item that is an exception fails its event)."""
    if isinstance(value, BaseException):
        return value
    if n_outputs > 1:
        for item in value:
            if isinstance(item, BaseException):
                return item
    return None
