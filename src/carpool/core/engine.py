"""The engine: listeners, their waiting events, and the batches that serve them.

``Engine`` is the public face: submit / cancel / subscribe / stats, and its lifetime as an
``async with`` block. Forming and running batches is the ``Dispatcher``'s job, expiry the
``Deadlines``', ETA refreshes the ``EstimationRefresher``'s. Every method is called on the loop's
thread (``report_progress`` is the one thread-safe entry point).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from types import TracebackType
from typing import Any

from carpool.core.deadlines import Deadlines
from carpool.core.dispatcher import Dispatcher
from carpool.core.estimation import Estimates, EstimationRefresher
from carpool.core.executor import Executor, ThreadExecutor
from carpool.core.intake import Intake, check_timeout
from carpool.core.job import Job
from carpool.core.listener import ConcurrencyGroup, Listener, ListenerConfig
from carpool.core.messages import Estimation, Message
from carpool.core.record import JobRecord, JobState
from carpool.core.registry import JobTable
from carpool.core.stats import BatchRecord, EngineStats
from carpool.core.subscription import Subscription
from carpool.exceptions import EngineClosedError, EventCancelledError, EventExpiredError

__all__ = ["Engine"]


class Engine:
    def __init__(
        self,
        *,
        max_size: int | None = None,
        max_workers: int = 64,
        clock: Callable[[], float] = time.monotonic,
        close_grace: float = 10.0,
        executor: Executor | None = None,
        on_batch: Callable[[BatchRecord], None] | None = None,
        estimation_interval: float = 1.0,
    ) -> None:
        if estimation_interval <= 0:
            raise ValueError(f"estimation_interval must be > 0, got {estimation_interval}")
        self._clock = clock
        self._close_grace = close_grace
        self._owns_executor = executor is None
        self._executor: Executor = executor or ThreadExecutor(max_workers)
        self._listeners: dict[str, Listener] = {}
        self._groups: dict[str, ConcurrencyGroup] = {}
        self._table = JobTable()
        self._deadlines = Deadlines(clock, self._expire)
        self._dispatcher = Dispatcher(
            clock=clock,
            max_workers=max_workers,
            executor=self._executor,
            on_taken=self._left_queue,
            on_batch=on_batch,
            expire_due=self._deadlines.expire_due,
        )
        self._estimates = Estimates(self._listeners, self._table, clock, max_workers)
        self._refresher = EstimationRefresher(
            estimation_interval, clock, lambda: list(self._dispatcher.pending.values()), self._estimates.send
        )
        self._state = "new"  # -> "running" -> "closing" -> "closed"
        owner = _Owner(self)  # what every JobRecord (and its Job handle) calls back into
        self._intake = Intake(
            max_size=max_size,
            clock=clock,
            listeners=self._listeners,
            dispatcher=self._dispatcher,
            owner=owner,
        )

    # -- lifetime ------------------------------------------------------------------------------------

    async def start(self) -> None:
        if self._state == "new":
            self._state = "running"

    async def close(self, grace: float | None = None) -> None:
        """Fail waiting events, let running batches finish within ``grace`` seconds, stop workers."""
        if self._state in ("closing", "closed"):
            return
        self._state = "closing"
        self._dispatcher.stop()
        self._deadlines.clear()
        self._refresher.stop()
        for listener in self._listeners.values():
            for job in listener.queue.drain():
                job.fail(EngineClosedError("the engine closed before this event ran"))
        await self._dispatcher.drain(self._close_grace if grace is None else grace)
        self._table.close_subscriptions()
        if self._owns_executor:
            self._executor.shutdown()
        self._state = "closed"

    async def __aenter__(self) -> Engine:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    def add_listener(self, config: ListenerConfig) -> None:
        if config.listener_id in self._listeners:
            raise ValueError(f"a listener {config.listener_id!r} already exists")
        group_id = config.concurrency_id or config.listener_id
        group = self._groups.get(group_id)
        if group is None:
            group = self._groups[group_id] = ConcurrencyGroup(config.concurrency_limit)
        else:
            group.restrict(config.concurrency_limit)
        listener = self._listeners[config.listener_id] = Listener(config, group)
        self._dispatcher.add(listener)

    # -- events --------------------------------------------------------------------------------------

    def submit(
        self,
        listener_id: str,
        inputs: Sequence[Any],
        *,
        session_id: str | None = None,
        context: Mapping[str, Any] | None = None,
        timeout: float | None = None,
        on_message: Callable[[Message], None] | None = None,
    ) -> Job:
        """Queue one event; its handle. Raises UnknownEndpointError, QueueFullError, EngineClosedError.

        ``timeout``: seconds the event may wait in the queue (the caller's deadline); the listener's
        ``timeout`` still applies, the earlier of the two wins. An event still waiting at its deadline
        fails with EventExpiredError and never runs; once running, ``time_limit`` bounds it instead.
        """
        check_timeout(timeout)
        self._check_open()
        listener = self._intake.admit(listener_id, 1)
        job = self._intake.record(listener, inputs, session_id, context, timeout, on_message)
        self._enqueue(listener, job)
        return Job(job)

    def submit_batch(
        self,
        listener_id: str,
        samples: Sequence[Sequence[Any]],
        *,
        session_id: str | None = None,
        context: Mapping[str, Any] | None = None,
        timeout: float | None = None,
        on_message: Callable[[Message], None] | None = None,
    ) -> list[Job]:
        """Queue samples that run together in one batch (others may fill the rest of it)."""
        check_timeout(timeout)
        self._check_open()
        listener = self._intake.admit(listener_id, len(samples), together=True)
        jobs = [self._intake.record(listener, s, session_id, context, timeout, on_message) for s in samples]
        group = tuple(jobs)
        for job in jobs:
            job.group = group
        for job in jobs:
            self._enqueue(listener, job)
        return [Job(job) for job in jobs]

    def cancel(self, event_id: str) -> bool:
        job = self._table.jobs.get(event_id)
        return job is not None and self._cancel_job(job, "cancelled")

    def cancel_session(self, session_id: str) -> int:
        """A client left: cancel its unfinished events; returns how many."""
        return sum(self._cancel_job(job, "disconnected") for job in self._table.of_session(session_id))

    def subscribe_session(self, session_id: str) -> Subscription:
        return self._table.subscribe(session_id)

    def get_job(self, event_id: str) -> Job | None:
        """The unfinished event with this id (finished events are forgotten; keep the Job)."""
        job = self._table.jobs.get(event_id)
        return None if job is None else Job(job)

    def stats(self) -> EngineStats:
        stuck = self._dispatcher.stuck_threads
        return EngineStats.total(
            {lid: listener.stats(stuck(lid)) for lid, listener in self._listeners.items()}
        )

    # -- submit internals ----------------------------------------------------------------------------

    def _check_open(self) -> None:
        if self._state != "running":
            if self._state == "new":
                raise RuntimeError("the engine is not started: use `async with Engine(...)` or start()")
            raise EngineClosedError("the engine is shutting down")

    def _enqueue(self, listener: Listener, job: JobRecord) -> None:
        self._table.add(job)
        position = listener.queue.push(job)
        listener.policy.arrived(job.enqueued_at)
        if job.deadline is not None:
            self._deadlines.add(job)
        self._estimates.send(listener, job, position, job.enqueued_at)
        self._dispatcher.enqueued(listener)
        self._refresher.arm()

    def _unqueue(self, listener: Listener, job: JobRecord, *, expired: bool = False) -> None:
        listener.queue.discard(job)
        self._dispatcher.dequeued(listener)
        self._refresher.refresh_soon()  # the events behind it moved up: their pages should say so
        if not expired:  # an expired job's deadline entry is already gone
            self._left_queue(job)

    def _left_queue(self, job: JobRecord) -> None:
        if job.deadline is not None:
            self._deadlines.discard(job)

    def _expire(self, job: JobRecord) -> None:
        self._unqueue(self._listeners[job.listener_id], job, expired=True)
        job.fail(EventExpiredError(f"event {job.id} waited past its deadline"))

    # -- the records' owner (RecordOwner, through _Owner) -----------------------------------------------

    def _cancel_job(self, job: JobRecord, reason: str) -> bool:
        if job.done():
            return False
        listener = self._listeners[job.listener_id]
        if job.state is JobState.WAITING:
            self._unqueue(listener, job)
        job.cancel(reason, EventCancelledError(f"event {job.id} was {reason}"))
        # A step loop is not stopped: its other and future members go on; this item leaves at the boundary.
        if listener.kind.runs_on_loop and not listener.stepwise:
            batch = next((batch for batch in listener.group.running if job in batch.jobs), None)
            if batch is not None and batch.all_done():
                assert batch.task is not None
                batch.task.cancel()  # async code can really stop; threads cannot be interrupted
        return True

    def _job_ended(self, job: JobRecord, previous: JobState) -> None:
        self._table.remove(job)
        self._listeners[job.listener_id].count_end(job, previous)
        job.group = None

    def _container_sizes(self) -> dict[str, int]:
        """Sizes of every internal container, for leak tests."""
        return {
            **self._table.sizes(),
            "deadlines": len(self._deadlines),
            "pending": len(self._dispatcher.pending),
            "batches": len(self._dispatcher.batches),
            "tasks": len(self._dispatcher.tasks),
            "queue_entries": sum(listener.queue.entries() for listener in self._listeners.values()),
            "group_running": sum(len(group.running) for group in self._groups.values()),
        }


class _Owner:
    """The engine as its records' ``RecordOwner``: the calls a record and its handle may make, and no
    more (the engine's own methods stay private to it)."""

    __slots__ = ("_engine",)

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def cancel_job(self, job: JobRecord, reason: str) -> bool:
        return self._engine._cancel_job(job, reason)

    def estimate_job(self, job: JobRecord) -> Estimation:
        return self._engine._estimates.of(job)

    def catch_up(self, job: JobRecord) -> None:
        self._engine._estimates.catch_up(job)

    def publish(self, job: JobRecord, message: Message) -> None:
        self._engine._table.publish(job, message)

    def job_ended(self, job: JobRecord, previous: JobState) -> None:
        self._engine._job_ended(job, previous)
