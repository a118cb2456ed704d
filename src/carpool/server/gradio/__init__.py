"""Gradio's wire protocol beside carpool's: ``gradio_client`` and ``@gradio/client`` work unchanged.

A translation layer, nothing more: every route here ends in the engine calls, session channels and
file store that carpool's own routes use, so a Gradio client's event joins the same queue and the
same batches as a browser's or an ``/api`` caller's. Modules:

- ``_info``: the ``/config`` fields Gradio's clients read, and ``/gradio_api/info``;
- ``_queue``: ``queue/join``, ``queue/data`` (sse_v3), ``cancel``, ``reset``, the REST ``call`` routes;
- ``_messages`` and ``_diff``: carpool's event messages as Gradio's, streamed outputs as edits;
- ``_values``: files named by minted paths instead of file ids (no client-named path is opened);
- ``_files``: ``upload`` and ``file=``; ``_stream``: the event streams; ``_errors``: refusals;
- ``_chat``: chat listeners in Gradio's call shape; ``_heartbeat``: the keep-alive stream.

docs/protocol.md ("Gradio's protocol") describes what is served and what is left out.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from carpool.server._json import WireJSONResponse
from carpool.server._pages import app_config
from carpool.server._state import server_state
from carpool.server.gradio import _files, _heartbeat, _queue
from carpool.server.gradio._errors import handle_gradio_errors
from carpool.server.gradio._info import API_PREFIX, GRADIO_VERSION, gradio_config, gradio_info

__all__ = ["GRADIO_VERSION", "config", "routes"]


async def config(request: Request) -> Response:
    """``GET /config``: carpool's app config, with the fields Gradio's clients read."""
    state = server_state(request)
    body = gradio_config(
        app_config(state),
        state.blocks.api_info(),
        show_error=state.settings.show_error,
        max_file_size=state.settings.max_file_size,
    )
    return WireJSONResponse(body)


async def info(request: Request) -> Response:
    return WireJSONResponse(gradio_info(server_state(request).blocks.api_info(), _queue.api_root(request)))


def routes() -> list[Route]:
    """Gradio's routes under ``/gradio_api`` (the hot ones first)."""

    def route(path: str, endpoint: Callable[..., Any], methods: list[str]) -> Route:
        return Route(API_PREFIX + path, handle_gradio_errors(endpoint), methods=methods)

    return [
        route("/queue/join", _queue.join, ["POST"]),
        route("/queue/data", _queue.queue_data, ["GET"]),
        route("/call/{target:path}", _queue.call, ["GET", "POST"]),
        route("/cancel", _queue.cancel, ["POST"]),
        route("/reset", _queue.reset, ["POST"]),
        route("/upload", _files.upload, ["POST"]),
        route("/file={path:path}", _files.serve_file, ["GET"]),
        route("/info", info, ["GET"]),
        route("/heartbeat/{session_hash}", _heartbeat.heartbeat, ["GET"]),
    ]
