"""Many idle event-stream clients on one server: all connected, /health stays fast, RSS per client measured.

The server runs in its own process (its RSS and latency are its own); the clients are raw asyncio
connections in this process. ``CARPOOL_SSE_CLIENTS`` sizes it (default 10,000, or as many as the open
file limit allows: each side needs one descriptor per client).
"""

from __future__ import annotations

import asyncio
import os
import resource
import time

import pytest
from reliability_support import HealthProbe, ServerProcess, rss_kib

HEALTH_P99_MS = float(os.environ.get("CARPOOL_HEALTH_P99_MS", "100"))
CONNECT_AT_ONCE = 200
IDLE_SECONDS = 3.0  # /health is probed this long with every client connected


def client_budget() -> int:
    """Raise the open-file limit as far as allowed; the server child inherits it."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = hard if hard != resource.RLIM_INFINITY else 65536
    resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    return min(int(os.environ.get("CARPOOL_SSE_CLIENTS", "10000")), wanted - 500)


async def open_stream(port: int, index: int, gate: asyncio.Semaphore) -> asyncio.StreamWriter:
    async with gate:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        request = f"GET /queue/data?session_hash=idle-{index} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n"
        writer.write(request.encode())
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 60)
        assert head.startswith(b"HTTP/1.1 200"), head[:100]
        first = await asyncio.wait_for(reader.readuntil(b"\n\n"), 60)  # the stream's opening comment
        assert b"carpool" in first
        return writer


async def connect_all(port: int, count: int) -> list[asyncio.StreamWriter]:
    gate = asyncio.Semaphore(CONNECT_AT_ONCE)
    return list(await asyncio.gather(*(open_stream(port, i, gate) for i in range(count))))


@pytest.mark.slow
def test_thousands_of_idle_streams_keep_health_fast(capsys: pytest.CaptureFixture[str]) -> None:
    clients = client_budget()
    with ServerProcess("echo", {}) as server:
        with HealthProbe(server.port) as warm:  # first requests (imports, caches) are not the baseline
            time.sleep(0.5)  # a measuring window, not a wait for some condition
        rss_before = rss_kib(server.pid)
        loop = asyncio.new_event_loop()
        try:
            writers = loop.run_until_complete(connect_all(server.port, clients))
            rss_connected = rss_kib(server.pid)
            with HealthProbe(server.port) as probe:
                time.sleep(IDLE_SECONDS)  # the probe's measuring window
            for writer in writers:
                writer.close()
        finally:
            loop.close()
        per_client = (rss_connected - rss_before) / clients
    with capsys.disabled():
        print(
            f"\n[sse scale] {clients} idle streams, server RSS {rss_before} -> {rss_connected} KiB "
            f"({per_client:.1f} KiB per client), {probe.summary()} (warm-up {warm.summary()})"
        )
    assert not probe.errors, probe.errors[:3]
    assert probe.p99_ms() <= HEALTH_P99_MS, probe.summary()
    assert per_client <= 32, f"{per_client:.1f} KiB per idle stream (measured 22 KiB; target 20 KiB)"
