"""Where synchronous functions run, off the event loop.

The ``Executor`` protocol is the seam for scaling out: the default ``ThreadExecutor`` runs calls in a
bounded thread pool; a Ray executor would send the same calls to actors that hold the model. Async
functions never go through it: they run on the loop.

A thread cannot be stopped from outside. A sync call that runs past its listener's ``time_limit`` is
abandoned (its events fail, its slot frees) but keeps its thread until it returns, if ever. So each
concurrency group runs on a *lane*, a pool of its own bounded by :func:`thread_budget`: a function that
hangs again and again holds at most its own group's threads, never the ones every other endpoint needs.
Abandoned calls still running are counted (``stuck``, shown in ``/metrics``) and logged.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Protocol, TypeVar

__all__ = ["Executor", "ThreadExecutor", "thread_budget"]

T = TypeVar("T")

logger = logging.getLogger("carpool.core")


class Executor(Protocol):
    async def run(self, fn: Callable[..., T], /, *args: Any) -> T:
        """Run ``fn(*args)`` away from the event loop and return its result (or raise its error)."""
        ...

    def shutdown(self) -> None:
        """Release the workers; calls still running may finish but their results are not awaited."""
        ...


def thread_budget(concurrency_limit: int | None, max_workers: int) -> int:
    """Threads one concurrency group may hold: room for ``concurrency_limit`` calls running and as many
    abandoned ones, at most ``max_workers`` (the budget of a group without a limit)."""
    if concurrency_limit is None:
        return max_workers
    return max(1, min(max_workers, 2 * concurrency_limit))


class ThreadExecutor:
    """A bounded pool of threads; each call runs in a copy of the caller's context (for progress)."""

    def __init__(self, max_workers: int = 64, *, thread_name_prefix: str = "carpool") -> None:
        if max_workers < 1:
            raise ValueError(f"max_workers must be >= 1, got {max_workers}")
        self.max_workers = max_workers
        self.name = thread_name_prefix
        self._pool = ThreadPoolExecutor(max_workers, thread_name_prefix=thread_name_prefix)
        self._lanes: dict[str, ThreadExecutor] = {}
        self._lock = threading.Lock()  # ``_stuck`` also changes in worker threads
        self._stuck = 0

    def lane(self, name: str, max_workers: int) -> ThreadExecutor:
        """The pool of one concurrency group, made on first use with ``max_workers`` threads at most."""
        lane = self._lanes.get(name)
        if lane is None:
            lane = self._lanes[name] = ThreadExecutor(max_workers, thread_name_prefix=f"{self.name}-{name}")
        return lane

    @property
    def stuck(self) -> int:
        """Calls no longer awaited (their time limit passed) that still hold a thread of this pool."""
        with self._lock:
            return self._stuck

    async def run(self, fn: Callable[..., T], /, *args: Any) -> T:
        context = contextvars.copy_context()
        future = self._pool.submit(context.run, fn, *args)
        try:
            return await asyncio.wrap_future(future)
        except asyncio.CancelledError:
            if not future.done():  # running in its thread (a queued call was cancelled with us)
                self._abandoned(future)
            raise

    def _abandoned(self, future: Future[Any]) -> None:
        with self._lock:
            self._stuck += 1
            stuck = self._stuck
        logger.warning(
            "%s: a call still runs in its thread after it was given up (time limit or shutdown); "
            "%d such thread(s) held of %d",
            self.name,
            stuck,
            self.max_workers,
        )
        future.add_done_callback(self._returned)

    def _returned(self, _: Future[Any]) -> None:
        with self._lock:
            self._stuck -= 1
            stuck = self._stuck
        logger.info("%s: a call given up earlier returned; %d thread(s) still held", self.name, stuck)

    def shutdown(self) -> None:
        for lane in self._lanes.values():
            lane.shutdown()
        self._pool.shutdown(wait=False, cancel_futures=True)
