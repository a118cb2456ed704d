"""Connections that send nothing useful (slowloris): a header deadline, a connection cap, the fd limit.

uvicorn closes a connection that idles *between* requests (``timeout_keep_alive``), but one that opens
and then sends its request headers a byte at a time -- or never -- is kept forever, and every such
connection holds a file descriptor. A few hundred of them exhaust the process's descriptors, after
which no new connection is accepted, ``/health`` included.

So carpool wraps uvicorn's HTTP protocol (whichever it picked, httptools or h11) with:

- **a header deadline**: a connection must deliver complete request headers within ``header_timeout``
  seconds of opening, and again after each response; otherwise it is closed;
- **a connection cap** (``limit_concurrency``): beyond it, the connection that has waited longest for
  its request headers is closed to make room (nothing of value is lost: no request had started), so
  slow connections cannot keep real clients out; if every connection is busy with a real request,
  uvicorn answers new requests with 503 once an eighth more are open (:func:`uvicorn_limit`: the
  headroom covers connections being closed, which hold their descriptors a moment longer);
- **a cap on what a connection may send before its headers end** (``MAX_HEAD_BYTES``): httptools
  itself keeps accepting header bytes.

Request *bodies* are timed in the ASGI layer (``_body_timeout``), since only the app knows when it
reads one. :func:`raise_fd_limit` lifts the soft descriptor limit at launch.

A client that leaves while its API call waits should not cost the model its answer:
:class:`DisconnectWatch` notices and cancels the call's jobs.
"""

from __future__ import annotations

import asyncio
import resource
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Protocol

__all__ = [
    "DEFAULT_HEADER_TIMEOUT",
    "FD_LIMIT_BOUND",
    "MAX_HEAD_BYTES",
    "WATCH_DISCONNECT_AFTER",
    "DisconnectWatch",
    "WatchedCall",
    "default_connection_limit",
    "guarded_protocol",
    "raise_fd_limit",
    "uvicorn_limit",
]

DEFAULT_HEADER_TIMEOUT = 10.0
FD_LIMIT_BOUND = 65_536  # the soft limit is raised to the hard one, but not past this
# uvicorn reads up to 256 KiB at a time, so one read may hold headers and the start of a body.
MAX_HEAD_BYTES = 1024 * 1024
SWEEP_INTERVAL = 0.25  # seconds between checks for connections past their header deadline


