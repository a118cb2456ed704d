"""carpool's batching engine: events, queues, batch formation, execution (asyncio + stdlib only).

See ``docs/batching.md`` for the semantics and ``docs/internals.md`` for the contract.
"""

from __future__ import annotations

from carpool.core.engine import Engine
from carpool.core.executor import Executor, ThreadExecutor
from carpool.core.job import Job, JobState
from carpool.core.listener import ListenerConfig
from carpool.core.messages import (
    Cancelled,
    Completed,
    Estimation,
    Failed,
    Generating,
    Log,
    Message,
    ProcessStarts,
    Progress,
    ProgressUnit,
)
from carpool.core.outputs import FINISHED
from carpool.core.progress import report_log, report_progress
from carpool.core.stats import BatchRecord, EngineStats, ListenerStats
from carpool.core.stepwise import Done, Stepwise
from carpool.core.subscription import Subscription

__all__ = [
    "FINISHED",
    "BatchRecord",
    "Cancelled",
    "Completed",
    "Done",
    "Engine",
    "EngineStats",
    "Estimation",
    "Executor",
    "Failed",
    "Generating",
    "Job",
    "JobState",
    "ListenerConfig",
    "ListenerStats",
    "Log",
    "Message",
    "ProcessStarts",
    "Progress",
    "ProgressUnit",
    "Stepwise",
    "Subscription",
    "ThreadExecutor",
    "report_log",
    "report_progress",
]
