"""``Timer``: an invisible component that fires ``tick`` every ``value`` seconds while ``active``.

Its wire value is the interval in seconds (a number), so a function can speed it up by returning
``0.2`` to it, and stop or start it by returning ``carpool.Timer(active=False)`` / ``(active=True)``.
The page runs the clock; the server only sees the ``tick`` events it triggers.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

from carpool.components.base import Component, json_type_name
from carpool.components.events import Changeable, Tickable
from carpool.exceptions import InvalidInputError

__all__ = ["Timer"]


def _interval(value: Any) -> float | None:
    """A positive, finite number of seconds, or None when ``value`` is none."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if not math.isfinite(value) or value <= 0:
        return None
    return float(value)


class Timer(Changeable, Tickable, Component):
    """Ticks every ``value`` seconds (default 1) while ``active``; ``timer.tick(fn, ...)`` listens."""

    block_type: ClassVar[str] = "timer"

    def __init__(self, value: float = 1, *, active: bool = True, render: bool = True) -> None:
        if _interval(value) is None:
            raise ValueError(f"Timer interval must be a positive number of seconds, got {value!r}")
        self.active = active
        super().__init__(value, visible=False, render=render)

    def preprocess(self, payload: Any) -> float | None:
        if payload is None:
            return None
        interval = _interval(payload)
        if interval is None:
            got = repr(payload) if isinstance(payload, int | float) else json_type_name(payload)
            raise InvalidInputError(f"Timer expects a positive number of seconds, got {got}")
        return interval

    def postprocess(self, value: Any) -> float | None:
        if value is None:
            return None
        interval = _interval(value)
        if interval is None:
            raise ValueError(f"Timer output expects a positive number of seconds, got {value!r}")
        return interval

    def component_props(self) -> dict[str, Any]:
        return {"active": self.active}

    def api_schema(self) -> dict[str, Any]:
        return {"type": ["number", "null"], "exclusiveMinimum": 0}

    def example_payload(self) -> float:
        return 1.0
