"""Waiting queues, one per listener: FIFO, or round-robin across sessions (``fairness="session"``).

Removal is lazy: a cancelled or expired job only has its ``_queued`` flag cleared and is skipped when it
reaches the head, so cancel is O(1). ``live`` counts the jobs still waiting; when it drops to zero the
entries are cleared, so dead entries never outlive a busy period.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import OrderedDict, deque
from collections.abc import Iterator
from typing import Literal

from carpool.core.record import JobRecord

__all__ = ["FifoQueue", "SessionQueue", "WaitingQueue", "make_queue"]


def _members(job: JobRecord) -> list[JobRecord]:
    """The jobs that must leave the queue together with ``job`` (its submit_batch group)."""
    if job.group is None:
        return [job]
    return [member for member in job.group if member.queued]


def _take_head(entries: deque[JobRecord], out: list[JobRecord], limit: int, whole_head: bool) -> int:
    """Move the head of ``entries`` (with its group) into ``out``; how many left, 0 if it does not fit.
    With ``whole_head``, a first group larger than ``limit`` leaves whole rather than never."""
    members = _members(entries[0])
    if len(out) + len(members) > limit and (out or not whole_head):
        return 0
    entries.popleft()
    for member in members:
        member.queued = False
    out.extend(members)
    return len(members)


class WaitingQueue(ABC):
    """Common bookkeeping; subclasses decide the order."""

    def __init__(self) -> None:
        self.live = 0

    @abstractmethod
    def push(self, job: JobRecord) -> int:
        """Add ``job``; returns its position (0 = next to run)."""

    @abstractmethod
    def take(self, limit: int, *, whole_head: bool = False) -> list[JobRecord]:
        """Remove and return up to ``limit`` waiting jobs, in order, keeping submit_batch groups whole
        (``whole_head``: the first group leaves even if larger than ``limit``, e.g. a lowered batch cap)."""

    @abstractmethod
    def ordered(self) -> Iterator[JobRecord]:
        """The waiting jobs in the order they would be taken."""

    @abstractmethod
    def oldest(self) -> float | None:
        """Enqueue time of the longest-waiting job."""

    @abstractmethod
    def entries(self) -> int:
        """Stored entries, dead ones included (for leak checks)."""

    @abstractmethod
    def _clear(self) -> None:
        """Forget every entry."""

    def discard(self, job: JobRecord) -> None:
        """Remove a waiting job (cancelled or expired)."""
        job.queued = False
        self.live -= 1
        if self.live == 0:
            self._clear()

    def drain(self) -> list[JobRecord]:
        """Remove and return every waiting job."""
        jobs = list(self.ordered())
        for job in jobs:
            job.queued = False
        self.live = 0
        self._clear()
        return jobs

    def _taken(self, jobs: list[JobRecord]) -> list[JobRecord]:
        self.live -= len(jobs)
        if self.live == 0:
            self._clear()
        return jobs


class FifoQueue(WaitingQueue):
    def __init__(self) -> None:
        super().__init__()
        self._entries: deque[JobRecord] = deque()

    def push(self, job: JobRecord) -> int:
        position = self.live
        job.queued = True
        self._entries.append(job)
        self.live += 1
        return position

    def take(self, limit: int, *, whole_head: bool = False) -> list[JobRecord]:
        out: list[JobRecord] = []
        entries = self._entries
        while entries and len(out) < limit:
            if not entries[0].queued:
                entries.popleft()
                continue
            if not _take_head(entries, out, limit, whole_head):
                break
        return self._taken(out)

    def ordered(self) -> Iterator[JobRecord]:
        return (job for job in self._entries if job.queued)

    def oldest(self) -> float | None:
        entries = self._entries
        while entries and not entries[0].queued:
            entries.popleft()
        return entries[0].enqueued_at if entries else None

    def entries(self) -> int:
        return len(self._entries)

    def _clear(self) -> None:
        self._entries.clear()


class SessionQueue(WaitingQueue):
    """Round-robin across sessions: one flooding client cannot starve the others."""

    def __init__(self) -> None:
        super().__init__()
        self._sessions: OrderedDict[str | None, deque[JobRecord]] = OrderedDict()
        self._counts: dict[str | None, int] = {}

    def push(self, job: JobRecord) -> int:
        key = job.session_id
        rank = self._counts.get(key, 0)  # this job is its session's rank-th waiting one
        position = rank
        before = True  # sessions ahead of ours in the rotation serve one more round before ours
        for other in self._sessions:
            if other == key:
                before = False
            else:
                position += min(self._counts.get(other, 0), rank + 1 if before else rank)
        if key not in self._sessions:
            self._sessions[key] = deque()
        self._sessions[key].append(job)
        self._counts[key] = rank + 1
        job.queued = True
        self.live += 1
        return position

    def take(self, limit: int, *, whole_head: bool = False) -> list[JobRecord]:
        out: list[JobRecord] = []
        while self._sessions and len(out) < limit:
            key, entries = next(iter(self._sessions.items()))
            while entries and not entries[0].queued:
                entries.popleft()
            if not entries:
                del self._sessions[key]
                continue
            taken = _take_head(entries, out, limit, whole_head)
            if not taken:
                break
            self._uncount(key, taken)
            self._sessions.move_to_end(key)
        return self._taken(out)

    def discard(self, job: JobRecord) -> None:
        self._uncount(job.session_id, 1)
        super().discard(job)

    def ordered(self) -> Iterator[JobRecord]:
        lanes = [[job for job in entries if job.queued] for entries in self._sessions.values()]
        rounds = max((len(lane) for lane in lanes), default=0)
        for index in range(rounds):
            for lane in lanes:
                if index < len(lane):
                    yield lane[index]

    def oldest(self) -> float | None:
        heads = []
        for entries in self._sessions.values():
            while entries and not entries[0].queued:
                entries.popleft()
            if entries:
                heads.append(entries[0].enqueued_at)
        return min(heads, default=None)

    def entries(self) -> int:
        return sum(len(entries) for entries in self._sessions.values()) + len(self._counts)

    def _uncount(self, key: str | None, n: int) -> None:
        left = self._counts[key] - n
        if left:
            self._counts[key] = left
        else:
            del self._counts[key]

    def _clear(self) -> None:
        self._sessions.clear()
        self._counts.clear()


def make_queue(fairness: Literal["fifo", "session"]) -> WaitingQueue:
    return SessionQueue() if fairness == "session" else FifoQueue()
