"""Refusals on Gradio's routes: carpool's statuses and error body, plus the ``detail`` Gradio clients read.

A request is refused exactly as on carpool's own protocol (same status, same ``{"error": {...}}``
body, from ``describe_error``), so one family of 4xx answers covers both wires. Gradio's clients look
for FastAPI's ``detail`` instead: a string, or for an input its component rejects (422) the list of
``{"__type__": "validate", ...}`` records from which ``gradio_client`` raises ``ValidationError``
naming the parameter.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from carpool.server._errors import describe_error
from carpool.server._json import WireJSONResponse
from carpool.server._state import server_state

__all__ = ["gradio_error_response", "handle_gradio_errors"]

Route = Callable[[Request], Awaitable[Any]]


def _detail(body: Any) -> Any:
    if body.get("type") == "invalid_input":
        name = body.get("parameter") or "input"
        return [
            {"__type__": "validate", "is_valid": False, "parameter_name": name, "message": body["message"]}
        ]
    return body.get("message")


def gradio_error_response(error: BaseException, *, show_error: bool) -> Response:
    info = describe_error(error, show_error=show_error)
    body = {"error": info.body, "detail": _detail(info.body)}
    return WireJSONResponse(body, status_code=info.status, headers=info.headers)


def handle_gradio_errors(endpoint: Route) -> Route:
    """Wrap a Gradio route so whatever it raises becomes its refusal (as ``handle_errors`` does)."""

    @functools.wraps(endpoint)
    async def route(request: Request) -> Any:
        try:
            return await endpoint(request)
        except Exception as error:
            show_error = server_state(request).settings.show_error
            return gradio_error_response(error, show_error=show_error)

    return route
