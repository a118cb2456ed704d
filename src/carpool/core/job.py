"""``Job``: the caller's handle on one event -- its result, its messages, cancel and estimation.

``Engine.submit`` returns one; the engine's own bookkeeping lives in the ``JobRecord`` behind it
(``core.record``), which callers never touch. Handles of one event compare equal.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from typing import Any

from carpool.core.messages import Estimation, Message
from carpool.core.record import JobRecord, JobState

__all__ = ["Job", "JobState"]


class Job:
    """One event submitted to a listener. Create it with ``Engine.submit``."""

    __slots__ = ("_record",)

    def __init__(self, record: JobRecord) -> None:
        self._record = record

    def __repr__(self) -> str:
        record = self._record
        return f"<Job {record.id} {record.listener_id} {record.state.value}>"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Job) and other._record is self._record

    def __hash__(self) -> int:
        return hash(self._record)

    @property
    def id(self) -> str:
        return self._record.id

    @property
    def listener_id(self) -> str:
        return self._record.listener_id

    @property
    def inputs(self) -> tuple[Any, ...]:
        return self._record.inputs

    @property
    def session_id(self) -> str | None:
        return self._record.session_id

    @property
    def context(self) -> Mapping[str, Any]:
        return self._record.context

    @property
    def enqueued_at(self) -> float:
        return self._record.enqueued_at

    @property
    def deadline(self) -> float | None:
        """When it expires if still waiting (the engine's clock), or None."""
        return self._record.deadline

    @property
    def state(self) -> JobState:
        return self._record.state

    async def result(self) -> Any:
        """The one-sample result; raises the event's error, EventCancelledError or EventExpiredError."""
        record = self._record
        if not record.final:
            # One future per caller, so a caller that gives up cancels only its own wait.
            waiter: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
            record.waiters.append(waiter)
            try:
                return await waiter
            finally:
                if waiter.cancelled():
                    record.waiters.remove(waiter)
        if record.error is not None:
            raise record.error
        return record.value

    def done(self) -> bool:
        return self._record.final

    def cancel(self) -> bool:
        """Cancel this event (waiting: it never runs; running: it ends now). False if already over."""
        return self._record.owner.cancel_job(self._record, "cancelled")

    def estimation(self) -> Estimation:
        """Position and ETA now (position -1 once it no longer waits)."""
        return self._record.owner.estimate_job(self._record)

    def history(self) -> list[Message]:
        """The messages a reader starting now gets first (superseded progress/estimations left out; an
        event still waiting starts with a fresh Estimation)."""
        self._record.owner.catch_up(self._record)
        return list(self._record.history)

    async def messages(self) -> AsyncIterator[Message]:
        """The messages since submit, then the new ones; ends after the final message. A reader that
        falls behind skips a ``Generating``/``Progress``/``Estimation`` a newer one replaced."""
        record = self._record
        record.owner.catch_up(record)
        seen = 0
        while True:
            while seen < record.sent:
                seq, message = next(
                    (s, m) for s, m in zip(record.seqs, record.history, strict=True) if s > seen
                )
                seen = seq
                yield message
                if message.final:
                    return
            waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            record.msg_waiters.append(waiter)
            try:
                await waiter
            finally:
                if waiter.cancelled():
                    record.msg_waiters.remove(waiter)
