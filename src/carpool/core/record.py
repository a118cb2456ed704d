"""The engine's record of one event: what was asked, where it stands, and the messages it emitted.

Callers never see a ``JobRecord``: ``Engine.submit`` hands out a ``Job`` (``core.job``), a handle over
it with only the public calls. The engine's modules drive the state machine through the record's
methods (``emit``, ``generating``, ``complete``, ``fail``, ``cancel``) and read its bookkeeping (is it
queued, its ``submit_batch`` group, its last position). Every path to an end goes through ``_finish``,
which runs at most once, so an event ends with exactly one final message.

Only what a late reader still needs is kept: a newer ``Generating``, ``Progress`` or ``Estimation``
replaces the previous one of its kind (each is the whole state so far), so a generator that yields
cumulative text keeps one copy of it, not one per step (memory linear in the output, not quadratic).
"""

from __future__ import annotations

import asyncio
import enum
import logging
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from carpool.core.messages import Cancelled, Completed, Estimation, Failed, Generating, Message, Progress

__all__ = ["JobRecord", "JobState", "RecordOwner"]

logger = logging.getLogger("carpool.core")

# Messages that carry the whole state so far: a newer one makes the previous one useless to a reader.
_SUPERSEDED = (Generating, Progress, Estimation)


class JobState(enum.Enum):
    WAITING = "waiting"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


class RecordOwner(Protocol):
    """What a record and its handle need from the engine (kept narrow: neither reaches into it)."""

    def cancel_job(self, job: JobRecord, reason: str) -> bool: ...
    def estimate_job(self, job: JobRecord) -> Estimation: ...
    def catch_up(self, job: JobRecord) -> None: ...
    def publish(self, job: JobRecord, message: Message) -> None: ...
    def job_ended(self, job: JobRecord, previous: JobState) -> None: ...


class JobRecord:
    """One event submitted to a listener, as the engine keeps it."""

    __slots__ = (
        "context",
        "deadline",
        "enqueued_at",
        "error",
        "estimated_at",
        "final",
        "group",
        "history",
        "id",
        "inputs",
        "last_output",
        "listener_id",
        "msg_waiters",
        "on_message",
        "owes_estimate",
        "owner",
        "position",
        "queued",
        "sent",
        "seqs",
        "session_id",
        "state",
        "value",
        "waiters",
        "watched",
    )

    def __init__(
        self,
        owner: RecordOwner,
        *,
        event_id: str,
        listener_id: str,
        inputs: tuple[Any, ...],
        session_id: str | None,
        context: Mapping[str, Any],
        enqueued_at: float,
        deadline: float | None,
        on_message: Callable[[Message], None] | None,
    ) -> None:
        self.id = event_id
        self.listener_id = listener_id
        self.inputs = inputs
        self.session_id = session_id
        self.context = context
        self.enqueued_at = enqueued_at
        self.deadline = deadline
        self.state = JobState.WAITING
        self.owner = owner
        self.on_message = on_message
        self.history: list[Message] = []  # what a reader that starts now gets, in order
        self.seqs: list[int] = []  # the emit number of each kept message (a reader's cursor)
        self.sent = 0
        self.waiters: list[asyncio.Future[Any]] = []  # result() callers
        self.msg_waiters: list[asyncio.Future[None]] = []  # messages() readers
        self.final = False
        self.value: Any = None
        self.error: BaseException | None = None
        self.queued = False  # True while it sits in a waiting queue (the queues delete lazily)
        self.group: tuple[JobRecord, ...] | None = None  # submit_batch: these run in one batch
        self.last_output: Any = None  # the last generated value: a generator's output
        self.estimated_at = enqueued_at
        self.position = -1
        self.watched = False  # a reader of its messages (history, messages()) has turned up
        self.owes_estimate = False  # its latest Estimation was not sent: nobody could see it then

    def __repr__(self) -> str:
        return f"<JobRecord {self.id} {self.listener_id} {self.state.value}>"

    def done(self) -> bool:
        return self.final

    def emit(self, message: Message) -> None:
        self._keep(message)
        if self.on_message is not None:
            try:
                self.on_message(message)
            except Exception:  # a consumer's bug must not break the engine or other events
                logger.exception("on_message callback failed for event %s", self.id)
        self.owner.publish(self, message)
        if self.msg_waiters:
            waiters, self.msg_waiters = self.msg_waiters, []
            for waiter in waiters:
                if not waiter.done():  # cancelled by a reader that stopped
                    waiter.set_result(None)

    def _keep(self, message: Message) -> None:
        self.sent += 1
        if isinstance(message, _SUPERSEDED):
            kind = type(message)
            for index, old in enumerate(self.history):  # at most one of each kind is kept
                if type(old) is kind:
                    del self.history[index], self.seqs[index]
                    break
        self.history.append(message)
        self.seqs.append(self.sent)

    def generating(self, output: Any) -> None:
        if not self.final:
            self.last_output = output
            self.emit(Generating(self.id, output))

    def complete(self, output: Any) -> None:
        self._finish(JobState.COMPLETED, Completed(self.id, output), output, None)

    def fail(self, error: BaseException) -> None:
        self._finish(JobState.FAILED, Failed(self.id, error), None, error)

    def cancel(self, reason: str, error: BaseException) -> bool:
        return self._finish(JobState.CANCELLED, Cancelled(self.id, reason), None, error)

    def _finish(self, state: JobState, message: Message, value: Any, error: BaseException | None) -> bool:
        if self.final:
            return False
        previous = self.state
        self.state = state
        self.final = True
        self.value = value
        self.error = error
        self.emit(message)
        waiters, self.waiters = self.waiters, []
        for waiter in waiters:
            if waiter.done():  # its caller stopped waiting
                continue
            if error is None:
                waiter.set_result(value)
            else:
                waiter.set_exception(error)
        self.owner.job_ended(self, previous)
        return True
