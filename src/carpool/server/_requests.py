"""Reading requests: bounded JSON bodies and the per-event request context."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from json import scanner as json_scanner
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import ClientDisconnect, Request
from starlette.types import Receive, Scope

from carpool.exceptions import InvalidInputError
from carpool.server._errors import HTTPError

__all__ = [
    "MAX_SESSION_HASH",
    "USERNAME_SCOPE_KEY",
    "EventHeaders",
    "client_key",
    "event_context",
    "optional_session_hash",
    "raw_header",
    "read_json",
    "read_json_body",
    "request_username",
    "scope_context",
    "scope_username",
    "session_hash",
]

USERNAME_SCOPE_KEY = "carpool.username"  # set by the auth middleware on an authenticated request
MAX_SESSION_HASH = 128


def _too_large(limit: int) -> HTTPError:
    # Connection: close -- uvicorn then drops the rest of the body instead of reading it to keep the
    # connection alive, so a refused 60 MiB upload costs nothing more.
    return HTTPError(413, "too_large", f"Request body over {limit} bytes.", headers={"Connection": "close"})


def raw_header(scope: Scope, name: bytes) -> bytes | None:
    """The first value of header ``name`` (lower case), straight from the ASGI scope.

    Building Starlette's ``Headers`` for one lookup is a real share of a fast API call's cost.
    """
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value)
    return None


async def _read_body(request: Request, limit: int) -> bytes:
    return await _read_raw_body(request.scope, request.receive, limit)


async def _read_raw_body(scope: Scope, receive: Receive, limit: int) -> bytes:
    # Straight from ASGI ``receive``: Starlette's ``request.stream()`` async generator costs a real share
    # of a fast request, and a body larger than ``limit`` must be refused while it streams anyway.
    declared = raw_header(scope, b"content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)  # before a byte of it is read
    message = await receive()
    if message["type"] == "http.disconnect":
        raise ClientDisconnect()
    body: bytes = message.get("body", b"")
    if len(body) > limit:  # a lying or absent Content-Length (chunked): count while reading
        raise _too_large(limit)
    if not message.get("more_body", False):
        return body  # the common case: the whole body in one message
    chunks = [body]
    size = len(body)
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnect()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


# Up to this size a body is parsed on the event loop: a few milliseconds even for the costliest JSON.
INLINE_PARSE_BYTES = 256 * 1024
# Arrays and objects per body. Parsing "[[],[],...]" costs far more than its size suggests (every
# container is a tracked object the garbage collector walks again and again while it grows).
MAX_JSON_CONTAINERS = 100_000
# Big bodies are parsed by worker threads, a few at a time (each one's body is already in memory).
_PARSERS = ThreadPoolExecutor(max_workers=2, thread_name_prefix="carpool-json")


def _decode(body: bytes) -> Any:
    """Parse a big body with the stdlib's pure-Python scanner (its string scanning stays in C).

    C ``json.loads`` holds the GIL from start to end, so in a thread it would still freeze the loop;
    the Python scanner runs bytecode, and the interpreter hands the GIL to the event loop every few
    milliseconds while it works.
    """
    decoder = json.JSONDecoder()
    decoder.scan_once = json_scanner.py_make_scanner(decoder)  # type: ignore[attr-defined]
    return decoder.decode(body.decode(json.detect_encoding(body), "surrogatepass"))


def _count_containers(body: bytes) -> int:
    # An upper bound (a "[" inside a string counts too), at memchr speed: nothing is parsed yet.
    return body.count(b"[") + body.count(b"{")


_DECODER = json.JSONDecoder()
# The C scanner ``JSONDecoder.decode`` runs, called without decode's two regex passes around it.
_SCAN = _DECODER.scan_once  # type: ignore[attr-defined]
_JSON_WHITESPACE = " \t\n\r"


def _is_plain_utf8(body: bytes) -> bool:
    # What ``json.detect_encoding`` says for a body that starts with "{" (no BOM, no NUL byte of
    # UTF-16/32): UTF-8. Checked here so the common body skips ``json.loads``' own detection.
    return body[:1] == b"{" and body[1:2] != b"\x00"


def _parse_inline(body: bytes) -> Any:
    if not _is_plain_utf8(body):
        return json.loads(body)
    text = body.decode("utf-8", "surrogatepass")  # as json.loads decodes it
    try:
        value, end = _SCAN(text, 0)  # no leading whitespace to skip: the text starts with "{"
    except StopIteration:
        raise ValueError("not a JSON value") from None
    if end != len(text) and text[end:].strip(_JSON_WHITESPACE):
        raise ValueError("extra data after the JSON value")
    return value


async def _parse_in_thread(body: bytes) -> Any:
    if _count_containers(body) > MAX_JSON_CONTAINERS:
        message = f"The request body holds more than {MAX_JSON_CONTAINERS} arrays and objects."
        raise HTTPError(413, "too_large", message)
    return await asyncio.get_running_loop().run_in_executor(_PARSERS, _decode, body)


async def read_json(request: Request, limit: int) -> Any:
    """The body parsed as JSON; 400 when it is not JSON, 413 when it is larger than ``limit``.

    A string holding a lone surrogate (``"\\ud800"``: valid JSON, but no text) is a 422, here, once:
    otherwise it would reach the function and fail only when the answer is encoded as UTF-8.
    """
    return await read_json_body(request.scope, request.receive, limit)


async def read_json_body(scope: Scope, receive: Receive, limit: int) -> Any:
    """:func:`read_json` from the raw ASGI ``scope`` and ``receive``."""
    body = await _read_raw_body(scope, receive, limit)
    try:
        value = _parse_inline(body) if len(body) <= INLINE_PARSE_BYTES else await _parse_in_thread(body)
    except (ValueError, UnicodeDecodeError):
        raise HTTPError(400, "bad_request", "The request body is not valid JSON.") from None
    except RecursionError:  # "[[[[..." nested deeper than the parser's stack: the client's fault
        raise HTTPError(400, "bad_request", "The request body is nested too deeply.") from None
    if _SURROGATE_ESCAPE.search(body) and _holds_lone_surrogate(value):
        raise InvalidInputError("A string in the request holds a lone UTF-16 surrogate.", parameter=None)
    return value


# Only an escape can put a surrogate into parsed JSON (raw UTF-8 cannot encode one), so bodies without
# such an escape, nearly all of them, are never walked.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89abcdefABCDEF]")


def _holds_lone_surrogate(value: Any) -> bool:
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            try:
                item.encode()
            except UnicodeEncodeError:
                return True
        elif isinstance(item, list):
            pending.extend(item)
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
    return False


def request_username(request: Request) -> str | None:
    return scope_username(request.scope)


def scope_username(scope: Scope) -> str | None:
    """The logged-in user the auth gate put in the scope, if any."""
    name = scope.get(USERNAME_SCOPE_KEY)
    return name if isinstance(name, str) else None


def client_key(request: Request) -> str | None:
    """Who a request counts against for per-client quotas: the logged-in user, else the peer address."""
    username = request_username(request)
    if username is not None:
        return f"user:{username}"
    client = request.scope.get("client")
    return f"addr:{client[0]}" if client else None


class EventHeaders(Mapping[str, str]):
    """A request's headers in its event context, decoded on first use.

    Most functions never read them, and decoding every header of every request is a real share of a
    fast API call. Plain data only (the raw header list), like the rest of the context: no HTTP object
    is kept alive by a waiting event. A repeated name keeps its last value.
    """

    __slots__ = ("_decoded", "_raw")

    def __init__(self, raw: list[tuple[bytes, bytes]]) -> None:
        self._raw = raw
        self._decoded: dict[str, str] | None = None

    def _headers(self) -> dict[str, str]:
        if self._decoded is None:
            self._decoded = {name.decode("latin-1"): value.decode("latin-1") for name, value in self._raw}
        return self._decoded

    def __getitem__(self, name: str) -> str:
        return self._headers()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._headers())

    def __len__(self) -> int:
        return len(self._headers())

    def __repr__(self) -> str:
        return f"EventHeaders({self._headers()!r})"


def event_context(request: Request, session_hash: str | None) -> dict[str, Any]:
    """What a running function may learn about the request that queued it (one per event, even batched)."""
    return scope_context(request.scope, session_hash)


def scope_context(scope: Scope, session_hash: str | None) -> dict[str, Any]:
    """:func:`event_context` from the raw ASGI scope."""
    client = scope.get("client")
    query = scope.get("query_string", b"")
    return {
        "headers": EventHeaders(scope["headers"]),
        "client": (client[0], client[1]) if client else None,
        "session_hash": session_hash,
        "username": scope_username(scope),
        "query_params": dict(parse_qsl(query.decode("latin-1"), keep_blank_values=True)) if query else {},
    }


def _is_session_hash(value: object) -> bool:
    # Visible ASCII only (what the OpenAPI pattern "^[!-~]+$" says): it lands in logs and URLs.
    return (
        isinstance(value, str)
        and 0 < len(value) <= MAX_SESSION_HASH
        and value.isascii()
        and all("!" <= char <= "~" for char in value)
    )


def session_hash(value: object) -> str:
    """A client's session_hash, or a 400: 1 to 128 visible ASCII characters."""
    if not _is_session_hash(value):
        message = f"session_hash must be 1 to {MAX_SESSION_HASH} visible ASCII characters."
        raise HTTPError(400, "bad_request", message)
    return str(value)


def optional_session_hash(request: Request) -> str | None:
    """``?session_hash=`` of an upload or file URL: absent is fine, malformed is a 400."""
    value = request.query_params.get("session_hash")
    return None if value is None else session_hash(value)
