"""The event streams of Gradio's protocol, read from the same session channels as carpool's own.

Unlike carpool's session stream, which stays open for the life of the page, Gradio's ends when the
session has nothing left to wait for: after the final message of its last pending event it sends
``close_stream`` and closes, and the client opens a new stream with its next event. (``gradio_client``
waits for that before it lets its reader thread go.) The REST call stream (``GET /call/{api}/{id}``)
carries one event's messages as named events and ends with that event.

Like the session stream it is a bare ASGI callable that notices a client leaving while nothing is
written; a client that leaves ends the session, which cancels its unfinished events.
"""

from __future__ import annotations

import asyncio
import contextlib
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any

from starlette.types import Receive, Scope, Send

from carpool.protocol import Msg, encode_json, encode_sse
from carpool.server._sessions import SessionChannel, SessionRegistry
from carpool.server._sse import HEADERS
from carpool.server.gradio._messages import CANCELLED_BY_CLIENT

__all__ = ["CallStream", "GradioSessionStream"]

WireMessage = dict[str, Any]
CLOSE_STREAM: WireMessage = {"msg": Msg.CLOSE, "event_id": None}


class _ChannelStream(ABC):
    """Drain one session channel into the response until :meth:`_encode` says the stream is over."""

    def __init__(self, registry: SessionRegistry, channel: SessionChannel, generation: int) -> None:
        self._registry = registry
        self._channel = channel
        self._generation = generation
        self._left = False
        self._ended = False  # the stream ended on its own (not the client leaving)

    @abstractmethod
    def _encode(self, messages: list[WireMessage]) -> tuple[bytes, bool]:
        """The bytes to write for ``messages``, and whether the stream ends after them."""

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
            if self._ended and not self._left:
                # events joined while it closed stay queued for the client's next stream
                self._registry.end_stream(self._channel, self._generation)
            else:
                self._registry.detach(self._channel, self._generation)

    async def _write(self, send: Send) -> None:
        # No opening comment line, unlike carpool's streams: gradio_client fails on any line that is
        # not "data:". The response start is already on the wire.
        body: dict[str, Any] = {"type": "http.response.body", "more_body": True}
        while not self._left:
            messages = await self._channel.drain(self._generation)
            if messages is None:  # a newer stream reads this session now
                break
            if not messages:  # woken without messages: the client may have left
                continue
            chunk, over = self._encode(messages)
            if chunk:
                await send({**body, "body": chunk})
            if over:
                self._ended = True
                break
        if not self._left:
            await send({"type": "http.response.body", "body": b"", "more_body": False})

    async def _notice_disconnect(self, receive: Receive) -> None:
        while (await receive())["type"] != "http.disconnect":
            pass
        self._left = True
        self._channel.wake()


class GradioSessionStream(_ChannelStream):
    """``GET /gradio_api/queue/data``: every message of the session, until none of its events is left."""

    def _encode(self, messages: list[WireMessage]) -> tuple[bytes, bool]:
        chunk = b"".join(encode_sse(message) for message in messages if CANCELLED_BY_CLIENT not in message)
        if any(message.get("msg") == Msg.CLOSE for message in messages):
            return chunk, True
        finished = any(message.get("msg") == Msg.COMPLETED for message in messages)
        if finished and not self._channel.pending:
            return chunk + encode_sse(CLOSE_STREAM), True
        return chunk, False


def _named_event(name: str, data: Any) -> bytes:
    return f"event: {name}\ndata: ".encode() + encode_json(data) + b"\n\n"


class CallStream(_ChannelStream):
    """``GET /gradio_api/call/{api_name}/{event_id}``: one event as ``generating``/``complete``/``error``."""

    def __init__(
        self,
        registry: SessionRegistry,
        channel: SessionChannel,
        generation: int,
        event_id: str,
        on_end: Callable[[], object] = lambda: None,
    ) -> None:
        super().__init__(registry, channel, generation)
        self._event_id = event_id
        self._on_end = on_end

    def _encode(self, messages: list[WireMessage]) -> tuple[bytes, bool]:
        chunks: list[bytes] = []
        for message in messages:
            kind = message.get("msg")
            if kind == Msg.HEARTBEAT:
                chunks.append(_named_event("heartbeat", None))
            elif kind == Msg.CLOSE:
                chunks.append(_named_event("error", "The server is shutting down."))
                return b"".join(chunks), True
            elif message.get("event_id") != self._event_id:
                continue
            elif kind == Msg.GENERATING:
                chunks.append(_named_event("generating", message["output"]["data"]))
            elif kind == Msg.COMPLETED:
                if message.get("success"):
                    chunks.append(_named_event("complete", message["output"]["data"]))
                else:  # a cancelled call too: its stream is the only place that can say so
                    chunks.append(_named_event("error", message["output"]))
                self._on_end()
                return b"".join(chunks), True
        return b"".join(chunks), False
