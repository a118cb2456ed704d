"""What calling a function gives: the one classifier that the engine and the app layer share.

A listener's function may be a plain function, a ``functools.partial`` (of a partial...), or an object
whose ``__call__`` does the work, and any of those may be a coroutine or (async) generator function.
The engine must know which before the first call (an async function runs on the loop, a generator
streams), and the app must know the same thing to wrap it and to describe it in ``/info``: one answer,
computed here, for both.
"""

from __future__ import annotations

import enum
import functools
import inspect
from collections.abc import Callable
from typing import Any

__all__ = ["FnKind", "call_target"]


def call_target(fn: Callable[..., Any]) -> Any:
    """The function whose code runs when ``fn`` is called: partials unwrapped, objects by ``__call__``."""
    target: Any = fn
    while True:
        if isinstance(target, functools.partial):
            target = target.func
        elif not inspect.isroutine(target) and not inspect.isclass(target) and hasattr(target, "__call__"):  # noqa: B004
            target = target.__call__
        else:
            return target


class FnKind(enum.Enum):
    SYNC = "sync"
    ASYNC = "async"
    SYNC_GENERATOR = "sync_generator"
    ASYNC_GENERATOR = "async_generator"

    @classmethod
    def of(cls, fn: Callable[..., Any]) -> FnKind:
        # ``fn`` itself too: an object may be marked a coroutine function (``AsyncMock``) as a whole.
        targets = (fn, call_target(fn))
        if any(inspect.isasyncgenfunction(target) for target in targets):
            return cls.ASYNC_GENERATOR
        if any(inspect.iscoroutinefunction(target) for target in targets):
            return cls.ASYNC
        if any(inspect.isgeneratorfunction(target) for target in targets):
            return cls.SYNC_GENERATOR
        return cls.SYNC

    @property
    def runs_on_loop(self) -> bool:
        """Async functions run on the loop, so cancelling their task really stops them."""
        return self in (FnKind.ASYNC, FnKind.ASYNC_GENERATOR)

    @property
    def is_generator(self) -> bool:
        """Calling it gives an iterator of outputs to stream, not the output."""
        return self in (FnKind.SYNC_GENERATOR, FnKind.ASYNC_GENERATOR)
