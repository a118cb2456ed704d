"""Shared pieces of the benchmark suite: load over the real protocol, statistics, and output.

Load comes from a separate process (:class:`LoadProcess`) so that the clients' CPU time does not share the
server's GIL: on a small machine an in-process load generator would measure itself as much as the server.
The process runs ``concurrency`` closed-loop tasks (each sends its next request as soon as the last one
returned) and reports progress back over a pipe. Each task speaks through ``carpool.AsyncClient`` (the real
client: uploads, downloads) or, for JSON-only endpoints, through :class:`RawConnection`, a bare HTTP/1.1
keep-alive connection that costs the machine far less CPU per request than a general client.
"""

from __future__ import annotations

import asyncio
import functools
import json
import math
import multiprocessing
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Literal, TextIO

__all__ = [
    "FileArg",
    "LoadProcess",
    "LoadResult",
    "LoadSpec",
    "ProgressBar",
    "RawConnection",
    "Summary",
    "machine_info",
    "markdown_table",
    "percentile",
    "save_two_panel_plot",
    "serving",
    "write_json",
]

# How often the load process reports progress (seconds): often enough for a live bar, rare enough to
# cost nothing next to the requests themselves.
_PROGRESS_EVERY = 0.1


@dataclass(frozen=True)
class FileArg:
    """An input sent as a file: the load process uploads ``path`` with the client's file helper."""

    path: str


@dataclass(frozen=True)
class LoadSpec:
    """``requests`` calls of ``api_name`` by ``concurrency`` closed-loop clients.

    Request ``i`` sends ``samples[i % len(samples)]`` (one value per input). ``warmup`` requests run first
    and are not measured (connection pools, lazy imports, the first batches of the server). ``client``
    picks the clients: ``"carpool"`` (``carpool.AsyncClient``, any input) or ``"raw"`` (one
    :class:`RawConnection` per client, JSON values only: no :class:`FileArg`).
    """

    url: str
    api_name: str
    samples: tuple[tuple[Any, ...], ...]
    concurrency: int
    requests: int
    warmup: int = 0
    client: Literal["carpool", "raw"] = "carpool"


@dataclass(frozen=True)
class LoadResult:
    latencies: tuple[float, ...]  # seconds, one per successful request
    wall_time: float  # first measured request sent -> last one answered
    errors: int = 0
    first_error: str | None = None
    client_cpu: float = 0.0  # CPU seconds the load process itself used: the clients are not free


@dataclass(frozen=True)
class Summary:
    """Latency (milliseconds) and throughput (requests per second) of one load run."""

    requests: int
    errors: int
    mean_ms: float
    p50_ms: float
    p99_ms: float
    throughput: float
    client_cpu_ms: float = math.nan  # load-process CPU per request: what the clients took from the machine
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, result: LoadResult) -> Summary:
        ms = [x * 1000.0 for x in result.latencies]
        return cls(
            requests=len(ms),
            errors=result.errors,
            mean_ms=statistics.fmean(ms) if ms else math.nan,
            p50_ms=percentile(ms, 50),
            p99_ms=percentile(ms, 99),
            throughput=len(ms) / result.wall_time if result.wall_time > 0 else math.nan,
            client_cpu_ms=1000.0 * result.client_cpu / len(ms) if ms else math.nan,
        )

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile by linear interpolation between closest ranks (nan for no values)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100.0
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


