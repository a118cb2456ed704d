"""The one place where carpool's exceptions become HTTP statuses and protocol error bodies.

Routes raise carpool exceptions (or :class:`HTTPError` for purely HTTP conditions such as a malformed body);
:func:`error_response` turns any of them into a JSON response, and :func:`describe_error` gives the same
``{"type", "message", "parameter"}`` record for a failure reported on the event stream. Messages of
arbitrary exceptions stay on the server unless the app was launched with ``show_error=True``.
"""

from __future__ import annotations

import functools
import logging
import math
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, cast

from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from carpool import exceptions as exc
from carpool.protocol import ErrorBody, error_body
from carpool.server._json import WireJSONResponse

__all__ = [
    "ErrorInfo",
    "HTTPError",
    "describe_error",
    "error_response",
    "handle_errors",
    "routing_error_response",
]

logger = logging.getLogger("carpool.server")

GENERIC_MESSAGE = "The function raised an error. Launch with show_error=True to see it."


class HTTPError(Exception):
    """An HTTP-level failure that is no carpool concept (bad JSON, too large, forbidden, ...)."""

    def __init__(
        self,
        status: int,
        type_: str,
        message: str,
        *,
        headers: dict[str, str] | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.type = type_
        self.message = message
        self.headers = headers or {}
        self.details = dict(details or {})  # extra fields of the error body, e.g. the limit hit


@dataclass(frozen=True)
class ErrorInfo:
    status: int
    body: ErrorBody
    headers: dict[str, str]


def _retry_after(seconds: float) -> dict[str, str]:
    return {"Retry-After": str(max(1, math.ceil(seconds)))}


def _info(status: int, type_: str, message: str, parameter: str | None = None, **headers: str) -> ErrorInfo:
    return ErrorInfo(status, error_body(type_, message, parameter)["error"], dict(headers))


def _hidden(error: BaseException, type_: str, show_error: bool) -> ErrorInfo:
    # Arbitrary exception text may hold paths, secrets or data of other users: log it, show it only
    # when the app author asked for it.
    logger.error("event failed: %s", type_, exc_info=(type(error), error, error.__traceback__))
    message = f"{type(error).__name__}: {error}" if show_error else GENERIC_MESSAGE
    return _info(500, type_, message)


def describe_error(error: BaseException, *, show_error: bool = False) -> ErrorInfo:
    """Status, protocol error body and headers for ``error``."""
    if isinstance(error, HTTPError):
        body = error_body(error.type, error.message)["error"]
        if error.details:
            body = cast(ErrorBody, {**body, **error.details})
        return ErrorInfo(error.status, body, error.headers)
    if isinstance(error, exc.InvalidInputError):
        return _info(422, "invalid_input", error.message, error.parameter)
    if isinstance(error, exc.UnknownEndpointError):
        return _info(404, "unknown_endpoint", str(error) or "No such endpoint.")
    if isinstance(error, exc.BatchTooLargeError):
        return _info(413, "too_large", str(error))
    if isinstance(error, exc.QueueFullError):
        info = _info(503, "queue_full", str(error) or "The queue is full.")
        return ErrorInfo(info.status, info.body, _retry_after(error.retry_after))
    if isinstance(error, exc.EngineClosedError):
        return _info(503, "shutting_down", str(error) or "The server is shutting down.", **_retry_after(5))
    if isinstance(error, exc.FileAccessError):
        # never echo the reference: it may be a path the client is probing
        return _info(404, "not_found", "File not found.")
    if isinstance(error, exc.EventCancelledError):
        return _info(409, "cancelled", str(error) or "The event was cancelled.")
    if isinstance(error, exc.EventExpiredError):
        return _info(504, "expired", str(error) or "The event waited past its deadline.")
    if isinstance(error, exc.EventTimeLimitError):
        return _info(504, "timeout", str(error) or "The function ran past its time limit.")
    if isinstance(error, exc.Error):
        return _info(500, "app_error", error.message)
    if isinstance(error, exc.ConversionError):  # our own message: it names no path and no data
        return _info(500, "conversion_failed", str(error))
    if isinstance(error, exc.BatchShapeError):
        return _hidden(error, "batch_shape", show_error)
    return _hidden(error, "app_error", show_error)


def error_response(error: BaseException, *, show_error: bool = False) -> JSONResponse:
    info = describe_error(error, show_error=show_error)
    # A message may quote what the function saw (a lone surrogate, say): encoded as the protocol does.
    return WireJSONResponse({"error": info.body}, status_code=info.status, headers=info.headers)


Endpoint = Callable[[Request], Awaitable[Response]]


def handle_errors(endpoint: Endpoint) -> Endpoint:
    """Wrap a route so every exception it raises becomes its protocol error response."""

    @functools.wraps(endpoint)
    async def route(request: Request) -> Response:
        try:
            return await endpoint(request)
        except Exception as error:
            show_error = bool(getattr(request.app.state.carpool.settings, "show_error", False))
            return error_response(error, show_error=show_error)

    return route


ROUTING_ERROR_TYPES = {404: "not_found", 405: "method_not_allowed"}


async def routing_error_response(request: Request, error: Exception) -> Response:
    """Starlette's own refusals (no such route, wrong method) as protocol error bodies, not plain text."""
    assert isinstance(error, StarletteHTTPException)
    type_ = ROUTING_ERROR_TYPES.get(error.status_code, "bad_request")
    body = error_body(type_, str(error.detail))
    return JSONResponse(body, status_code=error.status_code, headers=error.headers)