def raise_fd_limit(bound: int = FD_LIMIT_BOUND) -> int:
    """Lift the soft RLIMIT_NOFILE to the hard limit (at most ``bound``); returns the soft limit now."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = bound if hard == resource.RLIM_INFINITY else min(hard, bound)
    if soft != resource.RLIM_INFINITY and soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):  # a sandbox may refuse: serve with what we have
            pass
    return bound if soft == resource.RLIM_INFINITY else soft


def default_connection_limit(fd_limit: int) -> int:
    """Three quarters of the descriptors for connections (uvicorn's 503 cap an eighth above that): the
    rest is for upload files, served files, pipes to worker processes and libraries."""
    return max(16, fd_limit - max(64, fd_limit // 4))


def uvicorn_limit(limit: int) -> int:
    """What uvicorn's own ``limit_concurrency`` (503 for new requests) is set to for our cap."""
    return limit + max(16, limit // 8)


def guarded_protocol(base: type[asyncio.Protocol], header_timeout: float, limit: int) -> type[Any]:
    """``base`` (uvicorn's HTTP protocol class) with a header deadline and a connection cap.

    One class per server: it owns the list of connections waiting for their headers, and one timer
    that closes those past the deadline (a timer per connection would add to what each of 10,000
    idle event streams holds). A connection is listed only while it waits.
    """
    # connection -> [when it began waiting, bytes it sent since]; insertion order: the oldest first
    waiting: OrderedDict[Any, list[float]] = OrderedDict()
    closing: set[Any] = set()  # closed here, still in uvicorn's set until connection_lost
    timer: asyncio.TimerHandle | None = None

    class GuardedProtocol(base):  # type: ignore[valid-type, misc]
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            super().connection_made(transport)
            self._await_headers()
            if len(self.connections) - len(closing) > limit:
                _shed_one(self)

        def data_received(self, data: bytes) -> None:
            entry = waiting.get(self)
            if entry is None:  # a request is under way: nothing to time here
                super().data_received(data)
                return
            entry[1] += len(data)
            if entry[1] > MAX_HEAD_BYTES:
                self._close()
                return
            super().data_received(data)
            if not self._awaiting_headers():  # the headers are in
                waiting.pop(self, None)

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if not self.transport.is_closing():
                self._await_headers()

        def connection_lost(self, exc: Exception | None) -> None:
            waiting.pop(self, None)
            closing.discard(self)
            super().connection_lost(exc)

        def _await_headers(self) -> None:
            waiting.pop(self, None)  # listed again, at the end
            waiting[self] = [self.loop.time(), 0]
            _arm(self.loop)

        def _awaiting_headers(self) -> bool:
            # No request yet, or the last one is answered and the next one's headers have not come;
            # a connection upgraded to another protocol (a WebSocket) is no longer ours to time.
            cycle = self.cycle
            idle = cycle is None or cycle.response_complete
            return bool(idle) and self.transport.get_protocol() is self

        def _close(self) -> None:
            waiting.pop(self, None)
            if not self.transport.is_closing():
                closing.add(self)
                self.transport.close()

    def _arm(loop: asyncio.AbstractEventLoop) -> None:
        nonlocal timer
        if timer is None:
            timer = loop.call_later(SWEEP_INTERVAL, _sweep, loop)

    def _sweep(loop: asyncio.AbstractEventLoop) -> None:
        nonlocal timer
        began_before = loop.time() - header_timeout
        while waiting:
            oldest, (began, _) = next(iter(waiting.items()))
            if began > began_before:
                break
            del waiting[oldest]
            if oldest._awaiting_headers():
                oldest._close()
        timer = loop.call_later(SWEEP_INTERVAL, _sweep, loop) if waiting else None

    def _shed_one(newcomer: Any) -> None:
        # The oldest waiting connection goes. The newcomer was listed last: reaching it means no
        # older connection is waiting.
        while waiting:
            oldest = next(iter(waiting))
            if oldest is newcomer:
                return
            del waiting[oldest]
            if oldest._awaiting_headers():
                oldest._close()
                return

    GuardedProtocol.__name__ = GuardedProtocol.__qualname__ = f"Guarded{base.__name__}"
    return GuardedProtocol


# -- clients that leave while their API call waits ---------------------------------------------------

WATCH_SWEEP_INTERVAL = 0.1  # seconds between sweeps; a call is watched at its second sweep
WATCH_DISCONNECT_AFTER = 2 * WATCH_SWEEP_INTERVAL  # at most this long before a waiting call is watched

Receiver = Callable[[], Awaitable[Mapping[str, Any]]]


class _Cancellable(Protocol):
    def cancel(self) -> object: ...


class WatchedCall:
    """A call whose client is watched: ``left`` once it disconnected (and its jobs were cancelled)."""

    __slots__ = ("jobs", "left", "watcher")

    def __init__(self, jobs: tuple[_Cancellable, ...]) -> None:
        self.jobs = jobs
        self.left = False
        self.watcher: asyncio.Task[None] | None = None


class DisconnectWatch:
    """Cancels the jobs of API calls whose client disconnected, once a call has waited a while.

    Watching a call means a task waiting in its ``receive()`` for the disconnect: a real share of a
    fast call's cost, for calls that are answered in a few milliseconds anyway. So a call is only
    listed when it starts (one dictionary entry, keyed by its jobs), and one timer per app sweeps the
    list every ``WATCH_SWEEP_INTERVAL``: a call still there at its second sweep has waited at least one
    interval (at most two), and gets its watcher then. The timer stops once a sweep finds nothing.
    """

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._new: dict[tuple[_Cancellable, ...], Receiver] = {}  # came since the last sweep
        self._older: dict[tuple[_Cancellable, ...], Receiver] = {}  # watched at the next sweep
        self._watched: dict[tuple[_Cancellable, ...], WatchedCall] = {}
        self._timer: asyncio.TimerHandle | None = None

    def add(self, receive: Receiver, jobs: tuple[_Cancellable, ...]) -> None:
        """List a call that waits for ``jobs``; ``receive`` says when its client disconnects."""
        if self._timer is None:
            loop = asyncio.get_running_loop()
            if loop is not self._loop:  # an app may be served by one loop after another (tests)
                self._loop, self._new, self._older, self._watched = loop, {}, {}, {}
            self._timer = loop.call_later(WATCH_SWEEP_INTERVAL, self._sweep)
        self._new[jobs] = receive

    def discard(self, jobs: tuple[_Cancellable, ...]) -> bool:
        """The call is over: stop watching it. True if its client had left (its jobs were cancelled)."""
        if self._new.pop(jobs, None) is not None or self._older.pop(jobs, None) is not None:
            return False
        call = self._watched.pop(jobs, None)
        if call is None:
            return False
        if call.watcher is not None:
            call.watcher.cancel()
        return call.left

    def _sweep(self) -> None:
        loop = self._loop
        assert loop is not None
        for jobs, receive in self._older.items():
            call = self._watched[jobs] = WatchedCall(jobs)
            call.watcher = loop.create_task(_cancel_on_disconnect(call, receive))
        self._older, self._new = self._new, {}
        self._timer = loop.call_later(WATCH_SWEEP_INTERVAL, self._sweep) if self._older else None


async def _cancel_on_disconnect(call: WatchedCall, receive: Receiver) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass
    call.left = True
    for job in call.jobs:  # nobody will read the answer: do not spend the model on it
        job.cancel()
