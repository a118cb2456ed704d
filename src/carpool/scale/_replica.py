"""What runs inside each Ray actor: the user's model, built once, called once per batch.

The actor classes wrap the user's class instead of decorating it, so any plain class (or a plain
function, through a host class) becomes a replica without being written for Ray. A model whose method
is a coroutine runs in an async actor (Ray then runs its calls on the actor's event loop); any other
runs in a plain actor, which executes one batch at a time in submission order, the same guarantee a
GPU model gets from a local worker.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import itertools
import os
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from carpool.scale._ray import ray

__all__ = [
    "AsyncFunctionHost",
    "AsyncReplica",
    "FunctionHost",
    "MergingReplica",
    "SyncReplica",
    "is_async_method",
]


class FunctionHost:
    """Makes a plain batched function look like a model class (``RayPool.from_function``)."""

    def __init__(self, fn: Callable[..., Any]) -> None:
        self.fn = fn

    def __call__(self, *columns: Any) -> Any:
        return self.fn(*columns)


class AsyncFunctionHost(FunctionHost):
    async def __call__(self, *columns: Any) -> Any:
        return await self.fn(*columns)


def is_async_method(factory: Callable[..., Any], method: str) -> bool:
    """Whether ``factory(...).<method>`` is a coroutine function, judged from the class before it runs.

    Raises ValueError for a class without that method and TypeError for a generator method (streaming
    results out of an actor is not supported). A factory that is not a class is taken as sync.
    """
    while isinstance(factory, functools.partial):
        factory = factory.func
    if not inspect.isclass(factory):
        return False
    target = getattr(factory, method, None)
    if target is None:
        raise ValueError(f"{factory.__qualname__} has no method {method!r} to call with each batch")
    if inspect.isgeneratorfunction(target) or inspect.isasyncgenfunction(target):
        raise TypeError(
            f"{factory.__qualname__}.{method} is a generator: a replica pool returns whole batches, "
            "it cannot stream generated items back"
        )
    return inspect.iscoroutinefunction(target)


class _Replica:
    def __init__(
        self, factory: Callable[..., Any], args: Sequence[Any], kwargs: Mapping[str, Any], method: str
    ) -> None:
        # The model loads here, once per replica; an error here is the replica's start error.
        self.call_model = getattr(factory(*args, **kwargs), method)
        self.model_calls = self.samples = 0

    def ready(self) -> int:
        """The replica's pid, once its model is loaded (creation is asynchronous in Ray)."""
        return os.getpid()

    def stats(self) -> dict[str, int]:
        """Model calls and samples run so far: the batch sizes the model itself saw."""
        return {"model_calls": self.model_calls, "samples": self.samples}

    def _counted(self, columns: Sequence[Any]) -> None:
        self.model_calls += 1
        self.samples += _size(columns)


def _size(columns: Sequence[Any]) -> int:
    return len(columns[0]) if columns else 0


@ray.remote
class SyncReplica(_Replica):
    def call(self, *columns: Any) -> Any:
        self._counted(columns)
        return self.call_model(*columns)


@ray.remote
class MergingReplica(_Replica):
    """A sync model whose waiting batches run merged, up to ``limit`` samples per model call.

    Several front processes sharing a replica each send their own batches; they wait here (an async
    actor takes every call at once) and the next model call takes as many waiting batches, oldest
    first, as fit in ``limit`` samples: the model sees one large batch instead of several small
    ones. Each caller gets back its own slice of the outputs. When a merged call fails (or returns
    outputs that do not split: not one sequence per output, each as long as the merged batch), its
    batches run again one by one, so each gets its own result or error, as without merging.
    """

    def __init__(
        self,
        factory: Callable[..., Any],
        args: Sequence[Any],
        kwargs: Mapping[str, Any],
        method: str,
        limit: int,
    ) -> None:
        super().__init__(factory, args, kwargs, method)
        self.limit = limit
        self.waiting: deque[tuple[tuple[Any, ...], asyncio.Future[Any]]] = deque()
        self.runner: asyncio.Task[None] | None = None

    def queued(self) -> int:
        """Batches waiting for the model (not counting the call running now)."""
        return len(self.waiting)

    async def call(self, *columns: Any) -> Any:
        loop = asyncio.get_running_loop()
        answer: asyncio.Future[Any] = loop.create_future()
        self.waiting.append((columns, answer))
        if self.runner is None or self.runner.done():
            self.runner = loop.create_task(self._run_waiting())
        return await answer

    async def _run_waiting(self) -> None:
        while self.waiting:
            group = self._take()
            try:
                await self._run_group(group)
            except BaseException as error:  # never leave a caller waiting for an answer
                for _, answer in group:
                    if not answer.done():
                        answer.set_exception(error)
                if not isinstance(error, Exception):
                    raise

    def _take(self) -> list[tuple[tuple[Any, ...], asyncio.Future[Any]]]:
        group = [self.waiting.popleft()]
        size = _size(group[0][0])
        while self.waiting and size + _size(self.waiting[0][0]) <= self.limit:
            size += _size(self.waiting[0][0])
            group.append(self.waiting.popleft())
        return group

    async def _run_group(self, group: list[tuple[tuple[Any, ...], asyncio.Future[Any]]]) -> None:
        if len(group) > 1:
            width = len(group[0][0])
            merged = [
                list(itertools.chain.from_iterable(columns[j] for columns, _ in group)) for j in range(width)
            ]
            parts = await self._merged(merged, [_size(columns) for columns, _ in group])
            if parts is not None:
                for (_, answer), part in zip(group, parts, strict=True):
                    if not answer.done():
                        answer.set_result(part)
                return
        for columns, answer in group:  # alone, or again one by one after a failed merged call
            try:
                self._counted(columns)
                result = await asyncio.to_thread(self.call_model, *columns)
            except Exception as error:
                if not answer.done():
                    answer.set_exception(error)
            else:
                if not answer.done():
                    answer.set_result(result)

    async def _merged(self, merged: list[list[Any]], sizes: list[int]) -> list[list[Any]] | None:
        try:
            self._counted(merged)
            outputs = await asyncio.to_thread(self.call_model, *merged)
        except Exception:
            return None
        total = sum(sizes)
        if not isinstance(outputs, (list, tuple)) or not all(
            hasattr(output, "__len__") and len(output) == total for output in outputs
        ):
            return None
        bounds = list(itertools.accumulate(sizes, initial=0))
        return [[output[start:end] for output in outputs] for start, end in itertools.pairwise(bounds)]


@ray.remote
class AsyncReplica(_Replica):
    async def call(self, *columns: Any) -> Any:
        self._counted(columns)
        return await self.call_model(*columns)