class ProgressBar:
    """A one-line progress bar on stderr; on a non-terminal stream only the final line is written."""

    def __init__(self, total: int, label: str, stream: TextIO | None = None, width: int = 30) -> None:
        self.total = max(total, 1)
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.width = width
        self._live = self.stream.isatty()
        self._started = time.perf_counter()
        self._drawn_at = 0.0

    def update(self, done: int) -> None:
        now = time.perf_counter()
        if self._live and (now - self._drawn_at >= _PROGRESS_EVERY or done >= self.total):
            self._drawn_at = now
            self.stream.write("\r" + self._line(done, now))
            self.stream.flush()

    def close(self, done: int | None = None) -> None:
        final = self._line(self.total if done is None else done, time.perf_counter())
        self.stream.write(("\r" if self._live else "") + final + "\n")
        self.stream.flush()

    def _line(self, done: int, now: float) -> str:
        filled = min(self.width, self.width * done // self.total)
        bar = "#" * filled + "-" * (self.width - filled)
        return f"{self.label:<32} [{bar}] {done}/{self.total} {now - self._started:5.1f}s"


class LoadProcess:
    """A long-lived child process that runs :class:`LoadSpec` s against a server, one at a time.

    Use as a context manager; :meth:`run` blocks until the child answers (progress messages feed the bar).
    """

    def __init__(self, timeout: float = 600.0) -> None:
        self.timeout = timeout
        ctx = multiprocessing.get_context("spawn")  # a fresh interpreter: no inherited server threads
        self._conn, child_conn = ctx.Pipe(duplex=True)
        self._process = ctx.Process(target=_load_main, args=(child_conn,), daemon=True)

    def __enter__(self) -> LoadProcess:
        self._process.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._process.is_alive():
            self._conn.send(None)  # asks the child to leave its loop
            self._process.join(timeout=10)
        if self._process.is_alive():
            self._process.terminate()
            self._process.join(timeout=5)
        self._conn.close()

    def run(self, spec: LoadSpec, bar: ProgressBar | None = None) -> LoadResult:
        self._conn.send(spec)
        deadline = time.monotonic() + self.timeout
        while True:
            remaining = deadline - time.monotonic()
            # poll() blocks until the child writes (or the time is up): no busy waiting.
            if remaining <= 0 or not self._conn.poll(remaining):
                raise TimeoutError(f"load on {spec.api_name!r} did not finish within {self.timeout:.0f}s")
            kind, payload = self._conn.recv()
            if kind == "progress" and bar is not None:
                bar.update(payload)
            elif kind == "done":
                if bar is not None:
                    bar.close(len(payload.latencies) + payload.errors)
                return payload  # type: ignore[no-any-return]
            elif kind == "crashed":
                raise RuntimeError(f"the load process failed: {payload}")


def _load_main(conn: Connection) -> None:
    """Child process: serve load specs until told to stop (``None``) or the parent goes away."""
    while True:
        try:
            spec = conn.recv()
        except EOFError:
            return
        if spec is None:
            return
        try:
            result = asyncio.run(_drive(spec, conn))
        except Exception as exc:  # report, don't die: the parent turns it into its own error
            conn.send(("crashed", f"{type(exc).__name__}: {exc}"))
        else:
            conn.send(("done", result))


# One client's call: send one sample, return when its answer arrived (raise if it failed).
Call = Callable[[tuple[Any, ...]], Awaitable[object]]


async def _drive(spec: LoadSpec, conn: Connection) -> LoadResult:
    if spec.client == "raw":
        return await _drive_raw(spec, conn)
    import carpool as cp  # in the child only: the parent may never need the client

    # file outputs are downloaded like a real client would; they go to a folder removed after the run
    with tempfile.TemporaryDirectory(prefix="carpool-bench-downloads-") as downloads:
        async with cp.AsyncClient(spec.url, download_dir=downloads) as client:
            samples = [tuple(_client_value(cp, v) for v in s) for s in spec.samples]

            async def call(args: tuple[Any, ...]) -> object:
                return await client.predict(*args, api_name=spec.api_name)

            await _closed_loop([call] * min(spec.concurrency, 8), samples, spec.warmup, None)
            return await _closed_loop([call] * spec.concurrency, samples, spec.requests, conn)


async def _drive_raw(spec: LoadSpec, conn: Connection) -> LoadResult:
    if any(isinstance(v, FileArg) for s in spec.samples for v in s):
        raise ValueError("the raw client sends JSON values only: use client='carpool' for files")
    path = "/api/" + spec.api_name.lstrip("/")
    connections = [await RawConnection.open(spec.url) for _ in range(max(1, spec.concurrency))]
    try:
        # the warm-up checks that every answer is a JSON object with "data"; measured calls check the status
        checked = [functools.partial(c.call, path, check_body=True) for c in connections]
        await _closed_loop(checked, spec.samples, spec.warmup, None)
        calls = [functools.partial(c.call, path) for c in connections]
        return await _closed_loop(calls, spec.samples, spec.requests, conn)
    finally:
        for connection in connections:
            connection.close()


class RawConnection:
    """One keep-alive HTTP/1.1 connection that POSTs ``{"data": [...]}`` and reads the answer.

    Just enough HTTP for carpool's JSON API (answers carry a Content-Length). A general client (httpx:
    ~1.5 ms of CPU per request with carpool's client on top) would take CPU from the server it measures on
    a small machine; this one spends a small fraction of that.
    """

    extra_headers = ""  # "Name: value\r\n" lines a subclass sends with every request

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, host: str) -> None:
        self.reader, self.writer, self.host = reader, writer, host

    @classmethod
    async def open(cls, url: str) -> RawConnection:
        host_port = url.split("//", 1)[1].split("/", 1)[0]
        host, port = host_port.rsplit(":", 1)
        reader, writer = await asyncio.open_connection(host, int(port))
        return cls(reader, writer, host_port)

    async def call(self, path: str, args: tuple[Any, ...], *, check_body: bool = False) -> bytes:
        """POST one sample to ``path``; the answer's body. RuntimeError for any status but 200."""
        status, body = await self.post(path, json.dumps({"data": list(args)}).encode())
        if status != 200:
            raise RuntimeError(f"HTTP {status}: {body[:200]!r}")
        if check_body and not isinstance(json.loads(body).get("data"), list):
            raise RuntimeError(f"an answer without a data list: {body[:200]!r}")
        return body

    async def post(self, path: str, body: bytes) -> tuple[int, bytes]:
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {self.host}\r\nContent-Type: application/json\r\n"
            f"{self.extra_headers}Content-Length: {len(body)}\r\n\r\n"
        )
        self.writer.write(head.encode() + body)
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionError("the server (or balancer) closed the connection")
        length = None
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        if length is None:
            raise RuntimeError(f"an answer without Content-Length: {status_line!r}")
        return int(status_line.split()[1]), await self.reader.readexactly(length)

    def close(self) -> None:
        self.writer.close()


