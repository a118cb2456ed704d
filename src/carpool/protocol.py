"""The carpool wire protocol, version ``carpool/1``: names and shapes shared by server, client and JS.

``docs/protocol.md`` explains it in prose; this module is the single source of the literal names. The
server builds these dicts, the Python client and ``static/`` read them. Stdlib only.

Routes (all JSON unless said otherwise)::

    GET  /config                 app spec the front end renders            -> AppConfig
    GET  /info                   endpoints with typed parameters/returns   -> {"endpoints": {...}}
    GET  /openapi.json           OpenAPI 3.1 of every route
    GET  /health                 -> {"status": "ok"}
    POST /api/{api_name}         {"data": [v1..vk]} -> {"data": [o1..om]}
                                 {"data": [[v1a, v1b..], ..], "batched": true} -> {"data": [[o1a, o1b..], ..]}
    POST /queue/join             JoinRequest -> {"event_id": str}
    GET  /queue/data?session_hash=S    text/event-stream of Message, one stream per session
    POST /queue/cancel           {"session_hash": S, "event_id": E} -> {"cancelled": bool}
    POST /upload                 multipart "files" -> {"files": [FileData]}
    GET  /file/{file_id}         bytes of a server-minted file id
    GET  /metrics                Prometheus text format

Error bodies (4xx/5xx)::

    {"error": {"type": "invalid_input" | "unknown_endpoint" | "queue_full" | "app_error" | ...,
               "message": str, "parameter": str | None}}
"""

from __future__ import annotations

import json
from typing import Any, Literal, TypedDict

__all__ = [
    "FINAL_STATUSES",
    "PROTOCOL_VERSION",
    "ErrorBody",
    "FileData",
    "JoinRequest",
    "MessageType",
    "Msg",
    "encode_sse",
    "error_body",
]

PROTOCOL_VERSION = "carpool/1"


class Msg:
    """Values of the ``"msg"`` field of every message on the event stream."""

    ESTIMATION = "estimation"  # {event_id, position, queue_size, eta}
    PROCESS_STARTS = "process_starts"  # {event_id, eta}
    PROGRESS = "progress"  # {event_id, progress: [{index, length, unit, progress, desc}]}
    GENERATING = "process_generating"  # {event_id, output: {"data": [...]}}
    COMPLETED = "process_completed"  # {event_id, status, output?: {"data": [...]}, error?: {...}}
    HEARTBEAT = "heartbeat"  # {}
    CLOSE = "close_stream"  # {} the server ends the stream (shutdown)


MessageType = Literal[
    "estimation",
    "process_starts",
    "progress",
    "process_generating",
    "process_completed",
    "heartbeat",
    "close_stream",
]

# ``status`` of a ``process_completed`` message: every event ends with exactly one of these.
FINAL_STATUSES = ("completed", "failed", "cancelled")

ErrorType = Literal[
    "invalid_input",
    "unknown_endpoint",
    "queue_full",
    "app_error",
    "batch_shape",
    "cancelled",
    "expired",
    "timeout",
    "shutting_down",
    "too_large",
    "not_found",
    "forbidden",
    "unauthorized",
    "rate_limited",
    "bad_request",
]


class ErrorBody(TypedDict):
    type: str
    message: str
    parameter: str | None


class JoinRequest(TypedDict, total=False):
    data: list[Any]  # one value per input component (wire form)
    fn_index: int  # dependency index in /config ...
    api_name: str  # ... or its api_name
    session_hash: str  # opaque, chosen by the client; the SSE stream to read results from
    trigger_id: int | None  # id of the component whose event fired, for the app's event data


class FileData(TypedDict, total=False):
    file_id: str  # opaque, server-minted: the only thing that may be sent back as a file input
    url: str  # "/file/{file_id}"
    orig_name: str | None
    size: int | None
    mime_type: str | None
    meta: dict[str, str]  # {"_type": "carpool.FileData"}


FILE_META = {"_type": "carpool.FileData"}


def error_body(type_: str, message: str, parameter: str | None = None) -> dict[str, ErrorBody]:
    return {"error": {"type": type_, "message": message, "parameter": parameter}}


def encode_sse(message: dict[str, Any]) -> bytes:
    """One server-sent event carrying ``message`` as compact JSON."""
    return b"data: " + json.dumps(message, separators=(",", ":"), default=str).encode() + b"\n\n"
