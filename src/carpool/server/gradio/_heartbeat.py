"""``GET /gradio_api/heartbeat/{session_hash}``: the keep-alive stream Gradio's front end opens.

Gradio's page (and ``@gradio/client`` when ``/config`` says ``connect_heartbeat: true``) holds this
stream open for the life of a tab: ``data: ALIVE`` at once and every 15 s. Gradio deletes the session's
State and runs ``unload`` listeners when it closes. carpool's ``/config`` says ``connect_heartbeat:
false``, because sessions here outlive their streams (State is kept per session hash and evicted by
the session store's bounds, not by a tab closing), so carpool's clients never open it; it is served so
that a client that opens it anyway gets Gradio's answer instead of a 404. Closing it changes nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from starlette.requests import Request

from carpool.server._api_stream import ServerSentEvents
from carpool.server._requests import session_hash
from carpool.server._state import server_state

__all__ = ["ALIVE", "heartbeat"]

ALIVE = b"data: ALIVE\n\n"


async def heartbeat(request: Request) -> ServerSentEvents:
    session_hash(request.path_params.get("session_hash"))  # a malformed one is a 400, as everywhere
    state = server_state(request)
    state.running_engine()  # a stopped server refuses
    return ServerSentEvents(_alive(state.stopped, state.settings.heartbeat_interval), lambda: None)


async def _alive(stopped: asyncio.Event, interval: float) -> AsyncIterator[bytes]:
    """ALIVE now and every ``interval`` seconds, until the server stops."""
    while not stopped.is_set():
        yield ALIVE
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stopped.wait(), timeout=interval)
