"""The queue protocol: ``POST /queue/join``, ``GET /queue/data`` (SSE), ``POST /queue/cancel``."""

from __future__ import annotations

import time
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from carpool.server._api_routes import endpoint_for
from carpool.server._deadline import CallerDeadline, caller_deadline, queue_timeout
from carpool.server._errors import HTTPError
from carpool.server._events import EventChannel, EventRelay
from carpool.server._processing import off_loop_if_files, preprocess
from carpool.server._requests import client_key, event_context, read_json, session_hash
from carpool.server._sessions import SessionChannel
from carpool.server._spec import Endpoint
from carpool.server._sse import EventStreamResponse
from carpool.server._state import ServerState, server_state

__all__ = ["cancel_event", "cancel_targets", "event_fields", "join_queue", "parse_join", "stream_session"]


def _optional(body: dict[str, Any], key: str, kind: type, expected: str) -> Any:
    """``body[key]`` if it is a ``kind`` (null counts as absent; true is no integer); else a 400."""
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise HTTPError(400, "bad_request", f'"{key}" must be {expected}.')
    return value


def _join_target(body: dict[str, Any]) -> str | int:
    api_name = _optional(body, "api_name", str, "a string")
    fn_index = _optional(body, "fn_index", int, "an integer")
    _optional(body, "trigger_id", int, "an integer or null")
    if api_name is not None:
        return str(api_name)
    if fn_index is not None:
        return int(fn_index)
    raise HTTPError(400, "bad_request", 'A join names its endpoint by "api_name" or "fn_index".')


def parse_join(body: Any) -> tuple[list[Any], str | int, str]:
    if not isinstance(body, dict):
        raise HTTPError(400, "bad_request", "The body must be a JSON object.")
    data = body.get("data", [])
    if not isinstance(data, list):
        raise HTTPError(400, "bad_request", '"data" must be a list with one value per input.')
    return data, _join_target(body), session_hash(body.get("session_hash"))


def event_fields(body: dict[str, Any]) -> dict[str, Any]:
    """What the page said about the trigger: its component and data (a like's index...: LikeData & co.)."""
    event_data = _optional(body, "event_data", dict, "an object or null")
    return {"trigger_id": body.get("trigger_id"), "event_data": event_data}


def cancel_targets(state: ServerState, channel: SessionChannel, dependency: Endpoint) -> None:
    """A dependency with ``cancels`` stops this session's unfinished events of those dependencies."""
    targets = {getattr(target, "index", target) for target in getattr(dependency, "cancels", None) or ()}
    if not targets or state.engine is None:
        return
    for event_id, pending in list(channel.pending.items()):
        if pending.index in targets:
            state.engine.cancel(event_id)


async def join_queue(request: Request) -> Response:
    received_at = time.monotonic()  # a caller's timeout counts from here
    state = server_state(request)
    state.running_engine()  # a stopped server refuses before the body is read
    body = await read_json(request, state.settings.max_json_body)
    data, target, session = parse_join(body)
    deadline = caller_deadline(request, body, received_at)
    dependency = endpoint_for(state, target)
    channel = state.running_sessions().channel(session, client_key(request))
    cancel_targets(state, channel, dependency)
    if dependency.listener_id is None:  # a cancel-only (or front-end only) dependency: nothing to run
        return JSONResponse({"event_id": None})
    inputs = await off_loop_if_files(
        dependency, preprocess, dependency, data, channel.state, state.files, session
    )
    event_id = submit_joined(request, state, channel, channel, dependency, inputs, session, body, deadline)
    return JSONResponse({"event_id": event_id})


def submit_joined(
    request: Request,
    state: ServerState,
    channel: SessionChannel,
    sink: EventChannel,
    dependency: Endpoint,
    inputs: list[Any],
    session: str,
    body: dict[str, Any],
    deadline: CallerDeadline | None,
) -> str:
    """Submit a joined event whose messages go to ``sink``; the session's channel holds it as pending
    until it ends (its ``cancels`` and the stream's close read that). Both protocols' joins end here."""
    assert dependency.listener_id is not None  # a dependency with nothing to run never joins
    engine = state.running_engine()
    relay = EventRelay(
        sink,
        dependency,
        loop=state.running_loop(),
        loop_thread=state.loop_thread,
        files=state.files,
        show_error=state.settings.show_error,
        cancel_event=engine.cancel,
    )
    context = {**event_context(request, session), **event_fields(body)}
    job = engine.submit(
        dependency.listener_id,
        inputs,
        session_id=session,
        context=context,
        timeout=queue_timeout(deadline),
        on_message=relay.on_message,
    )
    if not relay.finished:
        channel.pending[job.id] = dependency
    return job.id


async def stream_session(request: Request) -> Response:
    state = server_state(request)
    sessions = state.running_sessions()
    hash_ = session_hash(request.query_params.get("session_hash"))
    channel, generation = sessions.attach(hash_, client_key(request))
    return EventStreamResponse(sessions, channel, generation)  # type: ignore[return-value]


async def cancel_event(request: Request) -> Response:
    state = server_state(request)
    body = await read_json(request, state.settings.max_json_body)
    if not isinstance(body, dict) or not isinstance(body.get("event_id"), str):
        raise HTTPError(400, "bad_request", 'A cancel names "session_hash" and "event_id".')
    channel = state.running_sessions().get(session_hash(body.get("session_hash")))
    # Only the session that joined an event may cancel it: event ids are not capabilities.
    if channel is None or body["event_id"] not in channel.pending:
        return JSONResponse({"cancelled": False})
    return JSONResponse({"cancelled": bool(state.running_engine().cancel(body["event_id"]))})
