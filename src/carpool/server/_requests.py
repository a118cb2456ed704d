"""Reading requests: bounded JSON bodies and the per-event request context."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request

from carpool.server._errors import HTTPError

__all__ = ["USERNAME_SCOPE_KEY", "event_context", "read_json", "request_username"]

USERNAME_SCOPE_KEY = "carpool.username"  # set by the auth middleware on an authenticated request


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise HTTPError(413, "too_large", f"Request body over {limit} bytes.")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:  # a lying or absent Content-Length: count while reading
            raise HTTPError(413, "too_large", f"Request body over {limit} bytes.")
        chunks.append(chunk)
    return b"".join(chunks)


async def read_json(request: Request, limit: int) -> Any:
    """The body parsed as JSON; 400 when it is not JSON, 413 when it is larger than ``limit``."""
    body = await _read_body(request, limit)
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise HTTPError(400, "bad_request", "The request body is not valid JSON.") from None
    except RecursionError:  # "[[[[..." nested deeper than the parser's stack: the client's fault
        raise HTTPError(400, "bad_request", "The request body is nested too deeply.") from None


def request_username(request: Request) -> str | None:
    name = request.scope.get(USERNAME_SCOPE_KEY)
    return name if isinstance(name, str) else None


def event_context(request: Request, session_hash: str | None) -> dict[str, Any]:
    """What a running function may learn about the request that queued it (one per event, even batched)."""
    client = request.client
    return {
        "headers": dict(request.headers),
        "client": (client.host, client.port) if client else None,
        "session_hash": session_hash,
        "username": request_username(request),
        "query_params": dict(request.query_params),
    }
