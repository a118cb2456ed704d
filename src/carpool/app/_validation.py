"""``validator=`` on a listener, and ``carpool.validate`` / ``carpool.skip`` (Gradio's helpers).

A validator is called with the listener's input values before its function. It returns
``validate(is_valid, message)`` -- or a list of them, one per input -- and when any says invalid, the
function does not run: the event fails with those messages (a user-facing ``carpool.Error``, so the page
and API clients see them). ``None`` (or nothing) means valid.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Callable, Generator, Sequence
from typing import Any

from carpool.app._signature import FnKind, fn_kind
from carpool.components import update
from carpool.exceptions import Error

__all__ = ["skip", "validate", "with_validator"]

_VALIDATE = "validate"


def validate(is_valid: bool, message: str) -> dict[str, Any]:
    """What a validator returns for one input: ``validate(age >= 3, "Age must be at least 3")``."""
    return {"__type__": _VALIDATE, "is_valid": bool(is_valid), "message": str(message)}


def skip() -> dict[str, Any]:
    """Return it for an output (or as the whole return) to leave the output as it is."""
    return update()


def _problems(result: Any, names: Sequence[str]) -> list[str]:
    items = result if isinstance(result, list | tuple) else [result]
    problems = []
    for index, item in enumerate(items):
        if item is None:
            continue
        if not isinstance(item, dict) or item.get("__type__") != _VALIDATE:
            raise TypeError(f"a validator returns carpool.validate(...) (or a list of them), got {item!r}")
        if not item["is_valid"]:
            where = names[index] if len(items) > 1 and index < len(names) else None
            problems.append(f"{where}: {item['message']}" if where else str(item["message"]))
    return problems


def with_validator(fn: Callable[..., Any], validator: Callable[..., Any], names: Sequence[str]) -> Any:
    """``fn`` that first runs ``validator`` on the same input values (same kind of function as ``fn``)."""

    def check(args: tuple[Any, ...]) -> None:
        problems = _problems(validator(*args), names)
        if problems:
            raise Error("; ".join(problems))

    kind = fn_kind(fn)
    if kind is FnKind.ASYNC_GENERATOR:

        @functools.wraps(fn)
        async def async_generator(*args: Any, **kwargs: Any) -> AsyncIterator[Any]:
            check(args)
            async for item in fn(*args, **kwargs):
                yield item

        return async_generator
    if kind is FnKind.SYNC_GENERATOR:

        @functools.wraps(fn)
        def generator(*args: Any, **kwargs: Any) -> Generator[Any, Any, Any]:
            check(args)
            return (yield from fn(*args, **kwargs))

        return generator
    if kind is FnKind.ASYNC:

        @functools.wraps(fn)
        async def coroutine(*args: Any, **kwargs: Any) -> Any:
            check(args)
            return await fn(*args, **kwargs)

        return coroutine

    @functools.wraps(fn)
    def function(*args: Any, **kwargs: Any) -> Any:
        check(args)
        return fn(*args, **kwargs)

    return function
