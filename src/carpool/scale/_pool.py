"""``RayPool``: a batched function whose batches run on a pool of Ray actors, each holding the model.

carpool's queue stays in this process and keeps forming batches; the pool only decides where a batch
runs. It is an async callable with the batched-function signature (one list per input in, one list per
output back), so the engine awaits it on its event loop and ``concurrency_limit`` batches are in
flight at once, one per replica when the limit is ``pool.recommended_concurrency``.
"""

from __future__ import annotations

import asyncio
import inspect
import threading
from collections.abc import Callable, Mapping, Sequence
from types import TracebackType
from typing import Any

from carpool.scale._cluster import connect
from carpool.scale._code import ship_defining_module
from carpool.scale._errors import (
    PoolClosedError,
    RemoteTraceback,
    ReplicaDiedError,
    ReplicaStartError,
    model_error,
)
from carpool.scale._ray import ray, ray_errors
from carpool.scale._replica import (
    AsyncFunctionHost,
    AsyncReplica,
    FunctionHost,
    SyncReplica,
    is_async_method,
)
from carpool.scale._replicas import Replica, ReplicaSet

__all__ = ["RayPool"]


class RayPool:
    """Run a model's batches on ``num_replicas`` Ray actors; ``await pool(*lists)`` runs one batch.

    ``model_cls(*init_args, **init_kwargs)`` is built once in each actor (load weights in its
    ``__init__``) and ``getattr(model, method)(*lists)`` runs each batch there. ``actor_options`` go to
    Ray (``{"num_gpus": 1}`` pins each replica to a GPU). Ray is initialised on ``start()`` unless it
    already is: ``address=None`` starts a local cluster, ``"auto"`` or ``"ray://host:10001"`` joins
    one; ``init_options`` go to ``ray.init``. A keyword argument that is not a pool option goes to the
    model; to pass one that shares a pool option's name, give ``functools.partial(model_cls, ...)``.
    """

    def __init__(
        self,
        model_cls: Callable[..., Any],
        /,
        *init_args: Any,
        num_replicas: int = 1,
        actor_options: Mapping[str, Any] | None = None,
        method: str = "__call__",
        address: str | None = None,
        init_options: Mapping[str, Any] | None = None,
        name: str | None = None,
        start_timeout: float = 600.0,
        **init_kwargs: Any,
    ) -> None:
        if num_replicas < 1:
            raise ValueError(f"num_replicas must be >= 1, got {num_replicas}")
        self.is_async = is_async_method(model_cls, method)
        ship_defining_module(model_cls)
        self.num_replicas = num_replicas
        self.address = address
        self.actor_options = dict(actor_options or {})
        self.init_options = dict(init_options or {})
        self.start_timeout = start_timeout
        # carpool names endpoints and errors after the function: name the pool after the model.
        self.__name__: str = name or getattr(model_cls, "__name__", None) or type(self).__name__
        self.__qualname__ = self.__name__
        self._replica_class: Any = AsyncReplica if self.is_async else SyncReplica
        self._replica_args = (model_cls, init_args, init_kwargs, method)
        # Batches one replica takes at once: Ray's max_concurrency when given (async models), else 1.
        self._replicas = ReplicaSet(self.__name__, int(self.actor_options.get("max_concurrency", 1)))
        self._start_lock = threading.Lock()  # held while replicas start (seconds)

    @classmethod
    def from_function(
        cls,
        fn: Callable[..., Any],
        *,
        num_replicas: int = 1,
        actor_options: Mapping[str, Any] | None = None,
        address: str | None = None,
        init_options: Mapping[str, Any] | None = None,
        name: str | None = None,
    ) -> RayPool:
        """A pool that runs the batched function ``fn`` itself in each actor (sync or async)."""
        host = AsyncFunctionHost if inspect.iscoroutinefunction(fn) else FunctionHost
        ship_defining_module(fn)
        return cls(
            host,
            fn,
            num_replicas=num_replicas,
            actor_options=actor_options,
            address=address,
            init_options=init_options,
            name=name or getattr(fn, "__name__", None),
        )

    def _new_actor(self) -> Any:
        """Ask Ray for one more replica; it loads the model asynchronously (see ``_wait_ready``)."""
        return self._replica_class.options(**self.actor_options).remote(*self._replica_args)

    # -- lifetime ------------------------------------------------------------------------------------

    @property
    def recommended_concurrency(self) -> int:
        """The ``concurrency_limit`` to give the listener: enough batches in flight to fill every replica."""
        return self.num_replicas * self._replicas.capacity

    @property
    def started(self) -> bool:
        return self._replicas.started

    @property
    def actors(self) -> tuple[Any, ...]:
        """The Ray actor handles of the live replicas (empty before start and after close)."""
        return self._replicas.actors()

    def start(self) -> RayPool:
        """Connect to Ray and start the replicas; returns once every model is loaded. Idempotent.

        Blocks: call it before launching the app (the first batch also starts the pool, off the loop).
        Raises ReplicaStartError when a replica's ``__init__`` raises or it cannot be scheduled.
        """
        with self._start_lock:
            if self._replicas.closed:
                raise PoolClosedError(f"the replica pool of {self.__name__} is closed")
            if not self._replicas.started:
                connect(self.address, self.init_options)
                actors = [self._new_actor() for _ in range(self.num_replicas)]
                self._wait_ready(actors)
                self._replicas.fill(actors)
        return self

    def _wait_ready(self, actors: list[Any]) -> None:
        try:
            ray.get([actor.ready.remote() for actor in actors], timeout=self.start_timeout)
        except ray_errors.RayActorError as error:
            self._kill(actors)
            raise ReplicaStartError(f"a replica of {self.__name__} failed to start: {error}") from error
        except ray_errors.GetTimeoutError as error:
            self._kill(actors)
            raise ReplicaStartError(
                f"the replicas of {self.__name__} were not ready after {self.start_timeout:g} s: does "
                f"the cluster have the resources they ask for (actor_options={self.actor_options})?"
            ) from error

    def close(self) -> None:
        """Kill the replicas; running and waiting batches fail with PoolClosedError. Idempotent."""
        with self._start_lock:
            self._kill(self._replicas.close())

    @staticmethod
    def _kill(actors: Sequence[Any]) -> None:
        if ray.is_initialized():  # after ray.shutdown() the actors are gone already
            for actor in actors:
                ray.kill(actor, no_restart=True)

    def __enter__(self) -> RayPool:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    async def __aenter__(self) -> RayPool:
        return await asyncio.to_thread(self.start)

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self._replicas.closed else "started" if self.started else "not started"
        return f"<RayPool {self.__name__} num_replicas={self.num_replicas} {state}>"

    # -- running a batch -----------------------------------------------------------------------------

    async def __call__(self, *columns: Sequence[Any]) -> Any:
        """Run one batch (one list per input) on an idle replica; one list per output comes back."""
        if not self._replicas.started and not self._replicas.closed:
            await asyncio.to_thread(self.start)  # ray.init and model loading take seconds
        replica = await self._replicas.acquire()
        actor = replica.actor
        try:
            ref = actor.call.remote(*columns)
        except BaseException:
            self._replicas.release(replica)
            raise
        settled = ref.future()
        # The replica is free again when Ray settles the task, not when the caller stops waiting.
        settled.add_done_callback(lambda _: self._replicas.release(replica))
        try:
            # Shielded: cancelling the caller must not cancel the future Ray settles.
            return await asyncio.shield(asyncio.wrap_future(settled))
        except asyncio.CancelledError:
            if self.is_async:  # Ray cancels the model's coroutine; a running sync call cannot stop
                ray.cancel(ref)
            raise
        except ray_errors.RayTaskError as error:
            original = model_error(error)
            if original is None:
                raise
            raise original from RemoteTraceback(str(error))
        except ray_errors.RayActorError as error:
            raise self._replica_died(replica, actor, error, len(columns[0]) if columns else 0) from error

    def _replica_died(
        self, replica: Replica, actor: Any, error: ray_errors.RayActorError, size: int
    ) -> Exception:
        if self._replicas.closed:
            return PoolClosedError(f"the replica pool of {self.__name__} was closed during the batch")
        if self._replicas.replace(replica, actor, self._new_actor):  # the first to see it replaces it
            ray.kill(actor, no_restart=True)
        what = "could not start (its __init__ raised)" if error.actor_init_failed else "died"
        return ReplicaDiedError(
            f"replica {replica.index} of {self.__name__} {what} while running a batch of {size} "
            "sample(s); a fresh replica has replaced it"
        )
