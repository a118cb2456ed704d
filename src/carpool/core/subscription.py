"""A consumer's view of every message of one session's events (what the server's SSE stream reads)."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable

from carpool.core.messages import Message

__all__ = ["Subscription"]


class Subscription:
    """Async iterator of the messages of a session's events, from the moment it was created.

    ``close()`` ends the iteration once the buffered messages are read (the engine also closes it on
    shutdown). Messages are buffered without bound: the reader is expected to keep up.
    """

    def __init__(self, session_id: str, on_close: Callable[[Subscription], None]) -> None:
        self.session_id = session_id
        self._on_close = on_close
        self._buffer: deque[Message] = deque()
        self._waiter: asyncio.Future[None] | None = None
        self.closed = False

    def __aiter__(self) -> Subscription:
        return self

    async def __anext__(self) -> Message:
        while not self._buffer:
            if self.closed:
                raise StopAsyncIteration
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        return self._buffer.popleft()

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self._wake()
            self._on_close(self)

    def push(self, message: Message) -> None:
        """Engine side: one message of the session's events (dropped once closed)."""
        if not self.closed:
            self._buffer.append(message)
            self._wake()

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)
