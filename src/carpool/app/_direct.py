"""``demo(*args)``: call one sample of an endpoint in-process, with Python values, no server.

The function sees exactly what it would see behind the server -- a batched function gets lists of one
and its one item is taken back out -- so ``demo("abc", 1) == "a"`` holds for the batched and the
unbatched form of the same function. No wire conversion happens: arguments and results are Python.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from carpool.app._signature import FnKind, fn_kind
from carpool.exceptions import BatchShapeError

if TYPE_CHECKING:
    from carpool.app._dependency import Dependency

__all__ = ["call_direct"]


def call_direct(dep: Dependency, args: tuple[Any, ...]) -> Any:
    if dep.fn is None:
        raise TypeError(f"dependency {dep.index} has no function to call")
    if len(args) != len(dep.inputs):
        names = ", ".join(dep.parameter_names) or "none"
        raise TypeError(f"{dep.name} takes {len(dep.inputs)} input(s) ({names}); got {len(args)}")
    values = [[value] for value in args] if dep.batch else list(args)
    call_args, kwargs = dep.binder().arguments(values, [None])
    result = _run_to_end(dep.fn, call_args, kwargs)
    return _one_sample(dep, result) if dep.batch else result


def _run_to_end(fn: Callable[..., Any], args: list[Any], kwargs: dict[str, Any]) -> Any:
    """The function's return value; for a generator, the last value it yielded."""
    kind = fn_kind(fn)
    if kind is FnKind.SYNC:
        return fn(*args, **kwargs)
    if kind is FnKind.SYNC_GENERATOR:
        return _last(fn(*args, **kwargs))
    if kind is FnKind.ASYNC:
        return _run_async(fn(*args, **kwargs))
    return _run_async(_alast(fn(*args, **kwargs)))


def _last(items: Iterator[Any]) -> Any:
    last = None
    for last in items:  # noqa: B007 -- only the final value is wanted
        pass
    return last


async def _alast(items: AsyncIterator[Any]) -> Any:
    last = None
    async for last in items:  # noqa: B007
        pass
    return last


def _run_async(awaitable: Any) -> Any:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(awaitable)
    awaitable.close()
    raise RuntimeError(
        "demo(...) of an async function cannot run inside a running event loop; "
        "await the function itself, or call demo(...) from synchronous code"
    )


def _one_sample(dep: Dependency, result: Any) -> Any:
    """The single item of each output list of a batched function's result (a tuple for several)."""
    count = len(dep.outputs)
    if count == 0:
        return None
    if not _is_column_list(result, count):
        raise BatchShapeError(
            f"batched function {dep.name!r} returned {type(result).__name__} {result!r:.80}; expected "
            f"{count} list(s), one per output, each with 1 item (e.g. `return [outputs]` for one output)"
        )
    items = [column[0] for column in result]
    for item in items:
        if isinstance(item, BaseException):
            raise item
    return items[0] if count == 1 else tuple(items)


def _is_sequence(value: Any) -> bool:
    # numpy arrays and tensors count: a batched model often returns one array per output
    if isinstance(value, str | bytes | bytearray | Mapping):
        return False
    return hasattr(value, "__len__") and hasattr(value, "__getitem__")


def _is_column_list(result: Any, count: int) -> bool:
    if not _is_sequence(result) or len(result) != count:
        return False
    return all(_is_sequence(column) and len(column) == 1 for column in result)
