"""Real servers for integration tests: uvicorn on 127.0.0.1, a port from the OS, in a thread.

SSE cannot be exercised in-process (httpx's ASGI transport buffers whole responses), so every test talks
to a live server over loopback. ``serve(blocks, **launch_kwargs)`` starts one; all stop at teardown.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=30) as client:
        yield client
