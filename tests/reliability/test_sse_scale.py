"""Many idle event-stream clients on one server: all connected, /health stays fast, RSS per client measured;
and, in-process, what one idle stream holds (one task of its own) and that it still gets heartbeats,
buffered messages and reconnects.

The server runs in its own process (its RSS and latency are its own); the clients are raw asyncio
connections in this process. ``CARPOOL_SSE_CLIENTS`` sizes it (default 10,000, or as many as the open
file limit allows: each side needs one descriptor per client); ``CARPOOL_SSE_KIB_PER_CLIENT`` (default
20) bounds the server's RSS growth per idle stream.
"""

from __future__ import annotations

import asyncio
import os
import resource
import time

import pytest
from reliability_support import AsgiDriver, HealthProbe, ServerProcess, rss_kib
from served_apps import echo_app

from carpool.server import create_app

HEALTH_P99_MS = float(os.environ.get("CARPOOL_HEALTH_P99_MS", "100"))
# issue 6's target; measured 18.0 KiB on the 2-core CI box (22.1 before streams dropped a task)
KIB_PER_CLIENT = float(os.environ.get("CARPOOL_SSE_KIB_PER_CLIENT", "20"))
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
@pytest.mark.timeout(
    600
)  # ~20 s on an idle machine; opening 10,000 connections takes minutes on a loaded one
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
    assert per_client <= KIB_PER_CLIENT, f"{per_client:.1f} KiB per idle stream (target {KIB_PER_CLIENT})"


# -- what one idle stream costs, in-process ---------------------------------------------------------


async def test_an_idle_stream_holds_one_task_of_its_own_and_gets_heartbeats() -> None:
    driver = AsgiDriver(create_app(echo_app({}), heartbeat_interval=0.05))
    async with driver.running():
        before = len(asyncio.all_tasks())
        streams = [await driver.open_stream(f"idle-{i}") for i in range(20)]
        # each stream is the request's own task (the test's EventStream.task) plus one watching for
        # the client to leave: the writer has no task of its own
        assert len(asyncio.all_tasks()) - before == 2 * len(streams)
        for stream in streams:
            assert await stream.next() == {"msg": "heartbeat"}
        for stream in streams:
            await stream.disconnect()
        assert len(asyncio.all_tasks()) == before and len(driver.state.sessions) == 0


async def test_a_stream_reads_what_was_buffered_and_a_reconnect_replaces_it() -> None:
    driver = AsgiDriver(create_app(echo_app({})))
    async with driver.running():
        joined = (await driver.join("tab", "echo", ["before the stream"])).json()["event_id"]
        first = await driver.open_stream("tab")
        finals = await first.finals(1)
        assert finals[joined]["output"] == {"data": ["before the stream"]}
        second = await driver.open_stream("tab")  # the browser reconnected
        await asyncio.wait_for(first.task, 10)  # the old stream ends on its own
        joined = (await driver.join("tab", "echo", ["after"])).json()["event_id"]
        assert (await second.finals(1))[joined]["output"] == {"data": ["after"]}
        await second.disconnect()
        assert len(driver.state.sessions) == 0
