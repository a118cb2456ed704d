"""The ETA of a waiting event: it knows that one batch serves up to ``max_batch_size`` events and that
``concurrency_limit`` batches run side by side.

Events ahead of position p fill ``p // B`` batches before its own; ``L`` batches run at once, so its
batch starts after ``p // (B*L)`` waves of full batches, once a slot is free (now, or when the first
running batch is expected to end). Run times come from the listener's cost model. A ``Stepwise`` listener
has no batches: its events join as items leave (``StepEstimator.eta``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Mapping

from carpool.core.listener import Listener
from carpool.core.messages import Estimation
from carpool.core.record import JobRecord, JobState
from carpool.core.registry import JobTable

__all__ = ["Estimates", "EstimationRefresher", "eta", "expected_wait"]


def expected_wait(listener: Listener, now: float, max_workers: int) -> float:
    """Seconds until the listener's concurrency group has a free slot."""
    group = listener.group
    slots = group.limit if group.limit is not None else max_workers
    if len(group.running) < slots:
        return 0.0
    ends = [batch.expected_end for batch in group.running if batch.expected_end is not None]
    return max(0.0, min(ends) - now) if ends else 0.0


def eta(listener: Listener, position: int, queue_size: int, now: float, max_workers: int) -> float | None:
    """Expected seconds until the result of the event at ``position`` among ``queue_size`` waiting."""
    size = listener.cap.limit  # a Stepwise listener's running set is capped by it too
    if listener.stepwise:  # slots free one by one as items leave the running set
        return listener.steps.eta(position, max(0, size - listener.running), size)
    full = listener.cost.estimate(size)
    if full is None:
        return None
    limit = listener.group.limit if listener.group.limit is not None else max_workers
    batches_ahead = position // size
    own_size = min(size, queue_size - batches_ahead * size)
    own = listener.cost.estimate(own_size)
    assert own is not None
    waves = position // (size * limit)
    return expected_wait(listener, now, max_workers) + waves * full + own


class Estimates:
    """Sends a waiting event its Estimation, or owes it one while nobody can read it."""

    def __init__(
        self, listeners: Mapping[str, Listener], table: JobTable, clock: Callable[[], float], max_workers: int
    ) -> None:
        self._listeners = listeners
        self._table = table
        self._clock = clock
        self._max_workers = max_workers

    def send(self, listener: Listener, job: JobRecord, position: int, now: float) -> None:
        job.position = position
        job.estimated_at = now
        if not (job.watched or job.on_message is not None or self._table.watches(job)):
            # Nobody can see it now (a plain API call): computing the ETA would be a real share of a
            # fast event's cost. A reader that turns up while it waits gets a fresh one (``catch_up``).
            job.owes_estimate = True
            return
        job.owes_estimate = False
        job.emit(Estimation(job.id, position, listener.queue.live, self._eta(listener, position, now)))

    def catch_up(self, job: JobRecord) -> None:
        """A reader of ``job``'s messages turned up: from now on its estimations are sent, and the one
        it is owed (it still waits, and nobody saw its latest) is sent now."""
        job.watched = True
        if job.owes_estimate and job.state is JobState.WAITING:
            job.owes_estimate = False
            job.emit(self.of(job))

    def of(self, job: JobRecord) -> Estimation:
        """``job``'s Estimation as of now (position -1 once it no longer waits)."""
        listener = self._listeners[job.listener_id]
        if job.state is not JobState.WAITING:
            return Estimation(job.id, -1, listener.queue.live, None)
        position = next(i for i, other in enumerate(listener.queue.ordered()) if other is job)
        return Estimation(job.id, position, listener.queue.live, self._eta(listener, position, self._clock()))

    def _eta(self, listener: Listener, position: int, now: float) -> float | None:
        return eta(listener, position, listener.queue.live, now, self._max_workers)


class EstimationRefresher:
    """Re-sends a waiting event's Estimation when its position changed, at most once per ``interval``.

    One timer for the whole engine, armed only while events wait: the queues are walked once per
    interval, never once per finished job (which would cost O(waiting) per event).
    """

    def __init__(
        self,
        interval: float,
        clock: Callable[[], float],
        listeners: Callable[[], Iterable[Listener]],
        send: Callable[[Listener, JobRecord, int, float], None],
    ) -> None:
        self._interval = interval
        self._clock = clock
        self._listeners = listeners
        self._send = send
        self._timer: asyncio.TimerHandle | None = None
        self._soon: asyncio.Handle | None = None

    def arm(self) -> None:
        if self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(self._interval, self._refresh)

    def refresh_soon(self) -> None:
        """An event left a queue (cancelled, expired): those behind it moved up, tell them now.

        Coalesced: every departure in one loop iteration (a disconnecting client's many events) costs one
        walk of the queues, and only events whose position changed get a message.
        """
        if self._soon is None:
            self._soon = asyncio.get_running_loop().call_soon(self._send_moved)

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._soon is not None:
            self._soon.cancel()
            self._soon = None

    def _send_moved(self) -> None:
        self._soon = None
        now = self._clock()
        for listener in self._listeners():
            for position, job in enumerate(listener.queue.ordered()):
                if position != job.position:
                    self._send(listener, job, position, now)

    def _refresh(self) -> None:
        self._timer = None
        now = self._clock()
        waiting = False
        for listener in self._listeners():
            waiting = waiting or listener.queue.live > 0
            for position, job in enumerate(listener.queue.ordered()):
                if position != job.position and now - job.estimated_at >= self._interval:
                    self._send(listener, job, position, now)
        if waiting:
            self.arm()
