"""Helpers for security and reliability tests: an in-process ASGI driver, raw wire requests, a server in
a subprocess, a /health latency probe and memory readings.

Shared with tests/security (its conftest puts this folder on ``sys.path``).

- :class:`AsgiDriver` runs a carpool Starlette app inside the test's event loop -- lifespan, plain
  requests and event streams, with client disconnects on demand -- so thousands of events go through the
  real routes, relay, sessions and engine without sockets or HTTP parsing.
- :func:`raw_request` writes bytes to a live server exactly as given: payloads such as ``..%2f`` reach
  the server unnormalised (httpx would normalise some of them before sending).
- :class:`ServerProcess` runs ``served_apps.py`` with uvicorn in its own process: signals, RSS and
  CPU time are then the server's alone.
- :class:`HealthProbe` measures ``GET /health`` latencies from a thread while a test loads the server.
"""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SERVED_APPS = Path(__file__).with_name("served_apps.py")
SRC_DIR = Path(__file__).resolve().parents[2] / "src"


# -- numbers ---------------------------------------------------------------------------------------


def percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        raise ValueError("no values")
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def rss_kib(pid: int | None = None) -> int:
    """Resident memory of a process (this one by default), from /proc."""
    status = Path(f"/proc/{pid or os.getpid()}/status").read_text()
    match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
    assert match is not None, "no VmRSS in /proc status"
    return int(match.group(1))


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks  # utime, stime (fields 14 and 15 of stat)


# -- raw HTTP on the wire --------------------------------------------------------------------------


@dataclass
class RawReply:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def everything(self) -> bytes:
        """Headers and body, for "does this leak" checks."""
        head = "".join(f"{key}: {value}\n" for key, value in self.headers.items())
        return head.encode("latin-1") + self.body


def _parse_head(head: bytes) -> tuple[int, dict[str, str]]:
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1]) if lines and lines[0].startswith("HTTP/") else 0
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return status, headers


