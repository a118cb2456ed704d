"""Real servers for integration tests: uvicorn on 127.0.0.1, a port from the OS, in a thread.

SSE cannot be exercised in-process (httpx's ASGI transport buffers whole responses), so every test talks
to a live server over loopback. ``serve(blocks, **launch_kwargs)`` starts one; all stop at teardown.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from carpool.server import RunningServer, launch


@pytest.fixture
def serve() -> Iterator[Callable[..., RunningServer]]:
    servers: list[RunningServer] = []

    def start(blocks: Any, **launch_kwargs: Any) -> RunningServer:
        options = {"server_name": "127.0.0.1", "server_port": 0, "prevent_thread_lock": True, "quiet": True}
        server = launch(blocks, **{**options, **launch_kwargs})
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close(timeout=20)


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=30) as client:
        yield client
