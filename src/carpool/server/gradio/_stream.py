"""The event streams of Gradio's protocol, read from the same session channels as carpool's own.

Unlike carpool's session stream, which stays open for the life of the page, Gradio's ends when the
session has nothing left to wait for: after the final message of its last pending event it sends
``close_stream`` and closes, and the client opens a new stream with its next event. (``gradio_client``
waits for that before it lets its reader thread go.) The REST call stream (``GET /call/{api}/{id}``)
carries one event's messages as named events and ends with that event.

Both are ``ChannelStream``s like the session stream: bare ASGI callables that notice a client leaving
while nothing is written; a client that leaves ends the session, which cancels its unfinished events.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from carpool.protocol import Msg, encode_json, encode_sse
from carpool.server._sessions import SessionChannel, SessionRegistry
from carpool.server._sse import ChannelStream, WireMessage
from carpool.server.gradio._messages import CANCELLED_BY_CLIENT

__all__ = ["CallStream", "GradioSessionStream"]

CLOSE_STREAM: WireMessage = {"msg": Msg.CLOSE, "event_id": None}


class _GradioStream(ChannelStream):
    """No opening comment line, unlike carpool's streams: gradio_client fails on any line that is not
    "data:". A stream that ended on its own leaves the events joined while it closed queued for the
    client's next stream."""

    __slots__ = ()

    def _release(self) -> None:
        if self._ended and not self._left:
            self._registry.end_stream(self._channel, self._generation)
        else:
            super()._release()


class GradioSessionStream(_GradioStream):
    """``GET /gradio_api/queue/data``: every message of the session, until none of its events is left."""

    __slots__ = ()

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


class CallStream(_GradioStream):
    """``GET /gradio_api/call/{api_name}/{event_id}``: one event as ``generating``/``complete``/``error``."""

    __slots__ = ("_event_id", "_on_end")

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
