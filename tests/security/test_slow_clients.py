"""Slow clients (slowloris): headers and bodies that never finish are cut off, and a server under a
small file-descriptor limit keeps answering ``/health`` while hundreds of slow connections come in.

- Slowloris against a server in its own process with 256 descriptors (soft and hard): 300 connections
  that drip header lines and reconnect when closed; fresh ``/health`` requests all succeed.
- A connection whose headers do not finish is closed after ``header_timeout``; at ``limit_concurrency``
  the connection waiting longest for its headers makes room for a new one.
- A body that trickles gets 408 within ``body_timeout``; a slow but steady upload goes through; event
  streams (long requests without a body) are not cut.
- The soft descriptor limit is raised to the hard one at launch (bounded).
- In-process: a stalled read is a 408 from ``receive()``; a route busy between pieces of its body is
  not blamed for it; a read cancelled from outside stays a cancellation.
"""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import reliability_support
from reliability_support import ServerProcess

from carpool.app import Blocks
from carpool.components import Button, Textbox
from carpool.server import RunningServer
from carpool.server._body_timeout import BodyTimeout
from carpool.server._connections import FD_LIMIT_BOUND, default_connection_limit, uvicorn_limit

FD_LIMIT = 256
SLOW_CONNECTIONS = 300  # more than the server has descriptors
ATTACK_SECONDS = 8.0
HEADER_TIMEOUT = 2.0


def echo_app() -> Blocks:
    with Blocks() as demo:
        box, out = Textbox(), Textbox()
        Button("Echo").click(lambda text: text, box, out, api_name="echo")
    return demo


def open_slow(port: int) -> socket.socket | None:
    try:
        sock = socket.create_connection(("127.0.0.1", port), timeout=2)
        sock.sendall(f"GET /health HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n".encode())
        return sock
    except OSError:
        return None


def drip(sock: socket.socket) -> bool:
    """One more header line; False once the server has closed the connection."""
    try:
        sock.sendall(b"X-Slow: 1\r\n")
        return True
    except OSError:
        return False


class Slowloris:
    """``count`` connections that never finish their headers, re-opened as the server closes them."""

    def __init__(self, port: int, count: int) -> None:
        self.port = port
        self.sockets: list[socket.socket | None] = [None] * count
        self.reopened = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="slowloris", daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            for i, sock in enumerate(self.sockets):
                if sock is not None and drip(sock):
                    continue
                if sock is not None:
                    sock.close()
                    self.reopened += 1
                self.sockets[i] = open_slow(self.port)
            self._stop.wait(0.5)

    def __enter__(self) -> Slowloris:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join(30)
        for sock in self.sockets:
            if sock is not None:
                sock.close()


