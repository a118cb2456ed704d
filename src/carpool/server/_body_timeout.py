"""``BodyTimeout``: a request body must keep arriving, or the request ends with 408.

uvicorn has no body timeout: a client that sends its headers, then one body byte every few seconds,
holds its connection (and whatever the route opened, say an upload file) for as long as it likes.
This ASGI middleware times every ``receive()`` of a request that has a body:

- no piece of the body may take longer than ``timeout`` seconds to come;
- and the body as a whole must arrive by ``timeout`` seconds plus one second per ``MIN_BODY_RATE``
  bytes received, so a trickle of a byte every few seconds is cut off after about ``timeout`` seconds,
  while a large upload over a slow link (at least 8 KiB/s on average) goes through.

Past either, the route sees :class:`HTTPError` 408 (``request_timeout``, with ``Connection: close``)
from its ``receive()`` and answers it like any refusal. Once the body is complete, ``receive()`` is the
server's again (an event stream waits on it for the client to leave, for as long as it needs).
"""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from carpool.server._errors import HTTPError
from carpool.server._guards import send_json_error

__all__ = ["DEFAULT_BODY_TIMEOUT", "MIN_BODY_RATE", "BodyTimeout"]

DEFAULT_BODY_TIMEOUT = 30.0
MIN_BODY_RATE = 8 * 1024  # bytes per second, on average, after the first ``timeout`` seconds


def _has_body(scope: Scope) -> bool:
    for name, value in scope["headers"]:
        if name == b"content-length":
            return bool(value != b"0")
        if name == b"transfer-encoding":
            return True
    return False


class _TimedReceive:
    """``receive`` with the body's deadlines, until the body is complete."""

    __slots__ = ("_complete", "_receive", "_received", "_started", "_timeout")

    def __init__(self, receive: Receive, timeout: float) -> None:
        self._receive = receive
        self._timeout = timeout
        self._started = asyncio.get_running_loop().time()
        self._received = 0
        self._complete = False

    async def __call__(self) -> Message:
        if self._complete:
            return await self._receive()
        now = asyncio.get_running_loop().time()
        overall = self._started + self._timeout + self._received / MIN_BODY_RATE - now
        try:
            async with asyncio.timeout(max(min(self._timeout, overall), 0.0)):
                message = await self._receive()
        except TimeoutError:
            raise HTTPError(
                408,
                "request_timeout",
                f"The request body did not arrive in time (body_timeout={self._timeout:g} s, "
                f"then at least {MIN_BODY_RATE} bytes/s).",
                headers={"Connection": "close"},
            ) from None
        self._received += len(message.get("body", b""))
        if message["type"] != "http.request" or not message.get("more_body", False):
            self._complete = True
        return message


class BodyTimeout:
    """ASGI middleware: requests with a body get :class:`_TimedReceive` (``timeout=None``: off)."""

    def __init__(self, app: ASGIApp, timeout: float | None) -> None:
        self.app = app
        self.timeout = timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.timeout is None or scope["type"] != "http" or not _has_body(scope):
            await self.app(scope, receive, send)
            return
        timed: Any = _TimedReceive(receive, self.timeout)
        started = False

        async def tracked_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, timed, tracked_send)
        except HTTPError as error:
            # every carpool route answers its own errors; this is for one that let it through
            if error.status != 408 or started:
                raise
            await send_json_error(send, 408, error.type, error.message, error.headers)
