"""``BodyTimeout``: a request body must keep arriving, or the request ends with 408.

uvicorn has no body timeout: a client that sends its headers, then one body byte every few seconds,
holds its connection (and whatever the route opened, say an upload file) for as long as it likes.
This ASGI middleware times every ``receive()`` of a request that has a body:

- no piece of the body may take longer than ``timeout`` seconds to come;
- and the body as a whole must arrive by ``timeout`` seconds plus one second per ``MIN_BODY_RATE``
  bytes received, so a trickle of a byte every few seconds is cut off after about ``timeout`` seconds,
  while a large upload over a slow link (at least 8 KiB/s on average) goes through.

Only time the route spends waiting in ``receive()`` counts, and deadlines are checked every
``SWEEP_INTERVAL`` seconds by one timer per app (a timeout per read would cost more than the rest
of a small API call's body handling). A read that does not wait at all (a small body arrives with its
headers) is not timed.

Past either, the route sees :class:`HTTPError` 408 (``request_timeout``, with ``Connection: close``)
from its ``receive()`` and answers it like any refusal. Once the body is complete, ``receive()`` is the
server's again (an event stream waits on it for the client to leave, for as long as it needs).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine, Generator
from types import CoroutineType
from typing import Any, cast

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from carpool.server._errors import HTTPError
from carpool.server._guards import send_json_error

__all__ = ["DEFAULT_BODY_TIMEOUT", "MIN_BODY_RATE", "BodyTimeout"]

DEFAULT_BODY_TIMEOUT = 30.0
MIN_BODY_RATE = 8 * 1024  # bytes per second, on average, after the first ``timeout`` seconds
SWEEP_INTERVAL = 0.25  # seconds between checks for overdue body reads


def _has_body(scope: Scope) -> bool:
    for name, value in scope["headers"]:
        if name == b"content-length":
            return bool(value != b"0")
        if name == b"transfer-encoding":
            return True
    return False


class _Sweeper:
    """Cancels body reads that are past their deadline, checking every ``SWEEP_INTERVAL`` seconds.

    One timer for all the requests of an app instead of one per ``receive()``: a timeout per read
    costs more than the rest of this middleware together, on every API call's path.
    """

    def __init__(self) -> None:
        self.loop: asyncio.AbstractEventLoop | None = None
        self.waiting: dict[_TimedReceive, None] = {}
        self._timer: asyncio.TimerHandle | None = None

    def add(self, read: _TimedReceive, loop: asyncio.AbstractEventLoop) -> None:
        if loop is not self.loop:  # an app may be served by one loop after another (tests)
            self.loop, self.waiting, self._timer = loop, {}, None
        self.waiting[read] = None
        if self._timer is None:
            self._timer = loop.call_later(SWEEP_INTERVAL, self._sweep)

    def discard(self, read: _TimedReceive) -> None:
        self.waiting.pop(read, None)

    def _sweep(self) -> None:
        assert self.loop is not None
        now = self.loop.time()
        for read in [read for read in self.waiting if read.due <= now]:
            del self.waiting[read]
            read.expire()
        self._timer = self.loop.call_later(SWEEP_INTERVAL, self._sweep) if self.waiting else None


class _TimedReceive:
    """``receive`` with the body's deadlines, until the body is complete.

    Only time spent waiting in ``receive()`` is at stake: a route busy between two pieces of its body
    (uvicorn stops reading the socket meanwhile) is not the client's fault.
    """

    __slots__ = ("_complete", "_receive", "_received", "_started", "_sweeper", "_timeout", "_waiter", "due")

    def __init__(self, receive: Receive, timeout: float, sweeper: _Sweeper) -> None:
        self._receive = receive
        self._timeout = timeout
        self._sweeper = sweeper
        self._started = 0.0
        self._received = 0
        self._complete = False
        self._waiter: asyncio.Task[Any] | None = None  # set while it waits and not yet past due
        self.due = 0.0

    def expire(self) -> None:
        if self._waiter is not None:
            self._waiter.cancel()

    async def __call__(self) -> Message:
        if self._complete:  # the server's again: an event stream waits here for the client to leave
            return await self._receive()
        pending = self._receive()
        if type(pending) is CoroutineType:
            # Run it up to its first wait: nearly every small body has arrived with its headers, and
            # a read that does not wait cannot be late -- it costs no deadline, sweeper entry or task.
            try:
                blocked_on = pending.send(None)
            except StopIteration as ready:
                return self._counted(ready.value)
            return self._counted(await self._timed(_Resumed(pending, blocked_on)))
        return self._counted(await self._timed(pending))

    async def _timed(self, waiting: Awaitable[Message]) -> Message:
        loop = asyncio.get_running_loop()
        now = loop.time()
        self._started = self._started or now
        self.due = min(now + self._timeout, self._started + self._timeout + self._received / MIN_BODY_RATE)
        self._waiter = waiter = asyncio.current_task()
        self._sweeper.add(self, loop)
        try:
            return await waiting
        except asyncio.CancelledError:
            if waiter is None or self in self._sweeper.waiting:
                raise  # cancelled by someone else, not by the sweeper
            waiter.uncancel()  # the sweeper's cancellation becomes the 408
            raise self._refusal() from None
        finally:
            self._waiter = None
            self._sweeper.discard(self)

    def _counted(self, message: Message) -> Message:
        self._received += len(message.get("body", b""))
        if message["type"] != "http.request" or not message.get("more_body", False):
            self._complete = True
        return message

    def _refusal(self) -> HTTPError:
        return HTTPError(
            408,
            "request_timeout",
            f"The request body did not arrive in time (body_timeout={self._timeout:g} s, "
            f"then at least {MIN_BODY_RATE} bytes/s).",
            headers={"Connection": "close"},
        )


class _Resumed:
    """Awaits the rest of a coroutine that already ran up to its first wait (it yielded ``blocked_on``).

    What ``await`` would have done from the start: every value the coroutine yields goes to the task
    running it, and whatever the task sends or throws in (a cancellation) goes back to the coroutine.
    """

    __slots__ = ("_blocked_on", "_coroutine")

    def __init__(self, coroutine: Coroutine[Any, Any, Message], blocked_on: Any) -> None:
        self._coroutine = coroutine
        self._blocked_on = blocked_on

    def __await__(self) -> Generator[Any, Any, Message]:
        coroutine, yielded = self._coroutine, self._blocked_on
        while True:
            try:
                sent = yield yielded
            except BaseException as error:  # a cancellation, thrown in where the coroutine waits
                resume: Callable[[Any], Any] = coroutine.throw
                value: Any = error
            else:
                resume, value = coroutine.send, sent
            try:
                yielded = resume(value)
            except StopIteration as done:
                return cast(Message, done.value)


class BodyTimeout:
    """ASGI middleware: requests with a body get :class:`_TimedReceive` (``timeout=None``: off)."""

    def __init__(self, app: ASGIApp, timeout: float | None) -> None:
        self.app = app
        self.timeout = timeout
        self._sweeper = _Sweeper()

    def timed(self, scope: Scope, receive: Receive) -> Receive:
        """``receive`` with this middleware's deadlines, for an HTTP request that has a body.

        For a caller that answers the request itself (the API fast lane) and turns the 408
        :class:`HTTPError` into its response, as every carpool route does.
        """
        if self.timeout is None or not _has_body(scope):
            return receive
        return _TimedReceive(receive, self.timeout, self._sweeper)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.timeout is None or scope["type"] != "http" or not _has_body(scope):
            await self.app(scope, receive, send)
            return
        timed = _TimedReceive(receive, self.timeout, self._sweeper)
        try:
            await self.app(scope, timed, send)
        except HTTPError as error:
            # every carpool route answers its own errors; this is for one that let the 408 through
            if error.status != 408:
                raise
            try:
                await send_json_error(send, 408, error.type, error.message, error.headers)
            except Exception:  # the response had started: nothing more can be said
                raise error from None