class _Reader:
    """Reads one HTTP/1.1 response off a socket by its framing (the connection stays open)."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self._data = b""

    def _more(self) -> bool:
        chunk = self._sock.recv(65536)
        self._data += chunk
        return bool(chunk)

    def until(self, marker: bytes) -> bytes:
        while marker not in self._data:
            if not self._more():
                raise ConnectionError(f"connection closed before {marker!r}: {self._data[:200]!r}")
        found, _, self._data = self._data.partition(marker)
        return found

    def exactly(self, size: int) -> bytes:
        while len(self._data) < size:
            if not self._more():
                raise ConnectionError("connection closed inside the body")
        found, self._data = self._data[:size], self._data[size:]
        return found

    def response(self) -> RawReply:
        status, headers = _parse_head(self.until(b"\r\n\r\n"))
        if headers.get("transfer-encoding") == "chunked":
            body = b""
            while size := int(self.until(b"\r\n").split(b";")[0], 16):
                body += self.exactly(size)
                self.exactly(2)
            self.until(b"\r\n")
        else:
            body = self.exactly(int(headers.get("content-length", "0")))
        return RawReply(status, headers, body)


def raw_request(
    port: int,
    method: str,
    target: str,
    *,
    body: bytes | Iterable[bytes] = b"",
    headers: Sequence[tuple[str, str]] = (),
    timeout: float = 30.0,
    finish_body: bool = False,
) -> RawReply:
    """Send ``method target`` byte for byte (the target is NOT re-encoded) and read the reply.

    ``body`` may be an iterable of chunks (then give Content-Length or Transfer-Encoding in
    ``headers``), sent from a thread while the reply is read: a server that answers early (413) is seen
    at once; with ``finish_body`` the rest of the body is still sent (and must be swallowed by the
    server) before this returns. The connection is kept alive rather than closed after the
    reply, so the server discards a body it did not want instead of resetting the connection (a reset
    can destroy the reply before it is read).
    """
    head = f"{method} {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
    head += "".join(f"{name}: {value}\r\n" for name, value in headers)
    if isinstance(body, bytes) and not any(name.lower() == "content-length" for name, _ in headers):
        head += f"Content-Length: {len(body)}\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sender = threading.Thread(target=_send_all, args=(sock, head.encode("latin-1") + b"\r\n", body))
        sender.start()
        try:
            reply = _Reader(sock).response()
            if finish_body:
                sender.join(timeout)
            return reply
        finally:
            with contextlib.suppress(OSError):  # the server may have closed first
                sock.shutdown(socket.SHUT_RDWR)
            sender.join(timeout)


def _send_all(sock: socket.socket, head: bytes, body: bytes | Iterable[bytes]) -> None:
    # the server may answer and close before the body is all sent: that is the point of some tests
    with contextlib.suppress(OSError):
        sock.sendall(head)
        for chunk in [body] if isinstance(body, bytes) else body:
            sock.sendall(chunk)


# -- in-process ASGI -------------------------------------------------------------------------------


@dataclass
class AsgiReply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def _scope(method: str, path: str, query: str, headers: Sequence[tuple[str, str]]) -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 7860),
    }


class _Connection:
    """One ASGI HTTP connection: the request body (in chunks), then ``http.disconnect`` once
    ``disconnect()`` was called. ``received`` counts the body bytes the app asked for."""

    def __init__(self, body: bytes | Iterable[bytes]) -> None:
        self._chunks = iter([body] if isinstance(body, bytes) else body)
        self._next: bytes | None = next(self._chunks, b"")
        self.received = 0
        self.gone = asyncio.Event()

    async def receive(self) -> dict[str, Any]:
        if self._next is not None:
            chunk, self._next = self._next, next(self._chunks, None)
            self.received += len(chunk)
            return {"type": "http.request", "body": chunk, "more_body": self._next is not None}
        await self.gone.wait()
        return {"type": "http.disconnect"}

    def disconnect(self) -> None:
        self.gone.set()


class EventStream:
    """``GET /queue/data`` of one session, parsed into protocol messages as they arrive."""

    def __init__(self, app: Any, session_hash: str) -> None:
        self.session_hash = session_hash
        self.messages: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.status = 0
        self.opened = asyncio.Event()
        self._buffer = b""
        self._connection = _Connection(b"")
        scope = _scope("GET", "/queue/data", f"session_hash={session_hash}", [])
        self.task = asyncio.ensure_future(app(scope, self._connection.receive, self._send))

    async def _send(self, message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
            self.opened.set()
            return
        self._buffer += message.get("body", b"")
        *events, self._buffer = self._buffer.split(b"\n\n")
        for event in events:
            for line in event.split(b"\n"):
                if line.startswith(b"data: "):
                    self.messages.put_nowait(json.loads(line[6:]))

    async def next(self, timeout: float = 10.0) -> dict[str, Any]:
        return await asyncio.wait_for(self.messages.get(), timeout)

    async def finals(self, count: int, timeout: float = 30.0) -> dict[str, dict[str, Any]]:
        """The next ``count`` final messages by event id (other messages are skipped)."""
        found: dict[str, dict[str, Any]] = {}
        async with asyncio.timeout(timeout):
            while len(found) < count:
                message = await self.messages.get()
                if message.get("msg") == "process_completed":
                    assert message["event_id"] not in found, f"two final messages for {message}"
                    found[message["event_id"]] = message
        return found

    async def disconnect(self) -> None:
        """The client goes away; returns once the server has finished the stream."""
        self._connection.disconnect()
        await asyncio.wait_for(self.task, 10)


class AsgiDriver:
    """A carpool app run in the current event loop, lifespan included."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.state = app.state.carpool

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[AsgiDriver]:
        async with self.app.router.lifespan_context(self.app):
            yield self

    async def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        body: bytes | Iterable[bytes] = b"",
        query: str = "",
        headers: Sequence[tuple[str, str]] = (),
        disconnect_after: asyncio.Event | None = None,
    ) -> AsgiReply:
        """One request; with ``disconnect_after`` the client leaves once that event is set."""
        if json_body is not None:
            body = json.dumps(json_body).encode()
            headers = [("content-type", "application/json"), *headers]
        connection = _Connection(body)
        reply = AsgiReply(0, {}, b"")

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                reply.status = message["status"]
                reply.headers = {k.decode(): v.decode() for k, v in message.get("headers", [])}
            else:
                reply.body += message.get("body", b"")

        watcher = None
        if disconnect_after is not None:
            watcher = asyncio.ensure_future(_set_after(disconnect_after, connection))
        try:
            await self.app(_scope(method, path, query, headers), connection.receive, send)
        finally:
            if watcher is not None:
                watcher.cancel()
        return reply

    async def join(self, session_hash: str, api_name: str, data: list[Any]) -> AsgiReply:
        body = {"data": data, "api_name": api_name, "session_hash": session_hash}
        return await self.request("POST", "/queue/join", json_body=body)

    async def cancel(self, session_hash: str, event_id: str) -> AsgiReply:
        body = {"session_hash": session_hash, "event_id": event_id}
        return await self.request("POST", "/queue/cancel", json_body=body)

    async def open_stream(self, session_hash: str) -> EventStream:
        stream = EventStream(self.app, session_hash)
        await asyncio.wait_for(stream.opened.wait(), 10)
        return stream


