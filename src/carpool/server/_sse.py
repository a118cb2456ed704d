"""The ASGI response behind ``GET /queue/data``: one session's messages as server-sent events.

Written as a bare ASGI callable rather than a ``StreamingResponse`` because the stream must notice a
client that left *while nothing is being written* (it may wait minutes for a result): it listens for
``http.disconnect`` alongside the writer, and a disconnect ends the session at once, which cancels the
session's unfinished events.
"""

from __future__ import annotations

import asyncio
import contextlib

from starlette.types import Receive, Scope, Send

from carpool.protocol import Msg, encode_sse
from carpool.server._sessions import SessionChannel, SessionRegistry

__all__ = ["EventStreamResponse"]

HEADERS = [
    (b"content-type", b"text/event-stream; charset=utf-8"),
    (b"cache-control", b"no-cache, no-transform"),
    (b"x-accel-buffering", b"no"),  # nginx: do not buffer the stream
    (b"x-content-type-options", b"nosniff"),
]


class EventStreamResponse:
    def __init__(self, registry: SessionRegistry, channel: SessionChannel, generation: int) -> None:
        self._registry = registry
        self._channel = channel
        self._generation = generation

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
        writer = asyncio.ensure_future(self._write(send))
        listener = asyncio.ensure_future(_wait_for_disconnect(receive))
        try:
            await asyncio.wait({writer, listener}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (writer, listener):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, OSError):
                    await task
            self._registry.detach(self._channel, self._generation)

    async def _write(self, send: Send) -> None:
        # A comment line first: proxies and clients see the stream open before any event exists.
        await send({"type": "http.response.body", "body": b": carpool\n\n", "more_body": True})
        while True:
            messages = await self._channel.drain(self._generation)
            if messages is None:  # a newer stream reads this session now
                break
            body = b"".join(encode_sse(message) for message in messages)
            await send({"type": "http.response.body", "body": body, "more_body": True})
            if any(message.get("msg") == Msg.CLOSE for message in messages):
                break
        await send({"type": "http.response.body", "body": b"", "more_body": False})


async def _wait_for_disconnect(receive: Receive) -> None:
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return
