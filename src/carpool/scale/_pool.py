"""``RayPool``: a batched function whose batches run on a pool of Ray actors, each holding the model.

carpool's queue stays in this process and keeps forming batches; the pool only decides where a batch
runs. It is an async callable with the batched-function signature (one list per input in, one list per
output back), so the engine awaits it on its event loop and ``concurrency_limit`` batches are in
flight at once, one per replica when the limit is ``pool.recommended_concurrency``.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from types import TracebackType
from typing import Any

from carpool.scale._autoscale import AutoscalePolicy
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

logger = logging.getLogger("carpool.scale")


class RayPool:
    """Run a model's batches on ``num_replicas`` Ray actors; ``await pool(*lists)`` runs one batch.

    ``model_cls(*init_args, **init_kwargs)`` is built once in each actor (load weights in its
    ``__init__``) and ``getattr(model, method)(*lists)`` runs each batch there. ``actor_options`` go to
    Ray (``{"num_gpus": 1}`` pins each replica to a GPU). Ray is initialised on ``start()`` unless it
    already is: ``address=None`` starts a local cluster, ``"auto"`` or ``"ray://host:10001"`` joins
    one; ``init_options`` go to ``ray.init``. A keyword argument that is not a pool option goes to the
    model; to pass one that shares a pool option's name, give ``functools.partial(model_cls, ...)``.

    Autoscaling: give ``max_replicas`` (and ``min_replicas``, default 1) and the pool grows while
    batches wait for a replica longer than ``upscale_delay`` seconds and retires idle replicas once
    fewer would have served the load for ``downscale_delay`` seconds; ``num_replicas`` is then the
    count it starts with. ``recommended_concurrency`` is sized for ``max_replicas``.
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
        min_replicas: int | None = None,
        max_replicas: int | None = None,
        upscale_delay: float = 1.0,
        downscale_delay: float = 30.0,
        autoscale_interval: float = 0.5,
        **init_kwargs: Any,
    ) -> None:
        if num_replicas < 1:
            raise ValueError(f"num_replicas must be >= 1, got {num_replicas}")
        capacity = int(dict(actor_options or {}).get("max_concurrency", 1))
        self.autoscale: AutoscalePolicy | None = None
        if min_replicas is not None or max_replicas is not None:
            low = 1 if min_replicas is None else min_replicas
            self.autoscale = AutoscalePolicy(
                low, max(low, num_replicas) if max_replicas is None else max_replicas,
                capacity, upscale_delay, downscale_delay,
            )  # fmt: skip
            num_replicas = min(self.autoscale.max_replicas, max(self.autoscale.min_replicas, num_replicas))
        self.autoscale_interval = autoscale_interval
        self._autoscaler: threading.Thread | None = None
        self._stop_autoscaler = threading.Event()
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
        self._replicas = ReplicaSet(self.__name__, capacity)
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
        """The ``concurrency_limit`` to give the listener: enough batches in flight to fill every replica.

        For an autoscaled pool, every replica it may grow to: batches formed beyond the live replicas
        wait in the pool, and that wait is what makes it grow.
        """
        most = self.autoscale.max_replicas if self.autoscale is not None else self.num_replicas
        return most * self._replicas.capacity

    def replica_stats(self) -> dict[str, int]:
        """Live replicas, batches running on them and batches waiting for one (for ``/metrics``)."""
        load = self._replicas.load()
        return {"replicas": load.replicas, "running": load.running, "waiting": load.waiting}

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
                self._start_autoscaler()
        return self

    # -- autoscaling ---------------------------------------------------------------------------------

    def _start_autoscaler(self) -> None:
        if self.autoscale is None:
            return
        self._stop_autoscaler.clear()
        self._autoscaler = threading.Thread(
            target=self._autoscale_loop, name=f"carpool-autoscale-{self.__name__}", daemon=True
        )
        self._autoscaler.start()

    def _autoscale_loop(self) -> None:
        # A controller that reads the load every interval, as Ray Serve's does; it waits on an Event,
        # so close() stops it at once.
        while not self._stop_autoscaler.wait(self.autoscale_interval):
            try:
                self._autoscale_once(time.monotonic())
            except Exception:  # a failed start is logged and retried at the next reading
                logger.exception("autoscaling %s failed", self.__name__)

    def _autoscale_once(self, now: float) -> None:
        assert self.autoscale is not None
        load = self._replicas.load()
        target = self.autoscale.decide(load, now)
        if target > load.replicas:
            self._grow(target - load.replicas)
        elif target < load.replicas:
            retired = self._replicas.retire_idle(load.replicas - target)
            self._kill(retired)
            if retired:
                logger.info("%s: %d idle replica(s) retired", self.__name__, len(retired))

    def _grow(self, count: int) -> None:
        actors = [self._new_actor() for _ in range(count)]
        self._wait_ready(actors)  # raises ReplicaStartError after killing them
        added = [actor for actor in actors if self._replicas.add(actor)]
        self._kill([actor for actor in actors if actor not in added])  # closed meanwhile
        logger.info("%s: %d replica(s) added, %d live", self.__name__, len(added), len(self.actors))

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
        self._stop_autoscaler.set()
        if self._autoscaler is not None and self._autoscaler is not threading.current_thread():
            self._autoscaler.join(timeout=self.start_timeout)
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
        if self.autoscale is not None:
            bounds = f"{self.autoscale.min_replicas}..{self.autoscale.max_replicas}"
            scale = f"replicas={len(self.actors)} ({bounds})"
        else:
            scale = f"num_replicas={self.num_replicas}"
        return f"<RayPool {self.__name__} {scale} {state}>"

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