async def _set_after(event: asyncio.Event, connection: _Connection) -> None:
    await event.wait()
    connection.disconnect()


# -- a server in its own process -------------------------------------------------------------------


@dataclass
class ServerProcess:
    """``served_apps.py APP OPTIONS`` under uvicorn in a child process; ready when it listens."""

    app: str
    options: dict[str, Any] = field(default_factory=dict)
    url: str = ""
    lines: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        env = {**os.environ, "PYTHONPATH": f"{SRC_DIR}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
        self.process = subprocess.Popen(
            [sys.executable, str(SERVED_APPS), self.app, json.dumps(self.options)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
        )
        self._listening = threading.Event()
        self._exited = threading.Event()
        # Always drain the output: a full pipe would block the server's logging, and the server.
        threading.Thread(target=self._drain, daemon=True).start()
        if not self._listening.wait(60) or not self.url:
            self.kill()
            raise RuntimeError("server did not start:\n" + "".join(self.lines))

    def _drain(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)
            if "Running on local URL" in line:  # carpool prints it once the socket listens
                self.url = line.split()[-1]
                self._listening.set()
        self._exited.set()
        self._listening.set()

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def port(self) -> int:
        return int(self.url.rstrip("/").rsplit(":", 1)[1])

    def wait(self, timeout: float) -> int:
        code = self.process.wait(timeout)
        self._exited.wait(timeout)
        return code

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)

    def __enter__(self) -> ServerProcess:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.kill()


# -- /health latency under load --------------------------------------------------------------------


class HealthProbe:
    """Times ``GET /health`` on one keep-alive connection every ``interval`` seconds, from a thread."""

    def __init__(self, port: int, interval: float = 0.01) -> None:
        self.port = port
        self.interval = interval
        self.latencies: list[float] = []
        self.errors: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="health-probe", daemon=True)

    def _run(self) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        while not self._stop.is_set():
            started = time.perf_counter()
            try:
                connection.request("GET", "/health")
                response = connection.getresponse()
                response.read()
                if response.status != 200:
                    self.errors.append(f"status {response.status}")
            except (OSError, http.client.HTTPException) as error:
                self.errors.append(repr(error))
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
            self.latencies.append(time.perf_counter() - started)
            self._stop.wait(self.interval)  # a steady probe rate, not a wait for a condition
        connection.close()

    def __enter__(self) -> HealthProbe:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join(15)

    def p99_ms(self) -> float:
        return percentile(self.latencies, 0.99) * 1000

    def summary(self) -> str:
        if not self.latencies:
            return "no /health samples"
        p50 = percentile(self.latencies, 0.5) * 1000
        return f"/health n={len(self.latencies)} p50={p50:.1f} ms p99={self.p99_ms():.1f} ms"