def fresh_health(port: int) -> str | None:
    """``GET /health`` on a new connection; None when it is a 200, else what went wrong."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", "/health")
        response = connection.getresponse()
        response.read()
        return None if response.status == 200 else f"status {response.status}"
    except (OSError, http.client.HTTPException) as error:
        return repr(error)
    finally:
        connection.close()


@pytest.fixture
def limited_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[ServerProcess]:
    monkeypatch.setattr(reliability_support, "SERVED_APPS", Path(__file__).with_name("limited_fds_server.py"))
    monkeypatch.setenv("CARPOOL_TEST_FD_LIMIT", str(FD_LIMIT))
    with ServerProcess("echo", {"header_timeout": HEADER_TIMEOUT}) as server:
        yield server


def test_slow_connections_under_a_small_fd_limit_do_not_make_health_fail(
    limited_server: ServerProcess, capsys: pytest.CaptureFixture[str]
) -> None:
    failures: list[str] = []
    probes = 0
    with Slowloris(limited_server.port, SLOW_CONNECTIONS) as attack:
        deadline = time.monotonic() + ATTACK_SECONDS
        time.sleep(1.0)  # let the slow connections pile up first
        while time.monotonic() < deadline:
            probes += 1
            failure = fresh_health(limited_server.port)
            if failure is not None:
                failures.append(failure)
            time.sleep(0.1)
        reopened = attack.reopened
    with capsys.disabled():
        print(f"\n[slowloris] {probes} /health probes, {len(failures)} failed, {reopened} slow reconnects")
    assert not failures, failures[:5]
    assert reopened > 0  # the server did close slow connections (by deadline or to make room)
    assert limited_server.process.poll() is None


def test_a_connection_whose_headers_do_not_finish_is_closed_after_header_timeout(
    serve: Callable[..., RunningServer],
) -> None:
    server = serve(echo_app(), header_timeout=1.0)
    for opening in (b"", b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n"):  # silent, or half the headers
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
            sock.sendall(opening)
            started = time.monotonic()
            assert sock.recv(100) == b""
            assert time.monotonic() - started < 6.0


def test_after_a_response_the_next_request_headers_are_timed_again(
    serve: Callable[..., RunningServer],
) -> None:
    server = serve(echo_app(), header_timeout=1.0, timeout_keep_alive=30)
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        assert sock.recv(1000).startswith(b"HTTP/1.1 200")
        sock.sendall(b"GET /health HTTP/1.1\r\n")  # keep-alive would wait 30 s: the header deadline won't
        started = time.monotonic()
        assert sock.recv(100) == b""
        assert time.monotonic() - started < 6.0


def test_at_the_connection_limit_the_longest_waiting_connection_makes_room(
    serve: Callable[..., RunningServer],
) -> None:
    server = serve(echo_app(), header_timeout=60.0, limit_concurrency=20)
    idle = [socket.create_connection(("127.0.0.1", server.port), timeout=10) for _ in range(20)]
    try:
        time.sleep(0.3)
        assert fresh_health(server.port) is None
        idle[0].settimeout(5)
        assert idle[0].recv(100) == b""  # the oldest was closed for the newcomer
    finally:
        for sock in idle:
            sock.close()


def slow_post(port: int, interval: float, piece: bytes, length: int, limit_s: float) -> tuple[bytes, float]:
    """POST /api/echo with a body sent as ``piece`` every ``interval`` s: (what came back, seconds)."""
    head = (
        f"POST /api/echo HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {length}\r\n\r\n"
    )
    reply = b""
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=limit_s) as sock:
        sock.sendall(head.encode())
        sock.settimeout(interval)
        sent = 0
        while time.monotonic() - started < limit_s:
            if sent < length:
                chunk = piece[: length - sent]
                with contextlib.suppress(OSError):
                    sock.sendall(chunk)
                sent += len(chunk)
            try:
                data = sock.recv(65536)
            except TimeoutError:
                continue
            reply += data
            if not data or reply.endswith(b"}") or reply.endswith(b"]}"):
                break
    return reply, time.monotonic() - started


def test_a_trickling_body_gets_408_within_body_timeout(serve: Callable[..., RunningServer]) -> None:
    server = serve(echo_app(), body_timeout=1.0)
    reply, seconds = slow_post(server.port, interval=0.2, piece=b" ", length=10_000, limit_s=15)
    assert reply.startswith(b"HTTP/1.1 408"), reply[:200]
    body = json.loads(reply.split(b"\r\n\r\n", 1)[1])
    assert body["error"]["type"] == "request_timeout" and "body_timeout" in body["error"]["message"]
    assert seconds < 6.0


def test_a_body_that_stops_gets_408_within_body_timeout(serve: Callable[..., RunningServer]) -> None:
    server = serve(echo_app(), body_timeout=1.0)
    reply, seconds = slow_post(server.port, interval=0.2, piece=b'{"data": [', length=100, limit_s=15)
    assert reply.startswith(b"HTTP/1.1 408") and seconds < 6.0, (reply[:200], seconds)


def test_a_slow_but_steady_body_goes_through(serve: Callable[..., RunningServer]) -> None:
    server = serve(echo_app(), body_timeout=1.0)
    text = "x" * 120_000  # 2.5 s at 48 KiB/s: longer than body_timeout, faster than the minimum rate
    payload = json.dumps({"data": [text]}).encode()
    pieces = iter([payload[i : i + 4800] for i in range(0, len(payload), 4800)])
    head = (
        f"POST /api/echo HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(payload)}\r\nConnection: close\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        sock.sendall(head.encode())
        for piece in pieces:
            sock.sendall(piece)
            time.sleep(0.1)
        reply = b""
        while data := sock.recv(65536):
            reply += data
    assert reply.startswith(b"HTTP/1.1 200"), reply[:300]
    assert text.encode() in reply


def test_an_event_stream_is_not_cut_by_the_header_or_body_timeouts(
    serve: Callable[..., RunningServer],
) -> None:
    server = serve(echo_app(), header_timeout=0.5, body_timeout=0.5)
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(
            f"GET /queue/data?session_hash=s1 HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n\r\n".encode()
        )
        assert sock.recv(1000).startswith(b"HTTP/1.1 200")
        sock.settimeout(2.5)
        with pytest.raises(TimeoutError):  # still open after five header/body timeouts
            while sock.recv(1000):
                pass


def test_the_soft_fd_limit_is_raised_to_the_hard_one_at_launch() -> None:
    # in a child process with a lowered soft limit: the test run's own limit stays as it is
    code = (
        "import resource\n"
        "soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)\n"
        "resource.setrlimit(resource.RLIMIT_NOFILE, (64, hard))\n"
        "from carpool.server._connections import raise_fd_limit\n"
        "print(raise_fd_limit(), resource.getrlimit(resource.RLIMIT_NOFILE)[0], hard)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    reported, soft, hard = (int(value) for value in done.stdout.split())
    expected = min(hard, FD_LIMIT_BOUND) if hard >= 0 else FD_LIMIT_BOUND
    assert reported == soft == expected
    assert default_connection_limit(soft) == max(16, soft - max(64, soft // 4))
    assert default_connection_limit(FD_LIMIT) == 192  # the slowloris server's cap
    assert uvicorn_limit(192) < FD_LIMIT  # uvicorn's 503s start before the descriptors run out


# -- the body timeout in-process: what counts as the client's delay ----------------------------------

BODY_SCOPE = {"type": "http", "headers": [(b"content-length", b"100")]}


async def body_timeout_run(
    receive: Callable[[], Any], reader: Callable[[Any], Any], timeout: float
) -> list[Any]:
    """``reader(receive)`` as a route behind BodyTimeout; what it sent back."""
    sent: list[Any] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await reader(receive)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    async def send(message: Any) -> None:
        sent.append(message)

    await BodyTimeout(app, timeout)(BODY_SCOPE, receive, send)
    return sent


async def test_a_stalled_body_read_is_a_408_from_receive() -> None:
    async def never() -> Any:
        await asyncio.Event().wait()

    async def reader(receive: Any) -> None:
        await receive()

    started = time.monotonic()
    sent = await asyncio.wait_for(body_timeout_run(never, reader, timeout=0.5), 10)
    assert sent[0]["status"] == 408 and time.monotonic() - started < 3.0
    assert json.loads(sent[1]["body"])["error"]["type"] == "request_timeout"


async def test_a_route_busy_between_body_pieces_is_not_the_clients_delay() -> None:
    pieces = iter([b"a" * 10, b"b" * 10, b"c" * 80])

    async def prompt() -> Any:
        piece = next(pieces)
        return {"type": "http.request", "body": piece, "more_body": piece != b"c" * 80}

    async def slow_reader(receive: Any) -> None:
        for _ in range(3):
            message = await receive()
            if not message.get("more_body"):
                return
            await asyncio.sleep(0.8)  # e.g. writing to a slow disk: longer than body_timeout

    sent = await asyncio.wait_for(body_timeout_run(prompt, slow_reader, timeout=0.3), 10)
    assert sent[0]["status"] == 200


async def test_a_cancelled_body_read_stays_a_cancellation() -> None:
    async def never() -> Any:
        await asyncio.Event().wait()

    async def reader(receive: Any) -> None:
        await receive()

    task = asyncio.ensure_future(body_timeout_run(never, reader, timeout=30))
    await asyncio.sleep(0.1)
    task.cancel()  # a server shutting down, say: not a 408
    with pytest.raises(asyncio.CancelledError):
        await task
