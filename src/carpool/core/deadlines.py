"""Deadlines of waiting events: a heap and one loop timer for the earliest.

Expiry is timer-driven, so an event expires on time even while every worker is busy and nothing else
happens in the engine. A timer can fire late (a busy loop), so the dispatcher also calls
:meth:`Deadlines.expire_due` before it takes waiting events: an event whose deadline passed never runs.
Jobs that leave the queue before their deadline are discarded lazily; the heap is rebuilt when dead
entries outnumber live ones and emptied when none is live.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import Callable

from carpool.core.record import JobRecord

__all__ = ["Deadlines"]


class Deadlines:
    def __init__(self, clock: Callable[[], float], on_expire: Callable[[JobRecord], None]) -> None:
        self._clock = clock
        self._on_expire = on_expire
        self._heap: list[tuple[float, int, JobRecord]] = []
        self._order = itertools.count()
        self._live = 0
        self._timer: asyncio.TimerHandle | None = None
        self._timer_at = 0.0

    def __len__(self) -> int:
        return len(self._heap)

    def add(self, job: JobRecord) -> None:
        assert job.deadline is not None
        heapq.heappush(self._heap, (job.deadline, next(self._order), job))
        self._live += 1
        if self._timer is None or job.deadline < self._timer_at:
            self._schedule()

    def discard(self, job: JobRecord) -> None:
        """``job`` (which has a deadline) left the queue before its deadline."""
        self._live -= 1
        if self._live == 0:
            self.clear()
        elif len(self._heap) > 2 * self._live + 16:
            self._heap = [entry for entry in self._heap if entry[2].queued]
            heapq.heapify(self._heap)

    def clear(self) -> None:
        self._heap.clear()
        self._live = 0
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _schedule(self) -> None:
        heap = self._heap
        while heap and not heap[0][2].queued:
            heapq.heappop(heap)
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if heap:
            self._timer_at = heap[0][0]
            delay = max(0.0, self._timer_at - self._clock())
            self._timer = asyncio.get_running_loop().call_later(delay, self._fire)

    def expire_due(self, now: float) -> None:
        """Expire every waiting job whose deadline is ``now`` or earlier (its timer may not have fired)."""
        heap = self._heap
        if heap and heap[0][0] <= now:
            self._expire(now)

    def _fire(self) -> None:
        self._timer = None
        self._expire(self._clock())

    def _expire(self, now: float) -> None:
        heap = self._heap
        while heap and heap[0][0] <= now:
            job = heapq.heappop(heap)[2]
            if job.queued:
                self._live -= 1
                self._on_expire(job)
        if self._live == 0:
            self.clear()
        else:
            self._schedule()