def _client_value(cp: Any, value: Any) -> Any:
    return cp.handle_file(value.path) if isinstance(value, FileArg) else value


async def _closed_loop(
    calls: Sequence[Call],
    samples: Sequence[tuple[Any, ...]],
    requests: int,
    conn: Connection | None,
) -> LoadResult:
    """One closed-loop client per entry of ``calls``, sharing ``requests`` calls: each client sends its
    next one when its last returned."""
    tickets = iter(range(requests))
    latencies: list[float] = []
    errors: list[str] = []
    reported_at = time.perf_counter()

    async def one_client(call: Call) -> None:
        nonlocal reported_at
        for i in tickets:  # a shared iterator: every request index is taken exactly once
            sent = time.perf_counter()
            try:
                await call(samples[i % len(samples)])
            except Exception as exc:
                errors.append(f"{type(exc).__name__}: {exc}")
            else:
                latencies.append(time.perf_counter() - sent)
            if conn is not None and time.perf_counter() - reported_at >= _PROGRESS_EVERY:
                reported_at = time.perf_counter()
                conn.send(("progress", len(latencies) + len(errors)))

    started, cpu_started = time.perf_counter(), time.process_time()
    await asyncio.gather(*(one_client(call) for call in calls))
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    return LoadResult(tuple(latencies), wall, len(errors), errors[0] if errors else None, cpu)


@contextmanager
def serving(
    demo: Any, *, launch_options: Mapping[str, Any] | None = None, **queue_options: Any
) -> Iterator[str]:
    """Launch ``demo`` on 127.0.0.1 with an OS-chosen port; yield its URL; close it afterwards.

    ``queue_options`` go to ``demo.queue()``, ``launch_options`` (e.g. ``conversion_workers``) to
    ``demo.launch()``.
    """
    demo.queue(**queue_options)
    url = demo.launch(
        server_name="127.0.0.1",
        server_port=0,
        prevent_thread_lock=True,
        quiet=True,
        show_error=True,
        **dict(launch_options or {}),
    )
    try:
        yield str(url).rstrip("/")
    finally:
        demo.close()


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A GitHub markdown table, columns padded so the plain text lines up too."""
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    return "\n".join([line(headers), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *map(line, rows)])


def machine_info() -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None,
        "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }


def write_json(path: str | os.PathLike[str], payload: Mapping[str, Any]) -> Path:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps({"machine": machine_info(), **payload}, indent=2, default=str) + "\n")
    return target


def save_two_panel_plot(
    path: str | os.PathLike[str],
    title: str,
    x_label: str,
    x_ticks: Sequence[str],
    panels: Sequence[tuple[str, Mapping[str, Sequence[float]]]],
) -> Path:
    """Side-by-side line plots sharing categorical x ticks; ``panels`` = [(y_label, {series: ys})]."""
    try:
        import matplotlib
    except ImportError as exc:  # matplotlib is in the `bench` extra, not a core dependency
        raise SystemExit("--plot needs matplotlib: pip install 'carpool[bench]'") from exc
    matplotlib.use("Agg")  # files only, never a window
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(panels), figsize=(5.5 * len(panels), 4.2), squeeze=False)
    xs = list(range(len(x_ticks)))
    for ax, (y_label, series) in zip(axes[0], panels, strict=True):
        for name, ys in series.items():
            ax.plot(xs, ys, marker="o", label=name)
        ax.set_xticks(xs, list(x_ticks))
        ax.set_xlabel(x_label)
        ax.set_ylabel(y_label)
        ax.grid(alpha=0.3)
        ax.legend(fontsize="small")
    fig.suptitle(title)
    fig.tight_layout()
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(target, dpi=110)
    plt.close(fig)
    return target
