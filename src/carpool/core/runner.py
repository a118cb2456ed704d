"""Calling a listener's function for one batch and settling every event of it.

Four shapes of function (sync/async x plain/generator), batched or not. Batched: one list per input in,
one sequence per output back (checked, see ``outputs``). An item that is an exception fails only its
event. A call that raises is split in halves and retried until the failing samples are isolated
(``on_batch_error="split"``), which also turns an out-of-memory error on a big batch into smaller
batches. A generator that already streamed is not retried: its remaining events fail.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import Any

from carpool.core.callables import FnKind
from carpool.core.executor import Executor, ThreadExecutor, thread_budget
from carpool.core.listener import Batch, Listener
from carpool.core.outputs import FINISHED, one_sample_values, sample_error
from carpool.core.progress import ProgressSink, current_sink
from carpool.core.record import JobRecord
from carpool.exceptions import BatchShapeError

__all__ = ["Runner"]

_DONE = object()  # a generator is exhausted (StopIteration cannot cross a thread/future boundary)


def _next_or_done(generator: Iterator[Any]) -> Any:
    return next(generator, _DONE)


def _timed(clock: Callable[[], float], fn: Callable[..., Any], *args: Any) -> tuple[Any, float]:
    """``fn(*args)`` and how long it ran, measured in its own thread: the hand-off to the thread and
    back is the server's cost, not the function's, and on a busy loop it can dwarf a fast function."""
    started = clock()
    result = fn(*args)
    return result, clock() - started


@contextmanager
def _progress_to(jobs: Sequence[JobRecord | None]) -> Iterator[None]:
    token = current_sink.set(ProgressSink(jobs))
    try:
        yield
    finally:
        current_sink.reset(token)


class Runner:
    def __init__(self, listener: Listener, executor: Executor, clock: Callable[[], float]) -> None:
        self.clock = clock
        self.fn = listener.config.fn
        self.kind = listener.kind
        self.name = listener.name
        self.n_outputs = listener.config.n_outputs
        self.batched = listener.config.batch
        self.split = listener.config.on_batch_error == "split"
        self.pad_multiple = listener.config.pad_to_multiple
        self.executor = executor
        self.group = listener.group
        self.group_name = listener.config.concurrency_id or listener.id
        self.cap = listener.cap

    def threads(self) -> Executor:
        """Where this listener's sync calls run: its concurrency group's own lane of a thread pool."""
        if not isinstance(self.executor, ThreadExecutor):
            return self.executor  # another executor (replicas, a test double) bounds itself
        budget = thread_budget(self.group.limit, self.executor.max_workers)
        return self.executor.lane(self.group_name, budget)

    def stuck_threads(self) -> int:
        """Threads of this listener's group still held by calls given up at their time limit."""
        threads = self.threads()
        return threads.stuck if isinstance(threads, ThreadExecutor) else 0

    async def run(self, batch: Batch, returned: Callable[[], None] | None = None) -> None:
        """Run ``batch``. ``returned`` is called once the function has returned every output, just
        before the events are settled, so the next batch can leave before their waiters wake up.
        """
        if not self.batched:
            await self._run_single(batch.jobs[0], batch)
        elif self.kind in (FnKind.SYNC_GENERATOR, FnKind.ASYNC_GENERATOR):
            await self._run_batched_generator(batch.jobs)
        else:
            await self._run_batched(batch.jobs, returned, batch)

    # -- unbatched -----------------------------------------------------------------------------------

    async def _run_single(self, job: JobRecord, batch: Batch) -> None:
        try:
            with _progress_to([job]):
                if self.kind in (FnKind.SYNC_GENERATOR, FnKind.ASYNC_GENERATOR):
                    await self._stream_single(job)
                    return
                value, batch.call_time = await self._call(list(job.inputs))
        except Exception as error:
            job.fail(error)
            return
        job.complete(value)

    async def _stream_single(self, job: JobRecord) -> None:
        generator = self.fn(*job.inputs)
        try:
            while not job.done():
                value = await self._next(generator)
                if value is _DONE:
                    job.complete(job.last_output)
                    return
                job.generating(value)
        finally:
            await self._close(generator)

    # -- batched -------------------------------------------------------------------------------------

    async def _run_batched(
        self, jobs: list[JobRecord], returned: Callable[[], None] | None = None, batch: Batch | None = None
    ) -> None:
        """``batch``: the batch these jobs make up whole (not a split retry's half), timed for the cost
        model."""
        live = [job for job in jobs if not job.done()]
        if not live:
            return
        padded = self._pad(live)
        try:
            with _progress_to(self._slots(live, padded)):
                result, call_time = await self._call(self._columns(padded))
                if batch is not None:
                    batch.call_time = call_time
            values = one_sample_values(result, len(padded), self.n_outputs, self.name, "returned")
        except BatchShapeError as error:
            self._fail_all(live, error)
            return
        except Exception as error:
            self.cap.failed(len(padded), error)
            await self._after_error(live, error, self._run_batched)
            return
        self.cap.succeeded(len(padded))
        if returned is not None:
            returned()
        for job, value in zip(live, values, strict=False):  # padded outputs are dropped
            failure = sample_error(value, self.n_outputs)
            if failure is None:
                job.complete(value)
            else:
                job.fail(failure)

    async def _run_batched_generator(self, jobs: list[JobRecord]) -> None:
        live = [job for job in jobs if not job.done()]
        if not live:
            return
        padded = self._pad(live)
        active = self._slots(live, padded)  # shrinks as the function finishes events
        retry_error: Exception | None = None
        steps = 0
        generator: Any = None
        with _progress_to(list(active)):
            try:
                generator = self.fn(*self._columns(padded))
                while any(job is not None and not job.done() for job in active):
                    step = await self._next(generator)
                    if step is _DONE:
                        break
                    values = one_sample_values(step, len(active), self.n_outputs, self.name, "yielded")
                    steps += 1
                    pairs = zip(active, values, strict=True)
                    active[:] = [job for job, value in pairs if self._advance(job, value)]
            except BatchShapeError as error:
                self._fail_all(active, error)
            except Exception as error:
                self.cap.failed(len(padded), error)
                if steps:
                    self._fail_all(active, error)
                else:
                    retry_error = error
            else:
                self.cap.succeeded(len(padded))
                for job in active:
                    if job is not None:
                        job.complete(job.last_output)
            finally:
                if generator is not None:
                    await self._close(generator)
        if retry_error is not None:
            await self._after_error(live, retry_error, self._run_batched_generator)

    def _advance(self, job: JobRecord | None, value: Any) -> bool:
        """Apply one generated item to its event; False when the function finished that event."""
        if value is FINISHED or (self.n_outputs > 1 and any(item is FINISHED for item in value)):
            if job is not None:
                job.complete(job.last_output)
            return False
        error = sample_error(value, self.n_outputs)
        if error is not None:
            if job is not None:
                job.fail(error)
            return False
        if job is not None:
            job.generating(value)  # a no-op for a cancelled event: it keeps its slot, its items drop
        return True

    async def _after_error(
        self, live: list[JobRecord], error: Exception, retry: Callable[[list[JobRecord]], Awaitable[None]]
    ) -> None:
        if self.split and len(live) > 1:
            middle = len(live) // 2
            await retry(live[:middle])
            await retry(live[middle:])
        else:
            self._fail_all(live, error)

    # -- helpers -------------------------------------------------------------------------------------

    async def _call(self, args: list[Any]) -> tuple[Any, float]:
        """The function's result and its run time."""
        if self.kind is FnKind.ASYNC:
            started = self.clock()
            value = await self.fn(*args)
            return value, self.clock() - started
        threads = self.threads()
        if isinstance(threads, ThreadExecutor):  # timed in its thread: the hand-off is not its cost
            result: tuple[Any, float] = await threads.run(_timed, self.clock, self.fn, *args)
            return result
        started = self.clock()  # a remote replica: the whole round trip is what the slot costs
        value = await threads.run(self.fn, *args)
        return value, self.clock() - started

    async def _next(self, generator: Any) -> Any:
        if self.kind is FnKind.ASYNC_GENERATOR:
            try:
                return await generator.__anext__()
            except StopAsyncIteration:
                return _DONE
        return await self.threads().run(_next_or_done, generator)

    async def _close(self, generator: Any) -> None:
        if self.kind is FnKind.ASYNC_GENERATOR:
            await generator.aclose()
        else:
            # ValueError: a cancelled step is still running in its thread; it is left to finish.
            with suppress(ValueError):
                await self.threads().run(generator.close)

    def _pad(self, jobs: list[JobRecord]) -> list[JobRecord]:
        """Repeat the last sample up to a multiple of ``pad_to_multiple`` (fixed shapes for JAX/TPU)."""
        if not self.pad_multiple:
            return jobs
        return jobs + [jobs[-1]] * (-len(jobs) % self.pad_multiple)

    @staticmethod
    def _slots(live: list[JobRecord], padded: list[JobRecord]) -> list[JobRecord | None]:
        """The events in call order; None for padding, whose outputs are dropped."""
        return [*live, *([None] * (len(padded) - len(live)))]

    @staticmethod
    def _columns(jobs: list[JobRecord]) -> list[list[Any]]:
        return [list(column) for column in zip(*(job.inputs for job in jobs), strict=True)]

    @staticmethod
    def _fail_all(jobs: Sequence[JobRecord | None], error: BaseException) -> None:
        for job in jobs:
            if job is not None:
                job.fail(error)
