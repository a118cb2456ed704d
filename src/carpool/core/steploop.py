"""Running a ``Stepwise`` listener: the running set and its step boundaries.

One ``StepLoop`` per listener at a time, holding one concurrency slot while it has members. At every
boundary it drops the items that are over (finished, failed, timed out, cancelled -- their states go to
``leave``), takes waiting events into the free slots (oldest first, through the listener's queue, so
``fairness`` holds), prefills them with one ``join`` call, and runs one ``step`` over the running set.
It ends when the running set is empty and nothing waits; the dispatcher starts a new one on the next
submit. A ``BatchRecord`` with ``reason="step"`` is reported per step: the running-set size, the joins and
the leaves at that boundary.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from carpool.core.executor import Executor
from carpool.core.listener import Batch, Listener
from carpool.core.outputs import FINISHED, describe, sample_error
from carpool.core.progress import ProgressSink, current_sink
from carpool.core.record import JobRecord
from carpool.core.stats import BatchRecord
from carpool.core.stepwise import Done, Stepwise
from carpool.exceptions import BatchShapeError, EventTimeLimitError

__all__ = ["StepLoop"]

logger = logging.getLogger("carpool.core")


class _Member:
    """One item of the running set: its event, its state, and how long it has been in."""

    __slots__ = ("job", "state", "steps", "timer")

    def __init__(self, job: JobRecord, state: Any) -> None:
        self.job = job
        self.state = state
        self.steps = 0
        self.timer: asyncio.TimerHandle | None = None


@contextmanager
def _progress_to(jobs: Sequence[JobRecord]) -> Iterator[None]:
    token = current_sink.set(ProgressSink(jobs))
    try:
        yield
    finally:
        current_sink.reset(token)


class StepLoop:
    def __init__(
        self,
        batch: Batch,
        executor: Executor,
        *,
        clock: Callable[[], float],
        take: Callable[[int], list[JobRecord]],
        report: Callable[[BatchRecord], None],
    ) -> None:
        self.batch = batch
        self.listener: Listener = batch.listener
        fn = self.listener.config.fn
        assert isinstance(fn, Stepwise)
        self.fn: Stepwise[Any] = fn
        self.executor: Executor = executor
        self.clock: Callable[[], float] = clock
        self.take: Callable[[int], list[JobRecord]] = take
        self.report: Callable[[BatchRecord], None] = report
        self.members: list[_Member] = []
        self.calling: bool = False  # a join or step call is in flight
        self.joined_now = 0  # items that joined at this boundary, for its step's record

    async def run(self) -> None:
        newcomers = list(self.batch.jobs)  # the events the dispatcher started this loop with
        try:
            while True:
                left = await self._drop_over()
                # the learned cap, not max_batch_size: a running set that ran out of memory stays smaller
                room = self.listener.cap.limit - len(self.members) - len(newcomers)
                newcomers += self.take(room)
                joined_at = self.clock()
                waits = tuple(joined_at - job.enqueued_at for job in newcomers)
                if newcomers:
                    await self._join(newcomers)
                live = [member for member in self.members if not member.job.done()]
                if not live:
                    if not self.members and not newcomers:
                        return  # nothing runs and nothing waits that fits
                    newcomers = []
                    continue  # drop the members that are over, fill their slots
                newcomers = []
                started = self.clock()
                await self._step(live)
                self._stepped(live, started, left, waits)
                if self.fn.is_async("step"):
                    await asyncio.sleep(0)  # a step that never suspends must not starve the loop
        finally:
            for member in self.members:
                if member.timer is not None:
                    member.timer.cancel()

    # -- boundaries ----------------------------------------------------------------------------------

    async def _drop_over(self) -> int:
        """Remove the items whose events are over; their states go to ``leave`` in one call, before
        anyone joins: a function that pools its rows (KV-cache slots) gets them back first."""
        over = [member for member in self.members if member.job.done()]
        if not over:
            return 0
        self.members = [member for member in self.members if not member.job.done()]
        self.batch.jobs[:] = [job for job in self.batch.jobs if not job.done()]
        for member in over:
            if member.timer is not None:
                member.timer.cancel()
            self.listener.steps.item_left(member.steps)
        self.listener.counters["leaves"] += len(over)
        if not self.fn.frees():
            return len(over)
        try:
            await self._call("leave", [[member.state for member in over]], [])
        except Exception:  # the items are over already; a failed free must not stop the others
            logger.exception("leave of %s failed", self.listener.name)
        return len(over)

    def _stepped(self, live: list[_Member], started: float, leaves: int, waits: tuple[float, ...]) -> None:
        run_time = self.clock() - started
        self.listener.steps.stepped(run_time)
        self.listener.counters["steps"] += 1
        joins, self.joined_now = self.joined_now, 0
        size = len(live)
        record = BatchRecord(
            self.listener.id, size, size, "step", waits, run_time, started, joined=joins, left=leaves
        )
        self.report(record)

    # -- join ----------------------------------------------------------------------------------------

    async def _join(self, jobs: list[JobRecord]) -> None:
        live = [job for job in jobs if not job.done()]
        if not live:
            return
        try:
            states = await self._call(
                "join", [list(c) for c in zip(*(j.inputs for j in live), strict=True)], live
            )
            self._check_count(states, len(live), "join", "newcomer")
        except BatchShapeError as error:
            _fail_all(live, error)
            return
        except Exception as error:
            # Not taught to the cap: split-retry isolates a newcomer too big to prefill, and one such
            # request must not shrink everyone's running set. Steps measure the set's size.
            if self.listener.config.on_batch_error == "split" and len(live) > 1:
                middle = len(live) // 2
                await self._join(live[:middle])
                await self._join(live[middle:])
            else:
                _fail_all(live, error)
            return
        for job, state in zip(live, states, strict=True):
            if isinstance(state, BaseException):
                job.fail(state)
                continue
            member = _Member(job, state)
            self.members.append(member)
            self.joined_now += 1
            self.listener.counters["joins"] += 1
            self._arm_time_limit(member)

    def _arm_time_limit(self, member: _Member) -> None:
        limit = self.listener.config.time_limit
        if limit is not None:
            member.timer = asyncio.get_running_loop().call_later(limit, self._overtime, member, limit)

    def _overtime(self, member: _Member, limit: float) -> None:
        """An item ran past ``time_limit``: it fails now and leaves at the next boundary. When no item is
        left but a call is stuck, the loop is abandoned (an async call is cancelled; a thread runs on and
        its result is dropped) so the waiting events get a fresh loop instead of waiting behind it.
        """
        member.timer = None
        member.job.fail(EventTimeLimitError(f"{self.listener.name} ran past its time_limit of {limit} s"))
        if self.calling and self.batch.all_done():
            assert self.batch.task is not None
            self.batch.task.cancel()

    # -- step ----------------------------------------------------------------------------------------

    async def _step(self, live: list[_Member]) -> None:
        jobs = [member.job for member in live]
        try:
            outputs = await self._call("step", [[member.state for member in live]], jobs)
            self._check_count(outputs, len(live), "step", "item in the running set")
        except Exception as error:  # the states may be half-advanced: the step's items fail together
            self.listener.cap.failed(len(live), error)  # out of memory: later running sets stay smaller
            _fail_all(jobs, error)
            return
        self.listener.cap.succeeded(len(live))
        n_outputs = self.listener.config.n_outputs
        for member, output in zip(live, outputs, strict=True):
            member.steps += 1
            _apply(member.job, output, n_outputs)

    # -- helpers -------------------------------------------------------------------------------------

    async def _call(self, method: str, args: list[Any], jobs: list[JobRecord]) -> Any:
        self.calling = True
        try:
            with _progress_to(jobs):
                if self.fn.is_async(method):
                    return await self.fn.call(method)(*args)
                return await self.executor.run(self.fn.call(method), *args)
        finally:
            self.calling = False

    def _check_count(self, result: Any, expected: int, method: str, what: str) -> None:
        if isinstance(result, (str, bytes)) or not isinstance(result, Sequence) or len(result) != expected:
            raise BatchShapeError(
                f"Stepwise function {self.listener.name!r}: {method} returned {describe(result)}; expected a "
                f"list of {expected} item(s), one per {what}"
            )


def _apply(job: JobRecord, output: Any, n_outputs: int) -> None:
    """One item's output of one step: streamed, final, or its error."""
    if output is FINISHED:
        job.complete(job.last_output)
    elif isinstance(output, Done):
        job.complete(output.value)
    else:
        failure = sample_error(output, n_outputs)
        if failure is not None:
            job.fail(failure)
        else:
            job.generating(output)  # a no-op for an event cancelled during the step


def _fail_all(jobs: Sequence[JobRecord], error: BaseException) -> None:
    for job in jobs:
        job.fail(error)
