"""Fixtures shared by every suite that needs a real server."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from carpool.server import RunningServer, launch


def _serving() -> Iterator[Callable[..., RunningServer]]:
    """``serve(blocks, **launch_kwargs)``: uvicorn on 127.0.0.1 (a port from the OS) in a thread.

    SSE cannot be exercised in-process (httpx's ASGI transport buffers whole responses), so tests that
    stream talk to a live server over loopback. Every server started is closed at teardown.
    """
    servers: list[RunningServer] = []

    def start(blocks: Any, **launch_kwargs: Any) -> RunningServer:
        options = {"server_name": "127.0.0.1", "server_port": 0, "prevent_thread_lock": True, "quiet": True}
        server = launch(blocks, **{**options, **launch_kwargs})
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close(timeout=20)


serve = pytest.fixture(_serving, name="serve")
serve_per_module = pytest.fixture(_serving, name="serve_per_module", scope="module")
