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
from contextlib import suppress
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
    MergingReplica,
    SyncReplica,
    is_async_method,
)
from carpool.scale._replicas import Replica, ReplicaSet
from carpool.scale._shared import shared_actor_options, shares_replicas

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

    Several fronts (``carpool run --workers``): ``shared`` pools name their replicas so every front
    uses the same ones, and ``merge_batches=N`` lets a sync model's replica run the batches waiting
    for it merged, up to N samples a call. A batch whose replica was lost with its node runs again on
    another replica, up to ``max_retries`` times. See docs/scaling.md.
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
        max_retries: int = 2,
        shared: bool | None = None,
        merge_batches: int | None = None,
        **init_kwargs: Any,
    ) -> None:
        if num_replicas < 1:
            raise ValueError(f"num_replicas must be >= 1, got {num_replicas}")
        if max_retries < 0:
            raise ValueError(f"max_retries must be >= 0, got {max_retries}")
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
        self.max_retries = max_retries
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
        self._replica_args: tuple[Any, ...] = (model_cls, init_args, init_kwargs, method)
        self.merge_batches = merge_batches
        if merge_batches is not None:
            if merge_batches < 1:
                raise ValueError(f"merge_batches must be >= 1 (samples per model call), got {merge_batches}")
            if self.is_async:
                raise TypeError(
                    "merge_batches merges the batches of a sync model; this model's method is async"
                )
            self._replica_class = MergingReplica
            self._replica_args += (merge_batches,)
        # Batches one replica takes at once: Ray's max_concurrency when given (async models), else 1.
        self._replicas = ReplicaSet(self.__name__, capacity)
        self._start_lock = threading.Lock()  # held while replicas start (seconds)
        self.shared = shares_replicas(shared)
        if self.shared and self.autoscale is not None:
            raise ValueError(
                "a shared pool (several front processes, `carpool run --workers`) cannot autoscale: "
                "each front would scale the same replicas on its own view of the load; give num_replicas"
            )

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

    def _new_actor(self, index: int | None = None) -> Any:
        """Ask Ray for one more replica; it loads the model asynchronously (see ``_wait_ready``).

        A shared pool's replica ``index`` is a named actor that every front process finds (see
        ``_shared``): the first to ask creates it, the others get a handle on the same actor.
        """
        options = dict(self.actor_options)
        if self.shared and index is not None:
            options.update(shared_actor_options(self.__name__, index))
        return self._replica_class.options(**options).remote(*self._replica_args)

    # -- lifetime ------------------------------------------------------------------------------------

    @property
    def recommended_concurrency(self) -> int:
        """The ``concurrency_limit`` to give the listener: enough batches in flight to fill every replica.

        For an autoscaled pool, every replica it may grow to: batches formed beyond the live replicas
        wait in the pool, and that wait is what makes it grow.
        """
        most = self.autoscale.max_replicas if self.autoscale is not None else self.num_replicas
        return most * self._replicas.capacity

    def model_stats(self) -> dict[str, int]:
        """Model calls and samples the live replicas ran (merged batches count once): their sum."""
        totals = {"model_calls": 0, "samples": 0}
        for stats in ray.get([actor.stats.remote() for actor in self.actors], timeout=self.start_timeout):
            for key in totals:
                totals[key] += stats[key]
        return totals

    def replica_stats(self) -> dict[str, int]:
        """Live replicas, batches running on them and batches waiting for one (for ``/metrics``)."""
        load = self._replicas.load()
        return {"replicas": self._replicas.live(), "running": load.running, "waiting": load.waiting}

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
                actors = [self._new_actor(index) for index in range(self.num_replicas)]
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

    def close(self, *, kill_shared: bool = False) -> None:
        """Kill the replicas; running and waiting batches fail with PoolClosedError. Idempotent.

        A shared pool's replicas serve other front processes too: closing only lets go of them,
        unless ``kill_shared`` (they also end with the Ray cluster).
        """
        self._stop_autoscaler.set()
        if self._autoscaler is not None and self._autoscaler is not threading.current_thread():
            self._autoscaler.join(timeout=self.start_timeout)
        with self._start_lock:
            actors = self._replicas.close()
            if not self.shared or kill_shared:
                self._kill(actors)

    @staticmethod
    def _kill(actors: Sequence[Any]) -> None:
        if ray.is_initialized():  # after ray.shutdown() the actors are gone already
            for actor in actors:
                with suppress(Exception):  # already dead: nothing to kill
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
        """Run one batch (one list per input) on an idle replica; one list per output comes back.

        A batch whose replica was lost with its node (or became unreachable) did nothing wrong: it
        runs again on another replica, ahead of the batches formed after it, up to ``max_retries``
        times. Any other failure is raised at once (see docs/scaling.md, "Errors").
        """
        if not self._replicas.started and not self._replicas.closed:
            await asyncio.to_thread(self.start)  # ray.init and model loading take seconds
        size = len(columns[0]) if columns else 0
        retries, lost = 0, None
        while True:
            replica = await self._replica_for(lost, size)
            try:
                return await self._run_on(replica, columns)
            except _Lost as error:
                if not error.retryable or retries >= self.max_retries:
                    raise self._failed(replica, error, size, retries) from error.cause
                retries, lost = retries + 1, (replica, error)
                logger.warning(
                    "%s: replica %d was lost (%s) while running a batch of %d; retry %d of %d on "
                    "another replica", self.__name__, replica.index, error.why, size, retries,
                    self.max_retries,
                )  # fmt: skip

    async def _replica_for(self, lost: tuple[Replica, _Lost] | None, size: int) -> Replica:
        """A replica for the batch; a retried one goes first and waits at most ``start_timeout``."""
        if lost is None:
            return await self._replicas.acquire()
        try:
            return await asyncio.wait_for(self._replicas.acquire(first_in_line=True), self.start_timeout)
        except TimeoutError:
            replica, error = lost
            raise ReplicaDiedError(
                f"replica {replica.index} of {self.__name__} {error.why} while running a batch of {size} "
                f"sample(s), and no other replica was free to retry it within {self.start_timeout:g} s"
            ) from error.cause

    async def _run_on(self, replica: Replica, columns: Sequence[Sequence[Any]]) -> Any:
        actor = replica.actor
        try:
            ref = actor.call.remote(*columns)
        except BaseException:
            self._replicas.settle(replica, actor)
            raise
        settled = ref.future()
        # The replica is free again when Ray settles the task, not when the caller stops waiting;
        # a death takes it out of the rotation there and then, before any other batch can get it.
        settled.add_done_callback(lambda done: self._on_settled(replica, actor, done))
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
        except ray_errors.ActorUnavailableError as error:
            raise _Lost("unreachable", retryable=True, cause=error) from error
        except ray_errors.RayActorError as error:
            if error.actor_init_failed:
                raise _Lost("could not start (its __init__ raised)", retryable=False, cause=error) from error
            lost_node = _NODE_DIED in str(error)
            raise _Lost("its node was lost" if lost_node else "died", lost_node, error) from error

    def _on_settled(self, replica: Replica, actor: Any, done: Any) -> None:
        error = None if done.cancelled() else done.exception()
        dead = isinstance(error, ray_errors.RayActorError) and not isinstance(
            error, ray_errors.ActorUnavailableError
        )
        if dead and self._replicas.take_out(replica, actor):  # the first to see the death replaces it
            # Off Ray's callback thread: starting an actor and waiting for it are blocking calls.
            threading.Thread(
                target=self._restart, args=(replica, actor), name="carpool-replica-restart", daemon=True
            ).start()
        elif not dead:
            self._replicas.settle(replica, actor)

    def _restart(self, replica: Replica, dead: Any) -> None:
        """Start a replacement for ``replica`` and put it back once its model is loaded.

        It may wait for as long as the cluster lacks room for it (its node is gone): meanwhile the
        replica takes no batch. A shared replica's name is free again only once Ray has recorded the
        death, so a replacement that finds the dead actor under that name tries again.
        """
        try:
            if not self.shared:
                self._kill([dead])
            for _ in range(_RESTART_ATTEMPTS):
                outcome = self._start_replacement(replica)
                if outcome != "dead":
                    return
                time.sleep(_RESTART_PAUSE)  # the name still led to the dead actor
            self._replicas.drop(replica)
            logger.error("%s: replica %d could not be replaced; it is gone", self.__name__, replica.index)
        except Exception:  # Ray shut down under it: the pool is going away with it
            self._replicas.drop(replica)
            logger.exception("%s: replacing replica %d failed", self.__name__, replica.index)

    def _start_replacement(self, replica: Replica) -> str:
        # Checked first: after close() (or ray.shutdown()) a Ray call would start a new local Ray.
        if self._replicas.closed or not ray.is_initialized():
            return "closed"
        actor = self._new_actor(replica.index)
        outcome = self._wait_loaded(actor) if self._replicas.restarting_with(replica, actor) else "closed"
        if outcome == "ready":
            if self._replicas.put_back(replica, actor):
                logger.info("%s: replica %d replaced", self.__name__, replica.index)
                return outcome
            outcome = "closed"
        if outcome == "failed":
            self._replicas.drop(replica)
        if not self.shared:  # a shared replica may serve the other fronts
            self._kill([actor])
        return outcome

    def _wait_loaded(self, actor: Any) -> str:
        """ "ready", "closed", "failed" (its __init__ raised) or "dead" (it died before it was ready)."""
        ready = actor.ready.remote()
        while not ray.wait([ready], timeout=_RESTART_POLL)[0]:
            if self._replicas.closed or not ray.is_initialized():
                return "closed"
        try:
            ray.get(ready)
        except ray_errors.RayActorError as error:
            if error.actor_init_failed:
                logger.error("%s: a replacement replica failed to start: %s", self.__name__, error)
                return "failed"
            return "dead"
        return "ready"

    def _failed(self, replica: Replica, lost: _Lost, size: int, retries: int) -> Exception:
        if self._replicas.closed:
            return PoolClosedError(f"the replica pool of {self.__name__} was closed during the batch")
        tried = (
            f" (after {retries} retr{'y' if retries == 1 else 'ies'} on other replicas)" if retries else ""
        )
        return ReplicaDiedError(
            f"replica {replica.index} of {self.__name__} {lost.why} while running a batch of {size} "
            f"sample(s){tried}; a fresh replica replaces it"
        )


# What Ray says when an actor died because its node did (ActorDiedError keeps no structured cause).
_NODE_DIED = "its node has died"
_RESTART_ATTEMPTS = 5
_RESTART_PAUSE = 0.5
_RESTART_POLL = 1.0


class _Lost(Exception):
    """A batch's replica went away under it; ``retryable`` when the batch itself is not to blame."""

    def __init__(self, why: str, retryable: bool, cause: BaseException) -> None:
        super().__init__(why)
        self.why, self.retryable, self.cause = why, retryable, cause
