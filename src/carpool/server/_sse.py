"""The ASGI response behind ``GET /queue/data``: one session's messages as server-sent events.

Written as a bare ASGI callable rather than a ``StreamingResponse`` because the stream must notice a
client that left *while nothing is being written* (it may wait minutes for a result): it listens for
``http.disconnect`` while it writes, and a disconnect ends the session at once, which cancels the
session's unfinished events.
"""

from __future__ import annotations

import asyncio
import contextlib
from abc import ABC, abstractmethod
from typing import Any

from starlette.types import Receive, Scope, Send

from carpool.protocol import Msg, encode_sse
from carpool.server._sessions import SessionChannel, SessionRegistry

__all__ = ["ChannelStream", "EventStreamResponse"]

WireMessage = dict[str, Any]

HEADERS = [
    (b"content-type", b"text/event-stream; charset=utf-8"),
    (b"cache-control", b"no-cache, no-transform"),
    (b"x-accel-buffering", b"no"),  # nginx: do not buffer the stream
    (b"x-content-type-options", b"nosniff"),
]


class ChannelStream(ABC):
    """Drains one session channel into the response until :meth:`_encode` says the stream is over.

    This coroutine writes; one small task waits for the client to leave. An idle stream costs that one
    task and nothing else (ten thousand idle tabs are ten thousand of them); the writer needs no task of
    its own because it only ever waits on the channel. Subclasses say how messages are written.
    """

    __slots__ = ("_channel", "_ended", "_generation", "_left", "_registry")

    OPENING = b""  # written before any event (a comment line, for the streams whose clients allow one)

    def __init__(self, registry: SessionRegistry, channel: SessionChannel, generation: int) -> None:
        self._registry = registry
        self._channel = channel
        self._generation = generation
        self._left = False  # set when the client disconnected
        self._ended = False  # the stream ended on its own (not the client leaving)

    @abstractmethod
    def _encode(self, messages: list[WireMessage]) -> tuple[bytes, bool]:
        """The bytes to write for ``messages``, and whether the stream ends after them."""

    def _release(self) -> None:
        """The stream is over: the channel no longer has this reader."""
        self._registry.detach(self._channel, self._generation)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
        listener = asyncio.ensure_future(self._notice_disconnect(receive))
        try:
            await self._write(send)
        except OSError:  # the connection broke while writing: the client left
            self._left = True
        finally:
            listener.cancel()
            with contextlib.suppress(asyncio.CancelledError, OSError):
                await listener
            self._release()

    async def _write(self, send: Send) -> None:
        if self.OPENING:  # proxies and clients see the stream open before any event exists
            await send({"type": "http.response.body", "body": self.OPENING, "more_body": True})
        while not self._left:
            messages = await self._channel.drain(self._generation)
            if messages is None:  # a newer stream reads this session now
                break
            if not messages:  # woken without messages: the client may have left
                continue
            chunk, over = self._encode(messages)
            if chunk:
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            if over:
                self._ended = True
                break
        if not self._left:
            await send({"type": "http.response.body", "body": b"", "more_body": False})

    async def _notice_disconnect(self, receive: Receive) -> None:
        while (await receive())["type"] != "http.disconnect":
            pass
        self._left = True
        self._channel.wake()  # the writer is waiting for messages: let it see that nobody reads them


class EventStreamResponse(ChannelStream):
    """carpool's session stream: every message of the session, for the life of the page."""

    __slots__ = ()

    OPENING = b": carpool\n\n"

    def _encode(self, messages: list[WireMessage]) -> tuple[bytes, bool]:
        body = b"".join(encode_sse(message) for message in messages)
        return body, any(message.get("msg") == Msg.CLOSE for message in messages)
