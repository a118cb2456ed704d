"""Per-session message channels: what ``GET /queue/data`` streams.

A browser tab or Python client is one *session* (its ``session_hash``). Every event it joins pushes its
protocol messages into the session's channel; ONE event stream per session drains it, so a page with many
pending events holds one connection, not one per event. Messages are buffered from the join until a
stream reads them (a client joins first, then opens its stream), bounded so a client that never reads
cannot grow the server without limit. When the stream closes, or nobody opens one within
``idle_timeout``, the session is abandoned: ``on_abandon`` cancels its unfinished events.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from carpool.protocol import Msg
from carpool.server._spec import Endpoint, SessionValues

__all__ = ["SessionChannel", "SessionRegistry"]

logger = logging.getLogger("carpool.server")

WireMessage = dict[str, Any]


def _is_final(message: WireMessage) -> bool:
    return message.get("msg") in (Msg.COMPLETED, Msg.CLOSE)


class SessionChannel:
    """The buffered messages of one session, read by at most one stream at a time.

    Thousands of idle sessions may be open at once, so a channel holds nothing it does not need: a
    plain list (an empty deque is a 600-byte block) and a future only while its reader waits.
    """

    __slots__ = (
        "_buffer",
        "_idle_timer",
        "_waiter",
        "closed",
        "max_buffer",
        "pending",
        "reader_attached",
        "reader_generation",
        "session_hash",
        "state",
    )

    def __init__(self, session_hash: str, state: SessionValues, *, max_buffer: int) -> None:
        self.session_hash = session_hash
        self.state = state  # the app's SessionState: gr.State values live here
        self.max_buffer = max_buffer
        self.reader_attached = False
        self.reader_generation = 0  # a new stream for the session supersedes the old one (reconnects)
        self.closed = False
        self.pending: dict[str, Endpoint] = {}  # event id -> its dependency, until its final message
        self._buffer: list[WireMessage] = []
        self._waiter: asyncio.Future[None] | None = None  # set while a reader waits in drain()
        self._idle_timer: asyncio.TimerHandle | None = None

    def push(self, message: WireMessage) -> None:
        if self.closed:
            return
        if len(self._buffer) >= self.max_buffer:
            self._make_room()
        self._buffer.append(message)
        self.wake()

    def wake(self) -> None:
        """Let the waiting reader look again (new messages, a newer reader, or its client left)."""
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def _make_room(self) -> None:
        # Progress and estimations are superseded by later ones; final messages are what clients wait for.
        for index, message in enumerate(self._buffer):
            if not _is_final(message):
                del self._buffer[index]
                return
        logger.warning("session %s: buffer full of unread results, dropping the oldest", self.session_hash)
        del self._buffer[0]

    async def drain(self, generation: int) -> list[WireMessage] | None:
        """Every buffered message, waiting for one if there is none; None once superseded.

        May return an empty list when woken without messages (its client may have left): the caller
        checks why and calls again.
        """
        if not self._buffer and generation == self.reader_generation:
            waiter = self._waiter = asyncio.get_running_loop().create_future()
            try:
                await waiter
            finally:
                if self._waiter is waiter:
                    self._waiter = None
        if generation != self.reader_generation:
            return None
        messages, self._buffer = self._buffer, []
        return messages

    def close(self) -> None:
        """Tell the reader the server is shutting down, then refuse further messages."""
        self._buffer.append({"msg": Msg.CLOSE})
        self.wake()
        self.closed = True


class SessionRegistry:
    """The live sessions of one server, and the one heartbeat that keeps their streams alive."""

    def __init__(
        self,
        *,
        state_for: Callable[[str, str | None], Any],
        on_abandon: Callable[[str], object],
        release_state: Callable[[str], object] = lambda session_hash: None,
        max_buffer: int = 1000,
        idle_timeout: float = 60.0,
        heartbeat_interval: float = 15.0,
    ) -> None:
        self._state_for = state_for  # (session_hash, client) -> the session's State values, held ...
        self._release_state = release_state  # ... until the channel goes: then they may be evicted
        self._on_abandon = on_abandon
        self._max_buffer = max_buffer
        self._idle_timeout = idle_timeout
        self._heartbeat_interval = heartbeat_interval
        self._channels: dict[str, SessionChannel] = {}
        self._heartbeat_task: asyncio.Task[None] | None = None

    def __len__(self) -> int:
        return len(self._channels)

    def get(self, session_hash: str) -> SessionChannel | None:
        return self._channels.get(session_hash)

    def channel(self, session_hash: str, client: str | None = None) -> SessionChannel:
        """The session's channel, created on first use (a join or a stream) by ``client`` (for quotas)."""
        channel = self._channels.get(session_hash)
        if channel is None:
            state = self._state_for(session_hash, client)
            channel = SessionChannel(session_hash, state, max_buffer=self._max_buffer)
            self._channels[session_hash] = channel
            self._arm_idle_timer(channel)
        return channel

    def attach(self, session_hash: str, client: str | None = None) -> tuple[SessionChannel, int]:
        """A stream opened for the session: it becomes the reader (generation), replacing any older one.

        A browser's EventSource reconnects on its own; the old connection may not have been noticed
        as gone yet, so the newest stream wins instead of being refused.
        """
        channel = self.channel(session_hash, client)
        channel.reader_attached = True
        channel.reader_generation += 1
        channel.wake()  # an older reader wakes up, sees it is superseded, and ends
        if channel._idle_timer is not None:
            channel._idle_timer.cancel()
            channel._idle_timer = None
        return channel, channel.reader_generation

    def detach(self, channel: SessionChannel, generation: int) -> None:
        """A stream closed; if it was the session's reader the client left: cancel its events."""
        if generation != channel.reader_generation:
            return
        channel.reader_attached = False
        self._abandon(channel)

    def end_stream(self, channel: SessionChannel, generation: int) -> None:
        """A stream ended on its own, its client still there (Gradio's, once nothing was pending).

        Events may have joined while it ended: they keep the session, for the next stream to read
        (within ``idle_timeout``); a session with nothing pending goes as after ``detach``.
        """
        if generation != channel.reader_generation:
            return
        channel.reader_attached = False
        if channel.pending:
            self._arm_idle_timer(channel)
        else:
            self._abandon(channel)

    def _arm_idle_timer(self, channel: SessionChannel) -> None:
        loop = asyncio.get_running_loop()
        channel._idle_timer = loop.call_later(self._idle_timeout, self._expire_if_unread, channel)

    def _expire_if_unread(self, channel: SessionChannel) -> None:
        channel._idle_timer = None
        if not channel.reader_attached:
            self._abandon(channel)

    def _abandon(self, channel: SessionChannel) -> None:
        if self._channels.get(channel.session_hash) is channel:
            del self._channels[channel.session_hash]
            self._release_state(channel.session_hash)
        if channel.pending:
            self._on_abandon(channel.session_hash)

    def start(self) -> None:
        self._heartbeat_task = asyncio.get_running_loop().create_task(self._heartbeat())

    async def _heartbeat(self) -> None:
        # One timer for all sessions: proxies drop idle connections, and a write is how a server
        # notices a peer that vanished without a FIN.
        while True:
            await asyncio.sleep(self._heartbeat_interval)
            for channel in list(self._channels.values()):
                if channel.reader_attached:
                    channel.push({"msg": Msg.HEARTBEAT})

    def close(self) -> None:
        """Server shutdown: every open stream gets ``close_stream`` and ends."""
        if self._heartbeat_task is not None:
            self._heartbeat_task.cancel()
        for channel in self._channels.values():
            if channel._idle_timer is not None:
                channel._idle_timer.cancel()
            channel.close()
