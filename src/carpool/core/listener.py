"""A listener's configuration and the engine's live state for it.

``ListenerConfig`` is inert (what the app layer declares); ``Listener`` holds the queue, cost model,
dispatch policy and counters; ``ConcurrencyGroup`` is the limit shared by listeners with one
``concurrency_id``; ``Batch`` is one call in flight.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from carpool.core.batch_cap import BatchCap
from carpool.core.callables import FnKind
from carpool.core.cost_model import CostModel
from carpool.core.dispatch_policy import DispatchPolicy, DispatchReason
from carpool.core.queue import make_queue
from carpool.core.record import JobRecord, JobState
from carpool.core.stats import ListenerStats
from carpool.core.stepwise import StepEstimator, Stepwise
from carpool.exceptions import EventExpiredError

__all__ = ["Batch", "ConcurrencyGroup", "Listener", "ListenerConfig"]


@dataclass(frozen=True, kw_only=True)
class ListenerConfig:
    listener_id: str
    fn: Callable[..., Any]
    n_outputs: int = 1
    batch: bool = False
    max_batch_size: int = 4
    batch_timeout: float | Literal["auto"] = 0.0
    concurrency_limit: int | None = 1
    concurrency_id: str | None = None
    fairness: Literal["fifo", "session"] = "fifo"
    on_batch_error: Literal["split", "fail"] = "split"
    pad_to_multiple: int | None = None
    timeout: float | None = None
    time_limit: float | None = None  # seconds a batch may run before its events fail (the slot frees)
    oom_errors: tuple[type[BaseException], ...] = ()  # out-of-memory errors besides the known ones
    name: str | None = None

    def __post_init__(self) -> None:
        checks = {
            "n_outputs must be >= 0": self.n_outputs >= 0,
            "max_batch_size must be >= 1": self.max_batch_size >= 1,
            "batch_timeout must be >= 0 or 'auto'": self.batch_timeout == "auto"
            or (not isinstance(self.batch_timeout, str) and self.batch_timeout >= 0),
            "concurrency_limit must be >= 1 or None": self.concurrency_limit is None
            or self.concurrency_limit >= 1,
            "fairness must be 'fifo' or 'session'": self.fairness in ("fifo", "session"),
            "on_batch_error must be 'split' or 'fail'": self.on_batch_error in ("split", "fail"),
            "pad_to_multiple must be >= 1 or None": self.pad_to_multiple is None or self.pad_to_multiple >= 1,
            "timeout must be > 0 or None": self.timeout is None or self.timeout > 0,
            "time_limit must be > 0 or None": self.time_limit is None or self.time_limit > 0,
            "a Stepwise function runs continuously batched: pass batch=True": not self.stepwise or self.batch,
            "pad_to_multiple does not apply to a Stepwise function": not self.stepwise
            or self.pad_to_multiple is None,
            "oom_errors must be a tuple of exception classes": isinstance(self.oom_errors, tuple)
            and all(isinstance(kind, type) and issubclass(kind, BaseException) for kind in self.oom_errors),
        }
        for message, ok in checks.items():
            if not ok:
                raise ValueError(f"listener {self.listener_id!r}: {message}")

    @property
    def stepwise(self) -> bool:
        """Continuous batching: the function is a ``Stepwise`` (join + step), see ``core.stepwise``."""
        return isinstance(self.fn, Stepwise)


class ConcurrencyGroup:
    """Batches in flight for the listeners sharing one concurrency id (the lowest limit wins)."""

    def __init__(self, limit: int | None) -> None:
        self.limit = limit
        self.running: set[Batch] = set()

    def restrict(self, limit: int | None) -> None:
        if limit is not None and (self.limit is None or limit < self.limit):
            self.limit = limit

    def has_slot(self) -> bool:
        return self.limit is None or len(self.running) < self.limit


class Listener:
    def __init__(self, config: ListenerConfig, group: ConcurrencyGroup) -> None:
        self.config = config
        self.id = config.listener_id
        self.name = config.name or getattr(config.fn, "__qualname__", None) or repr(config.fn)
        self.kind = FnKind.of(config.fn)
        self.max_batch_size = config.max_batch_size if config.batch else 1
        self.group = group
        self.queue = make_queue(config.fairness)
        self.cost = CostModel()
        timeout = config.batch_timeout if config.batch else 0.0
        self.policy = DispatchPolicy(self.max_batch_size, timeout, self.cost)
        # Batched calls (a Stepwise listener's joins and steps) that run out of memory lower this;
        # clean ones probe it back up. For a Stepwise listener it caps the running set.
        multiple = config.pad_to_multiple if config.batch else None
        self.stepwise = config.stepwise
        self.cap = BatchCap(
            self.name,
            self.max_batch_size,
            multiple=multiple,
            oom_errors=config.oom_errors,
            stepwise=self.stepwise,
        )
        self.running = 0  # events in flight
        self.steps = StepEstimator()  # a Stepwise listener's step time and item lifetime, for ETAs
        self.counters = dict.fromkeys(
            (
                "completed",
                "failed",
                "cancelled",
                "rejected",
                "expired",
                "batches",
                "steps",
                "joins",
                "leaves",
            ),
            0,
        )

    def count_end(self, job: JobRecord, previous: JobState) -> None:
        if previous is JobState.RUNNING:
            self.running -= 1
        if job.state is JobState.FAILED and isinstance(job.error, EventExpiredError):
            self.counters["expired"] += 1
        else:
            self.counters[job.state.value] += 1

    def stats(self, stuck_threads: int = 0) -> ListenerStats:
        return ListenerStats(
            waiting=self.queue.live,
            in_flight=self.running,
            stuck_threads=stuck_threads,
            batch_cap=self.cap.limit,
            out_of_memory=self.cap.out_of_memory,
            **self.counters,
        )


class Batch:
    """One call of a listener's function (or of an unbatched function: a batch of one)."""

    __slots__ = (
        "call_time",
        "expected_end",
        "jobs",
        "listener",
        "overtime",
        "padded_size",
        "reason",
        "started_at",
        "task",
    )

    def __init__(
        self, listener: Listener, jobs: list[JobRecord], reason: DispatchReason, started_at: float
    ) -> None:
        self.listener = listener
        self.jobs = jobs
        self.reason = reason
        self.started_at = started_at
        multiple = listener.config.pad_to_multiple if listener.config.batch else None
        self.padded_size = len(jobs) + (-len(jobs) % multiple if multiple else 0)
        estimate = listener.cost.estimate(self.padded_size)
        self.expected_end = None if estimate is None else started_at + estimate
        self.task: asyncio.Task[None] | None = None
        self.overtime: asyncio.TimerHandle | None = None  # fires at the listener's time_limit
        # How long the function itself ran (set by the runner for a whole batch's clean call): what the
        # cost model learns. The batch's wall time also holds the thread hand-off and the settlement.
        self.call_time: float | None = None

    def all_done(self) -> bool:
        return all(job.done() for job in self.jobs)
