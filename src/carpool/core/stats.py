"""Records and snapshots for metrics: one ``BatchRecord`` per batch, ``EngineStats`` on demand."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from carpool.core.dispatch_policy import DispatchReason

__all__ = ["BatchRecord", "EngineStats", "ListenerStats"]


@dataclass(frozen=True, slots=True)
class BatchRecord:
    """One batch: ``size`` events (``padded_size`` with padding), why it left (``reason``), how long
    each event waited before it (``waits``, seconds) and how long the call ran (``run_time``).

    For a ``Stepwise`` listener there is one record per step (``reason="step"``): ``size`` is the running
    set stepped, ``joined``/``left`` the items that joined/left at that boundary, ``waits`` the joiners'."""

    listener_id: str
    size: int
    padded_size: int
    reason: DispatchReason
    waits: tuple[float, ...]
    run_time: float
    started_at: float
    joined: int = 0
    left: int = 0


@dataclass(frozen=True, slots=True)
class ListenerStats:
    """``waiting`` and ``in_flight`` count events now; the rest count since start. ``failed`` excludes
    ``expired`` (events whose deadline passed while waiting). ``steps``, ``joins`` and ``leaves`` count
    the steps of a ``Stepwise`` listener and the items that joined and left its running set.
    ``stuck_threads``: threads of the listener's concurrency group still held by sync calls given up at
    their ``time_limit`` (shared by the listeners of one group). ``batch_cap``: the largest batch the
    next call may take (``max_batch_size`` until a batched call runs out of memory: ``core.batch_cap``);
    ``out_of_memory``: batched calls that did."""

    waiting: int
    in_flight: int
    completed: int
    failed: int
    cancelled: int
    rejected: int
    expired: int
    batches: int
    steps: int = 0
    joins: int = 0
    leaves: int = 0
    stuck_threads: int = 0
    batch_cap: int = 1
    out_of_memory: int = 0


@dataclass(frozen=True, slots=True)
class EngineStats:
    waiting: int
    in_flight: int
    completed: int
    failed: int
    cancelled: int
    rejected: int
    expired: int
    batches: int
    steps: int
    joins: int
    leaves: int
    listeners: Mapping[str, ListenerStats]

    @classmethod
    def total(cls, listeners: Mapping[str, ListenerStats]) -> EngineStats:
        def add(field: str) -> int:
            return sum(getattr(stats, field) for stats in listeners.values())

        fields = ("waiting", "in_flight", "completed", "failed", "cancelled", "rejected", "expired")
        counts = {field: add(field) for field in fields}
        steps = {field: add(field) for field in ("steps", "joins", "leaves")}
        return cls(**counts, batches=add("batches"), **steps, listeners=listeners)
