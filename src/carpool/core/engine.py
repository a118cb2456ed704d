"""The engine: listeners, their waiting events, and the batches that serve them.

``Engine`` is the public face: submit / cancel / subscribe / stats, and its lifetime as an
``async with`` block. Forming and running batches is the ``Dispatcher``'s job, expiry the
``Deadlines``', ETA refreshes the ``EstimationRefresher``'s. Every method is called on the loop's
thread (``report_progress`` is the one thread-safe entry point).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType, TracebackType
from typing import Any

from carpool.core.deadlines import Deadlines
from carpool.core.dispatcher import Dispatcher
from carpool.core.estimation import EstimationRefresher, eta, expected_wait
from carpool.core.executor import Executor, ThreadExecutor
from carpool.core.ids import new_event_id
from carpool.core.job import Job
from carpool.core.listener import ConcurrencyGroup, Listener, ListenerConfig
from carpool.core.messages import Estimation, Message
from carpool.core.record import JobRecord, JobState
from carpool.core.registry import JobTable
from carpool.core.stats import BatchRecord, EngineStats
from carpool.core.subscription import Subscription
from carpool.exceptions import (
    BatchTooLargeError,
    EngineClosedError,
    EventCancelledError,
    EventExpiredError,
    QueueFullError,
    UnknownEndpointError,
)

__all__ = ["Engine"]

_NO_CONTEXT: Mapping[str, Any] = MappingProxyType({})


def _check_timeout(timeout: float | None) -> None:
    # NaN would break the deadline heap's order and infinity the loop's timer: refuse both here.
    if timeout is not None and not (isinstance(timeout, int | float) and 0 <= timeout < math.inf):
        raise ValueError(f"timeout must be a finite number of seconds >= 0 or None, got {timeout!r}")


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
        if max_size is not None and max_size < 0:
            raise ValueError(f"max_size must be >= 0 or None, got {max_size}")
        if estimation_interval <= 0:
            raise ValueError(f"estimation_interval must be > 0, got {estimation_interval}")
        self._max_size = max_size
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
        self._refresher = EstimationRefresher(
            estimation_interval, clock, lambda: list(self._dispatcher.pending.values()), self._send_estimate
        )
        self._state = "new"  # -> "running" -> "closing" -> "closed"
        self._owner = _Owner(self)  # what every JobRecord (and its Job handle) calls back into

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
        _check_timeout(timeout)
        listener = self._admit(listener_id, 1)
        job = self._new_job(listener, inputs, session_id, context, timeout, on_message)
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
        _check_timeout(timeout)
        listener = self._admit(listener_id, len(samples))
        if len(samples) > listener.max_batch_size:
            raise BatchTooLargeError(
                f"{len(samples)} samples exceed max_batch_size={listener.max_batch_size} of {listener_id!r}",
                limit=listener.max_batch_size,
            )
        jobs = [self._new_job(listener, s, session_id, context, timeout, on_message) for s in samples]
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

    def _admit(self, listener_id: str, count: int) -> Listener:
        if self._state != "running":
            if self._state == "new":
                raise RuntimeError("the engine is not started: use `async with Engine(...)` or start()")
            raise EngineClosedError("the engine is shutting down")
        listener = self._listeners.get(listener_id)
        if listener is None:
            raise UnknownEndpointError(f"no listener {listener_id!r}")
        if self._max_size is not None and count > max(self._max_size, 1):  # waiting never helps
            raise BatchTooLargeError(
                f"{count} samples at once can never fit the queue (max_size={self._max_size}); "
                f"send at most {self._max_size}",
                limit=self._max_size,
            )
        if self._max_size is not None:
            waiting = sum(other.queue.live for other in self._dispatcher.pending.values())
            if waiting + count > self._max_size:
                listener.counters["rejected"] += count
                retry_after = expected_wait(listener, self._clock(), self._dispatcher.max_workers)
                per_batch = listener.cost.estimate(listener.cap.limit)
                raise QueueFullError(
                    f"the queue is full ({waiting} of {self._max_size} waiting)",
                    retry_after=retry_after + (per_batch if per_batch is not None else 1.0),
                )
        return listener

    def _new_job(
        self,
        listener: Listener,
        inputs: Sequence[Any],
        session_id: str | None,
        context: Mapping[str, Any] | None,
        timeout: float | None,
        on_message: Callable[[Message], None] | None,
    ) -> JobRecord:
        now = self._clock()
        own = listener.config.timeout
        timeout = own if timeout is None else timeout if own is None else min(timeout, own)
        return JobRecord(
            self._owner,
            event_id=new_event_id(),
            listener_id=listener.id,
            inputs=tuple(inputs),
            session_id=session_id,
            context=_NO_CONTEXT if context is None else context,
            enqueued_at=now,
            deadline=None if timeout is None else now + timeout,
            on_message=on_message,
        )

    def _enqueue(self, listener: Listener, job: JobRecord) -> None:
        self._table.add(job)
        position = listener.queue.push(job)
        listener.policy.arrived(job.enqueued_at)
        if job.deadline is not None:
            self._deadlines.add(job)
        self._send_estimate(listener, job, position, job.enqueued_at)
        self._dispatcher.enqueued(listener)
        self._refresher.arm()

    def _send_estimate(self, listener: Listener, job: JobRecord, position: int, now: float) -> None:
        job.position = position
        job.estimated_at = now
        if not (job.watched or job.on_message is not None or self._table.watches(job)):
            # Nobody can see it now (a plain API call): computing the ETA would be a real share of a
            # fast event's cost. A reader that turns up while it waits gets a fresh one (``_catch_up``).
            job.owes_estimate = True
            return
        job.owes_estimate = False
        job.emit(Estimation(job.id, position, listener.queue.live, self._eta(listener, position, now)))

    def _catch_up(self, job: JobRecord) -> None:
        """A reader of ``job``'s messages turned up: from now on its estimations are sent, and the one
        it is owed (it still waits, and nobody saw its latest) is sent now."""
        job.watched = True
        if job.owes_estimate and job.state is JobState.WAITING:
            job.owes_estimate = False
            job.emit(self._estimate_job(job))

    def _eta(self, listener: Listener, position: int, now: float) -> float | None:
        return eta(listener, position, listener.queue.live, now, self._dispatcher.max_workers)

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

    def _estimate_job(self, job: JobRecord) -> Estimation:
        listener = self._listeners[job.listener_id]
        if job.state is not JobState.WAITING:
            return Estimation(job.id, -1, listener.queue.live, None)
        position = next(i for i, other in enumerate(listener.queue.ordered()) if other is job)
        return Estimation(job.id, position, listener.queue.live, self._eta(listener, position, self._clock()))

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
        return self._engine._estimate_job(job)

    def catch_up(self, job: JobRecord) -> None:
        self._engine._catch_up(job)

    def publish(self, job: JobRecord, message: Message) -> None:
        self._engine._table.publish(job, message)

    def job_ended(self, job: JobRecord, previous: JobState) -> None:
        self._engine._job_ended(job, previous)
