"""Where synchronous functions run, off the event loop.

The ``Executor`` protocol is the seam for scaling out: the default ``ThreadExecutor`` runs calls in a
bounded thread pool; a Ray executor would send the same calls to actors that hold the model. Async
functions never go through it: they run on the loop.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol, TypeVar

__all__ = ["Executor", "ThreadExecutor"]

T = TypeVar("T")


class Executor(Protocol):
    async def run(self, fn: Callable[..., T], /, *args: Any) -> T:
        """Run ``fn(*args)`` away from the event loop and return its result (or raise its error)."""
        ...

    def shutdown(self) -> None:
        """Release the workers; calls still running may finish but their results are not awaited."""
        ...


class ThreadExecutor:
    """A bounded pool of threads; each call runs in a copy of the caller's context (for progress)."""

    def __init__(self, max_workers: int = 64, *, thread_name_prefix: str = "carpool") -> None:
        if max_workers < 1:
            raise ValueError(f"max_workers must be >= 1, got {max_workers}")
        self.max_workers = max_workers
        self._pool = ThreadPoolExecutor(max_workers, thread_name_prefix=thread_name_prefix)

    async def run(self, fn: Callable[..., T], /, *args: Any) -> T:
        context = contextvars.copy_context()
        call = functools.partial(context.run, fn, *args)
        return await asyncio.get_running_loop().run_in_executor(self._pool, call)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
