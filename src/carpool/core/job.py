"""One event: a typed record of what was asked, where it stands, and the messages it emitted.

Only what a late reader still needs is kept: a newer ``Generating``, ``Progress`` or ``Estimation``
replaces the previous one of its kind (each is the whole state so far), so a generator that yields
cumulative text keeps one copy of it, not one per step (memory linear in the output, not quadratic).

The engine drives the state machine through the underscore methods; callers use ``result()``,
``messages()``, ``cancel()`` and ``estimation()``. Every path to an end goes through ``_finish``, which
runs at most once, so an event ends with exactly one final message.
"""

from __future__ import annotations

import asyncio
import enum
import logging
from collections.abc import AsyncIterator, Callable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

from carpool.core.messages import Cancelled, Completed, Estimation, Failed, Generating, Message, Progress

if TYPE_CHECKING:
    from carpool.core.listener import Batch

__all__ = ["Job", "JobOwner", "JobState"]

logger = logging.getLogger("carpool.core")

# Messages that carry the whole state so far: a newer one makes the previous one useless to a reader.
_SUPERSEDED = (Generating, Progress, Estimation)


class JobState(enum.Enum):
    WAITING = "waiting"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


class JobOwner(Protocol):
    """What a job needs from its engine (kept narrow so a job never reaches into the engine)."""

    def _cancel_job(self, job: Job, reason: str) -> bool: ...
    def _estimate_job(self, job: Job) -> Estimation: ...
    def _publish(self, job: Job, message: Message) -> None: ...
    def _job_ended(self, job: Job, previous: JobState) -> None: ...


class Job:
    """One event submitted to a listener. Create it with ``Engine.submit``."""

    __slots__ = (
        "_batch",
        "_error",
        "_estimated_at",
        "_final",
        "_group",
        "_history",
        "_last_output",
        "_msg_waiters",
        "_on_message",
        "_owner",
        "_position",
        "_queued",
        "_sent",
        "_seqs",
        "_value",
        "_waiters",
        "context",
        "deadline",
        "enqueued_at",
        "id",
        "inputs",
        "listener_id",
        "session_id",
        "state",
    )

    def __init__(
        self,
        owner: JobOwner,
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
        self._owner = owner
        self._on_message = on_message
        self._history: list[Message] = []  # what a reader that starts now gets, in order
        self._seqs: list[int] = []  # the emit number of each kept message (a reader's cursor)
        self._sent = 0
        self._waiters: list[asyncio.Future[Any]] = []
        self._msg_waiters: list[asyncio.Future[None]] = []
        self._final = False
        self._value: Any = None
        self._error: BaseException | None = None
        self._queued = False  # True while it sits in a waiting queue (the queues delete lazily)
        self._group: tuple[Job, ...] | None = None  # submit_batch: these run in one batch
        self._batch: Batch | None = None
        self._last_output: Any = None  # the last generated value: a generator's output
        self._estimated_at = enqueued_at
        self._position = -1

    def __repr__(self) -> str:
        return f"<Job {self.id} {self.listener_id} {self.state.value}>"

    # -- public ------------------------------------------------------------------------------------

    async def result(self) -> Any:
        """The one-sample result; raises the event's error, EventCancelledError or EventExpiredError."""
        if not self._final:
            # One future per caller, so a caller that gives up cancels only its own wait.
            waiter: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            try:
                return await waiter
            finally:
                if waiter.cancelled():
                    self._waiters.remove(waiter)
        if self._error is not None:
            raise self._error
        return self._value

    def done(self) -> bool:
        return self._final

    def cancel(self) -> bool:
        """Cancel this event (waiting: it never runs; running: it ends now). False if already over."""
        return self._owner._cancel_job(self, "cancelled")

    def estimation(self) -> Estimation:
        """Position and ETA now (position -1 once it no longer waits)."""
        return self._owner._estimate_job(self)

    async def messages(self) -> AsyncIterator[Message]:
        """The messages since submit, then the new ones; ends after the final message. A reader that
        falls behind skips a ``Generating``/``Progress``/``Estimation`` a newer one replaced."""
        seen = 0
        while True:
            while seen < self._sent:
                seq, message = next(
                    (s, m) for s, m in zip(self._seqs, self._history, strict=True) if s > seen
                )
                seen = seq
                yield message
                if message.final:
                    return
            waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._msg_waiters.append(waiter)
            try:
                await waiter
            finally:
                if waiter.cancelled():
                    self._msg_waiters.remove(waiter)

    # -- engine side ---------------------------------------------------------------------------------

    def _emit(self, message: Message) -> None:
        self._keep(message)
        if self._on_message is not None:
            try:
                self._on_message(message)
            except Exception:  # a consumer's bug must not break the engine or other events
                logger.exception("on_message callback failed for event %s", self.id)
        self._owner._publish(self, message)
        if self._msg_waiters:
            waiters, self._msg_waiters = self._msg_waiters, []
            for waiter in waiters:
                if not waiter.done():  # cancelled by a reader that stopped
                    waiter.set_result(None)

    def _keep(self, message: Message) -> None:
        self._sent += 1
        if isinstance(message, _SUPERSEDED):
            kind = type(message)
            for index, old in enumerate(self._history):  # at most one of each kind is kept
                if type(old) is kind:
                    del self._history[index], self._seqs[index]
                    break
        self._history.append(message)
        self._seqs.append(self._sent)

    def _generating(self, output: Any) -> None:
        if not self._final:
            self._last_output = output
            self._emit(Generating(self.id, output))

    def _complete(self, output: Any) -> None:
        self._finish(JobState.COMPLETED, Completed(self.id, output), output, None)

    def _fail(self, error: BaseException) -> None:
        self._finish(JobState.FAILED, Failed(self.id, error), None, error)

    def _cancel(self, reason: str, error: BaseException) -> bool:
        return self._finish(JobState.CANCELLED, Cancelled(self.id, reason), None, error)

    def _finish(self, state: JobState, message: Message, value: Any, error: BaseException | None) -> bool:
        if self._final:
            return False
        previous = self.state
        self.state = state
        self._final = True
        self._value = value
        self._error = error
        self._emit(message)
        waiters, self._waiters = self._waiters, []
        for waiter in waiters:
            if waiter.done():  # its caller stopped waiting
                continue
            if error is None:
                waiter.set_result(value)
            else:
                waiter.set_exception(error)
        self._owner._job_ended(self, previous)
        return True
