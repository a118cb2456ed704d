"""``POST /queue/unload``: the page is going away (closed, reloaded, navigated off).

The page sends ``{"session_hash"}`` with ``navigator.sendBeacon`` when it is hidden for good
(``pagehide``). The server then runs the app's ``demo.unload(fn)`` listeners for that session (queued
like any event, their result read by nobody), calls each ``State(delete_callback=...)`` with the value
the session held, and forgets the session's State values. A reload starts a new session, as in Gradio.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from carpool.app import SessionState
from carpool.server._errors import HTTPError
from carpool.server._processing import preprocess
from carpool.server._requests import event_context, read_json, session_hash
from carpool.server._state import ServerState, server_state

__all__ = ["SESSION_VALUES", "unload_session"]

logger = logging.getLogger("carpool.server")

SESSION_VALUES = "session_values"  # ServerState.extra key: the app's SessionStore (set at start)


async def unload_session(request: Request) -> Response:
    state = server_state(request)
    body = await read_json(request, state.settings.max_json_body)
    if not isinstance(body, dict):
        raise HTTPError(400, "bad_request", 'An unload names the page\'s "session_hash".')
    session = session_hash(body.get("session_hash"))
    _run_unload_listeners(state, request, session)
    await _delete_states(state, session)
    return Response(status_code=204)


def _run_unload_listeners(state: ServerState, request: Request, session: str) -> None:
    engine = state.running_engine()
    for dependency in state.blocks.dependencies:
        # Endpoint (the app<->server contract) says nothing of triggers: read them where they are.
        if (0, "unload") not in getattr(dependency, "targets", ()) or dependency.listener_id is None:
            continue
        inputs = preprocess(dependency, [], SessionState(), state.files, session)
        context = event_context(request, session)
        engine.submit(dependency.listener_id, inputs, session_id=session, context=context)


async def _delete_states(state: ServerState, session: str) -> None:
    store: Any = state.extra.get(SESSION_VALUES)
    if store is None or session not in store:
        return
    values = store.get(session)
    held = [
        (block, values.get(block))
        for block in getattr(state.blocks, "blocks", {}).values()
        if getattr(block, "delete_callback", None) is not None and block in values
    ]
    store.discard(session)
    for block, value in held:
        try:
            await asyncio.to_thread(block.delete_callback, value)
        except Exception:  # the app's callback: log it, the other callbacks still run
            logger.exception("delete_callback of %r failed", block)
