"""Forms batches when concurrency slots are free, and runs them.

There is no dispatcher loop: anything that may let a batch leave (a submit, a batch ending, a policy
timer) schedules one ``_pump`` with ``loop.call_soon``. Coalescing into one pump per loop iteration is
also what turns a burst of submits into one batch. Listeners sharing a concurrency group take turns.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Callable

from carpool.core.dispatch_policy import DispatchReason
from carpool.core.executor import Executor
from carpool.core.listener import Batch, Listener
from carpool.core.messages import ProcessStarts
from carpool.core.record import JobRecord, JobState
from carpool.core.runner import Runner
from carpool.core.stats import BatchRecord
from carpool.core.steploop import StepLoop
from carpool.exceptions import EngineClosedError, EventTimeLimitError

__all__ = ["Dispatcher"]

logger = logging.getLogger("carpool.core")


class Dispatcher:
    def __init__(
        self,
        *,
        clock: Callable[[], float],
        max_workers: int,
        executor: Executor,
        on_taken: Callable[[JobRecord], None],
        on_batch: Callable[[BatchRecord], None] | None,
        expire_due: Callable[[float], None],
    ) -> None:
        self._clock = clock
        self._expire_due = expire_due  # called before waiting events are taken: the expired never run
        self.max_workers = max_workers
        self._executor = executor
        self._on_taken = on_taken
        self._on_batch = on_batch
        self._runners: dict[str, Runner] = {}
        self._loops: dict[str, StepLoop] = {}  # the running step loop of each Stepwise listener
        self.pending: dict[str, Listener] = {}  # listeners with waiting events, in turn order
        self.batches: set[Batch] = set()
        self.tasks: set[asyncio.Task[None]] = set()
        self._soon: asyncio.Handle | None = None
        self._wake: asyncio.TimerHandle | None = None
        self._wake_at = math.inf
        self._stopped = False

    def add(self, listener: Listener) -> None:
        self._runners[listener.id] = Runner(listener, self._executor, self._clock)

    def enqueued(self, listener: Listener) -> None:
        if listener.queue.live and listener.id not in self.pending:
            self.pending[listener.id] = listener
        self.poke()

    def dequeued(self, listener: Listener) -> None:
        if not listener.queue.live:
            self.pending.pop(listener.id, None)

    def poke(self) -> None:
        if self._soon is None and not self._stopped:
            self._soon = asyncio.get_running_loop().call_soon(self._pump)

    def stop(self) -> None:
        """No more batches leave (shutdown); running ones are left to ``drain``."""
        self._stopped = True
        self.pending.clear()
        for handle in (self._soon, self._wake):
            if handle is not None:
                handle.cancel()
        self._soon = self._wake = None

    async def drain(self, grace: float) -> None:
        """Let running batches finish for ``grace`` seconds, then cancel them (their events fail)."""
        if self.tasks:
            _, late = await asyncio.wait(set(self.tasks), timeout=grace)
            for task in late:
                task.cancel()
            if late:
                await asyncio.wait(late)

    # -- forming batches -----------------------------------------------------------------------------

    def _pump(self) -> None:
        self._soon = None
        now = self._clock()
        self._expire_due(now)
        wake = math.inf
        progressed = True
        while progressed:
            progressed = False
            for listener in list(self.pending.values()):
                if len(self.batches) >= self.max_workers:
                    break
                if listener.id in self._loops or not listener.group.has_slot():
                    continue  # a running step loop takes its own waiting events at its boundaries
                oldest = listener.queue.oldest()
                assert oldest is not None  # pending holds only listeners with waiting events
                decision = listener.policy.decide(now, listener.queue.live, oldest, listener.cap.limit)
                if decision.reason is None:
                    assert decision.wake_at is not None
                    wake = min(wake, decision.wake_at)
                    continue
                self._dispatch(listener, decision.reason, now)
                progressed = True
        self._set_wake(wake, now)

    def _set_wake(self, wake: float, now: float) -> None:
        if wake == self._wake_at:
            return
        if self._wake is not None:
            self._wake.cancel()
            self._wake = None
        self._wake_at = wake
        if wake < math.inf:
            self._wake = asyncio.get_running_loop().call_later(max(0.0, wake - now), self._woken)

    def stuck_threads(self, listener_id: str) -> int:
        return self._runners[listener_id].stuck_threads()

    def _woken(self) -> None:
        self._wake = None
        self._wake_at = math.inf
        # Through call_soon, not directly: tasks woken by timers of this same loop tick (submitters
        # coming back) run first, so their events count in this decision.
        self.poke()

    def _dispatch(self, listener: Listener, reason: DispatchReason, now: float) -> None:
        jobs = listener.queue.take(listener.cap.limit, whole_head=True)  # a pre-batched group leaves whole
        listener.policy.dispatched(len(jobs), listener.queue.live)
        del self.pending[listener.id]
        if listener.queue.live:  # back of the line: listeners sharing a group take turns
            self.pending[listener.id] = listener
        batch = Batch(listener, jobs, reason, now)
        self._start(batch, jobs)
        listener.group.running.add(batch)
        self.batches.add(batch)
        loop = asyncio.get_running_loop()
        if listener.stepwise:
            self._start_loop(batch)
            return
        task = loop.create_task(self._run(batch))
        batch.task = task
        self.tasks.add(task)
        task.add_done_callback(lambda _: self._ended(batch))
        if listener.config.time_limit is not None:
            batch.overtime = loop.call_later(listener.config.time_limit, self._overtime, batch)

    def _start(self, batch: Batch, jobs: list[JobRecord]) -> None:
        """``jobs`` left the queue to run in ``batch``."""
        listener = batch.listener
        listener.running += len(jobs)
        eta = listener.steps.remaining() if listener.stepwise else listener.cost.estimate(batch.padded_size)
        for job in jobs:
            self._on_taken(job)
            job.state = JobState.RUNNING
            job.emit(ProcessStarts(job.id, eta))

    # -- step loops (continuous batching) ------------------------------------------------------------

    def _start_loop(self, batch: Batch) -> None:
        listener = batch.listener
        step_loop = StepLoop(
            batch,
            self._executor,
            clock=self._clock,
            take=lambda limit: self._join_waiting(batch, limit),
            report=self._report_record,
        )
        self._loops[listener.id] = step_loop
        task = asyncio.get_running_loop().create_task(self._run_loop(step_loop))
        batch.task = task
        self.tasks.add(task)
        task.add_done_callback(lambda _: self._loop_ended(batch))

    def _join_waiting(self, batch: Batch, limit: int) -> list[JobRecord]:
        """A step boundary: up to ``limit`` waiting events join the running set (none once stopped)."""
        listener = batch.listener
        self._expire_due(self._clock())
        if self._stopped or limit <= 0 or not listener.queue.live:
            return []
        jobs = listener.queue.take(limit)
        self.dequeued(listener)
        batch.jobs.extend(jobs)
        self._start(batch, jobs)
        return jobs

    async def _run_loop(self, step_loop: StepLoop) -> None:
        try:
            await step_loop.run()
        except asyncio.CancelledError:
            pass  # time_limit abandoned it, or shutdown
        except Exception:
            logger.exception("internal error in the step loop of %s", step_loop.listener.name)

    def _loop_ended(self, batch: Batch) -> None:
        listener = batch.listener
        for job in batch.jobs:
            if not job.done():
                job.fail(EngineClosedError("the engine closed before this event finished"))
        del self._loops[listener.id]
        listener.counters["batches"] += 1
        listener.group.running.discard(batch)
        self.batches.discard(batch)
        assert batch.task is not None
        self.tasks.discard(batch.task)
        self.poke()

    # -- running them --------------------------------------------------------------------------------

    async def _run(self, batch: Batch) -> None:
        try:
            await self._runners[batch.listener.id].run(batch, lambda: self._returned(batch))
        except asyncio.CancelledError:
            pass  # we cancel a batch only when its events are over, or on shutdown
        except Exception:
            logger.exception("internal error while running a batch of %s", batch.listener.name)

    def _returned(self, batch: Batch) -> None:
        """The function returned: free the slot and form the next batch now, before this batch's
        events are settled -- their waiters then wake up while the next call already runs, as on a
        GPU where the host prepares batch k+1's results during batch k+1, not between the two.
        """
        listener = batch.listener
        listener.group.running.discard(batch)
        self.batches.discard(batch)
        listener.policy.returned(len(batch.jobs), listener.queue.live)
        self._pump()

    def _overtime(self, batch: Batch) -> None:
        """The function ran past ``time_limit``: its unfinished events fail and its slot frees now, so a
        hung function never stalls the queue. An async function is cancelled; a sync one cannot be
        stopped from outside its thread -- it runs on there and its result is dropped.
        """
        batch.overtime = None
        limit = batch.listener.config.time_limit
        error = EventTimeLimitError(f"{batch.listener.name} ran past its time_limit of {limit} s")
        for job in batch.jobs:
            if not job.done():
                job.fail(error)
        assert batch.task is not None
        batch.task.cancel()
        self._returned(batch)

    def _ended(self, batch: Batch) -> None:
        """Runs once the batch's task is over, however it ended (even cancelled before it started)."""
        if batch.overtime is not None:
            batch.overtime.cancel()
        run_time = self._clock() - batch.started_at
        listener = batch.listener
        for job in batch.jobs:
            if not job.done():
                job.fail(EngineClosedError("the engine closed before this event finished"))
        # Only clean runs teach the cost model: failures split and retry, cancellations cut runs short.
        if all(job.state is JobState.COMPLETED for job in batch.jobs):
            listener.cost.add(batch.padded_size, run_time if batch.call_time is None else batch.call_time)
        listener.counters["batches"] += 1
        listener.group.running.discard(batch)
        self.batches.discard(batch)
        assert batch.task is not None
        self.tasks.discard(batch.task)
        if self._on_batch is not None:
            self._report(batch, run_time)
        self.poke()

    def _report(self, batch: Batch, run_time: float) -> None:
        waits = tuple(batch.started_at - job.enqueued_at for job in batch.jobs)
        record = BatchRecord(
            batch.listener.id,
            len(batch.jobs),
            batch.padded_size,
            batch.reason,
            waits,
            run_time,
            batch.started_at,
        )
        self._report_record(record)

    def _report_record(self, record: BatchRecord) -> None:
        if self._on_batch is None:
            return
        try:
            self._on_batch(record)
        except Exception:
            logger.exception("on_batch callback failed")
