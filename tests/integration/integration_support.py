"""Helpers for integration tests: gates instead of sleeps, and a window into the server's engine."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from carpool.server import RunningServer


class Gate:
    """A function's way to report it started, and the test's way to let it finish: no sleeps."""

    def __init__(self) -> None:
        self.started = threading.Event()
        self.release = threading.Event()

    def enter(self, timeout: float = 20) -> None:
        self.started.set()
        assert self.release.wait(timeout), "the test never opened the gate"


def on_server_loop(server: RunningServer, coroutine: Any, timeout: float = 10) -> Any:
    """Run ``coroutine`` on the server's event loop (where the engine lives) and wait for it."""
    return asyncio.run_coroutine_threadsafe(coroutine, server.app.state.carpool.loop).result(timeout)


def engine_job(server: RunningServer, event_id: str) -> Any:
    """The engine's Job of an unfinished event (the engine forgets finished ones: keep the object)."""

    async def get() -> Any:
        return server.app.state.carpool.engine.get_job(event_id)

    return on_server_loop(server, get())


def wait_until_final(server: RunningServer, job: Any, timeout: float = 10) -> None:
    """Block until the engine Job's final message (completed, failed or cancelled) was emitted."""

    async def wait() -> None:
        async for _ in job.messages():
            pass

    on_server_loop(server, wait(), timeout)


def assert_partials_of(got: list[Any], every: list[Any]) -> None:
    """``got`` is what a reader saw of partials ``every``: in order, ending with the last one. A reader
    slower than the function may skip partials a newer one replaced (docs/protocol.md), so on a busy
    machine some of the middle ones can be missing; none may repeat, come out of order or be made up."""
    assert got and got[-1] == every[-1], got
    positions = [every.index(partial) for partial in got]  # ValueError: a partial that was never made
    assert positions == sorted(set(positions)), got
