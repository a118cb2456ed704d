"""Messages an event emits, in order: estimation*, process_starts, (progress | generating | log)*, one final.

Frozen, slotted dataclasses: one is created per message on the hot path, so they stay as small as the
protocol allows. ``final`` is a class attribute: ``Completed``, ``Failed`` and ``Cancelled`` end an event.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, TypeAlias

__all__ = [
    "Cancelled",
    "Completed",
    "Estimation",
    "Failed",
    "Generating",
    "Log",
    "Message",
    "ProcessStarts",
    "Progress",
    "ProgressUnit",
]


@dataclass(frozen=True, slots=True)
class Estimation:
    """Where a waiting event stands: ``position`` (0 = next) among ``queue_size`` waiting events of its
    listener, and ``eta``, the expected seconds until its result (None until the cost is known)."""

    final: ClassVar[bool] = False
    event_id: str
    position: int
    queue_size: int
    eta: float | None


@dataclass(frozen=True, slots=True)
class ProcessStarts:
    """The event's batch started; ``eta`` is the expected run time of that batch."""

    final: ClassVar[bool] = False
    event_id: str
    eta: float | None


@dataclass(frozen=True, slots=True)
class ProgressUnit:
    progress: float | None
    index: int | None
    length: int | None
    unit: str
    desc: str | None


@dataclass(frozen=True, slots=True)
class Progress:
    final: ClassVar[bool] = False
    event_id: str
    units: tuple[ProgressUnit, ...]


@dataclass(frozen=True, slots=True)
class Log:
    """A note the running function left for the user (``carpool.Info``/``Warning``): shown as a toast.
    ``duration`` is in seconds (None: until closed); ``visible=False`` keeps it off the page."""

    final: ClassVar[bool] = False
    event_id: str
    level: str
    message: str
    title: str
    duration: float | None
    visible: bool


@dataclass(frozen=True, slots=True)
class Generating:
    """A streamed partial output: the one-sample value, shaped like ``Job.result()``."""

    final: ClassVar[bool] = False
    event_id: str
    output: Any


@dataclass(frozen=True, slots=True)
class Completed:
    final: ClassVar[bool] = True
    event_id: str
    output: Any


@dataclass(frozen=True, slots=True)
class Failed:
    final: ClassVar[bool] = True
    event_id: str
    error: BaseException


@dataclass(frozen=True, slots=True)
class Cancelled:
    final: ClassVar[bool] = True
    event_id: str
    reason: str


Message: TypeAlias = Estimation | ProcessStarts | Progress | Log | Generating | Completed | Failed | Cancelled
