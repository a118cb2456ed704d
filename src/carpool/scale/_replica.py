"""What runs inside each Ray actor: the user's model, built once, called once per batch.

The actor classes wrap the user's class instead of decorating it, so any plain class (or a plain
function, through a host class) becomes a replica without being written for Ray. A model whose method
is a coroutine runs in an async actor (Ray then runs its calls on the actor's event loop); any other
runs in a plain actor, which executes one batch at a time in submission order, the same guarantee a
GPU model gets from a local worker.
"""

from __future__ import annotations

import functools
import inspect
import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from carpool.scale._ray import ray

__all__ = ["AsyncFunctionHost", "AsyncReplica", "FunctionHost", "SyncReplica", "is_async_method"]


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

    def ready(self) -> int:
        """The replica's pid, once its model is loaded (creation is asynchronous in Ray)."""
        return os.getpid()


@ray.remote
class SyncReplica(_Replica):
    def call(self, *columns: Any) -> Any:
        return self.call_model(*columns)


@ray.remote
class AsyncReplica(_Replica):
    async def call(self, *columns: Any) -> Any:
        return await self.call_model(*columns)
