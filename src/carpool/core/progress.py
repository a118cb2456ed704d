"""``report_progress`` / ``report_log``: a running function tells its events how far it got, or leaves
them a note (``carpool.Info``, ``carpool.Warning``).

The runner sets a context variable to a sink for the current batch before calling the function; the
``ThreadExecutor`` copies the context into its thread, so the same call works from a sync function in a
worker thread and from an async function on the loop. From a thread, the message hops to the loop with
``call_soon_threadsafe``: jobs are only ever touched on the loop's thread.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Sequence
from contextvars import ContextVar

from carpool.core.messages import Log, Message, Progress, ProgressUnit
from carpool.core.record import JobRecord

__all__ = ["ProgressSink", "current_sink", "report_log", "report_progress"]


class ProgressSink:
    """The events of the call now running, in the order the function sees them."""

    def __init__(self, jobs: Sequence[JobRecord | None]) -> None:
        self.jobs = jobs
        self._loop = asyncio.get_running_loop()
        self._thread = threading.get_ident()

    def emit(self, unit: ProgressUnit, event: int | None) -> None:
        self._send(lambda job: Progress(job.id, (unit,)), event)

    def log(self, level: str, message: str, title: str, duration: float | None, visible: bool) -> None:
        self._send(lambda job: Log(job.id, level, message, title, duration, visible), None)

    def _send(self, make: Callable[[JobRecord], Message], event: int | None) -> None:
        if threading.get_ident() == self._thread:
            self._deliver(make, event)
        else:
            self._loop.call_soon_threadsafe(self._deliver, make, event)

    def _deliver(self, make: Callable[[JobRecord], Message], event: int | None) -> None:
        targets = self.jobs if event is None else self.jobs[event : event + 1]
        for job in targets:
            if job is not None and not job.done():  # None: a padding slot
                job.emit(make(job))


current_sink: ContextVar[ProgressSink | None] = ContextVar("carpool_progress_sink", default=None)


def report_progress(
    progress: float | None = None,
    *,
    desc: str | None = None,
    index: int | None = None,
    length: int | None = None,
    unit: str = "steps",
    event: int | None = None,
) -> None:
    """Emit a Progress message to every event of the running batch, or to the one at position ``event``.

    Call it from inside a function the engine runs (thread or task); elsewhere it does nothing, so a
    function also works when called directly. Thread-safe.
    """
    sink = current_sink.get()
    if sink is not None:
        sink.emit(ProgressUnit(progress, index, length, unit, desc), event)


def report_log(
    message: str,
    *,
    level: str = "info",
    title: str = "Info",
    duration: float | None = 10,
    visible: bool = True,
) -> bool:
    """Emit a Log message to every event of the running batch; False outside an event (nobody to tell)."""
    sink = current_sink.get()
    if sink is None:
        return False
    sink.log(level, message, title, duration, visible)
    return True
