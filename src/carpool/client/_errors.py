"""The one place where the server's HTTP answers become carpool exceptions.

An error body ``{"error": {"type", "message", "parameter"}}`` (docs/protocol.md) maps by its ``type``,
so ``except carpool.QueueFullError`` works the same in-process and over HTTP.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import httpx

from carpool import exceptions as exc

__all__ = ["error_from_body", "raise_for_response"]


def _retry_after(response: httpx.Response | None) -> float:
    value = response.headers.get("retry-after", "") if response is not None else ""
    try:
        return max(0.0, float(value))
    except ValueError:
        return 1.0


def error_from_body(
    error: Mapping[str, Any], status: int | None = None, response: httpx.Response | None = None
) -> exc.CarpoolError:
    """The exception for one protocol error record (an HTTP error body or a failed event)."""
    kind = str(error.get("type") or "app_error")
    message = str(error.get("message") or f"HTTP {status}")
    if kind == "invalid_input":
        parameter = error.get("parameter")
        return exc.InvalidInputError(message, parameter=str(parameter) if parameter is not None else None)
    if kind == "unknown_endpoint":
        return exc.UnknownEndpointError(message)
    if kind == "queue_full":
        return exc.QueueFullError(message, retry_after=_retry_after(response))
    if kind == "cancelled":
        return exc.EventCancelledError(message)
    if kind == "expired":
        return exc.EventExpiredError(message)
    if kind == "timeout":
        return exc.EventTimeLimitError(message)
    if kind == "shutting_down":
        return exc.EngineClosedError(message)
    if kind == "unauthorized" or status == 401:
        return exc.AuthenticationError(message)
    return exc.AppError(message, status_code=status, error_type=kind)


def _error_record(response: httpx.Response) -> Mapping[str, Any] | None:
    try:
        body = json.loads(response.content)
    except ValueError:
        return None
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, dict) else None


def raise_for_response(response: httpx.Response) -> None:
    """Nothing for a 2xx answer; the matching exception for anything else."""
    if response.is_success:
        return
    record = _error_record(response)
    if record is None:
        if response.status_code == 401:
            raise exc.AuthenticationError("The server requires a login.")
        raise exc.ProtocolError(f"HTTP {response.status_code} without a carpool error body")
    raise error_from_body(record, response.status_code, response)
