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
import math
from typing import Any, Literal, TypedDict

__all__ = [
    "FINAL_STATUSES",
    "MAX_TIMEOUT",
    "PROTOCOL_VERSION",
    "TIMEOUT_HEADER",
    "ErrorBody",
    "FileData",
    "JoinRequest",
    "MessageType",
    "Msg",
    "encode_json",
    "encode_sse",
    "error_body",
]

PROTOCOL_VERSION = "carpool/1"

# A caller's deadline, in seconds from the request's arrival, for the wait in the queue: a request still
# waiting then fails with error type "expired" (HTTP 504) and never runs. Also the body field "timeout".
TIMEOUT_HEADER = "X-Carpool-Timeout"
MAX_TIMEOUT = 86_400.0  # one day: longer is no deadline, and beyond the loop's timers


class Msg:
    """Values of the ``"msg"`` field of every message on the event stream."""

    ESTIMATION = "estimation"  # {event_id, position, queue_size, eta}
    PROCESS_STARTS = "process_starts"  # {event_id, eta}
    PROGRESS = "progress"  # {event_id, progress: [{index, length, unit, progress, desc}]}
    GENERATING = "process_generating"  # {event_id, output: {"data": [...]}}
    LOG = "log"  # {event_id, log, level: "info"|"warning"|"success", title, duration, visible}
    COMPLETED = "process_completed"  # {event_id, status, output?: {"data": [...]}, error?: {...}}
    HEARTBEAT = "heartbeat"  # {}
    CLOSE = "close_stream"  # {} the server ends the stream (shutdown)


MessageType = Literal[
    "estimation",
    "process_starts",
    "progress",
    "process_generating",
    "log",
    "process_completed",
    "heartbeat",
    "close_stream",
]

# ``status`` of a ``process_completed`` message: every event ends with exactly one of these.
FINAL_STATUSES = ("completed", "failed", "cancelled")


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
    timeout: float | None  # seconds the event may wait in the queue (see TIMEOUT_HEADER)


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


def _finite(value: Any) -> Any:
    """``value`` with every NaN and infinity (which JSON has no spelling for) replaced by None."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(item) for item in value]
    return value


def _encoder(ascii_only: bool) -> json.JSONEncoder:
    return json.JSONEncoder(ensure_ascii=ascii_only, allow_nan=False, separators=(",", ":"), default=str)


# Built once: ``json.dumps`` with any non-default option builds a new encoder on every call, a real
# share of encoding a short answer. An encoder keeps no state between calls, so threads may share it.
_ENCODERS = {False: _encoder(False), True: _encoder(True)}


def _dumps(value: Any, *, ascii_only: bool = False) -> str:
    return _ENCODERS[ascii_only].encode(value)


def encode_json(value: Any) -> bytes:
    """``value`` as compact UTF-8 JSON that every parser accepts.

    NaN and infinities become ``null`` (as Gradio sends them: JSON has no such numbers, and a browser's
    ``JSON.parse`` fails on Python's ``NaN``); a lone surrogate in a string is sent escaped. Both cost
    nothing unless they occur: the plain encoding is tried first.
    """
    try:
        text = _dumps(value)
    except ValueError as error:
        if "Out of range float" not in str(error):
            raise
        value = _finite(value)
        text = _dumps(value)
    try:
        return text.encode()
    except UnicodeEncodeError:  # UTF-8 cannot hold a lone surrogate; a JSON escape can
        return _dumps(value, ascii_only=True).encode()


def encode_sse(message: dict[str, Any]) -> bytes:
    """One server-sent event carrying ``message`` as compact JSON (see :func:`encode_json`)."""
    return b"data: " + encode_json(message) + b"\n\n"
