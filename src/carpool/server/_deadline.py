"""A caller's deadline for one request: ``"timeout"`` in the body or the ``X-Carpool-Timeout`` header.

The deadline counts from the request's arrival, so time spent reading and converting the inputs counts
too; what is left of it when the event is queued becomes the engine's ``submit(timeout=)``. A request whose
deadline passed before it was even queued fails the same way (``EventExpiredError``) and never runs.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request

from carpool.exceptions import EventExpiredError, InvalidInputError
from carpool.protocol import MAX_TIMEOUT, TIMEOUT_HEADER

__all__ = ["CallerDeadline", "caller_deadline", "queue_timeout"]


@dataclass(frozen=True, slots=True)
class CallerDeadline:
    seconds: float  # as the caller gave it
    at: float  # time.monotonic() when it passes

    def remaining(self) -> float:
        """Seconds left for the wait in the queue; EventExpiredError if none are."""
        left = self.at - time.monotonic()
        if left <= 0:
            raise EventExpiredError(
                f"the request's timeout of {self.seconds:g} s passed before it was queued"
            )
        return left


def _parsed(header: str) -> float | None:
    try:
        return float(header.strip())
    except ValueError:
        return None


def _seconds(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InvalidInputError(f"{where} must be a number of seconds", parameter="timeout")
    if not 0 < value <= MAX_TIMEOUT:
        raise InvalidInputError(
            f"{where} must be more than 0 and at most {MAX_TIMEOUT:g} seconds, got {value:g}",
            parameter="timeout",
        )
    return float(value)


_RAW_TIMEOUT_HEADER = TIMEOUT_HEADER.lower().encode("latin-1")


def _header(request: Request, name: bytes) -> str | None:
    # Raw ASGI headers (lower-case names): building Starlette's Headers for one lookup on every API
    # call is a real share of a fast call's cost.
    for key, value in request.scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None


def caller_deadline(request: Request, body: dict[str, Any], received_at: float) -> CallerDeadline | None:
    """The request's deadline (the earlier one when both the body and the header give one), or None.

    ``received_at`` is the ``time.monotonic()`` of the request's arrival, where the deadline counts from.
    A value that is no finite number of seconds in (0, MAX_TIMEOUT] is an InvalidInputError (422).
    """
    given = []
    if body.get("timeout") is not None:
        given.append(_seconds(body["timeout"], '"timeout"'))
    header = _header(request, _RAW_TIMEOUT_HEADER)
    if header is not None:
        given.append(_seconds(_parsed(header), f"the {TIMEOUT_HEADER} header"))
    if not given:
        return None
    seconds = min(given)
    return CallerDeadline(seconds, received_at + seconds)


def queue_timeout(deadline: CallerDeadline | None) -> float | None:
    """The engine's ``submit(timeout=)`` for a request about to be queued now."""
    return None if deadline is None else deadline.remaining()
