"""Gradio's queue and REST call routes, onto the engine calls carpool's own queue routes make.

``POST /gradio_api/queue/join`` and ``POST /gradio_api/call/{api_name}`` queue one event exactly as
``POST /queue/join`` does -- ``engine.submit`` with the same preprocessing, session state, request
context and relay -- so a Gradio client's request waits in the same queue and rides in the same
batches as everyone's. Only the values (``_values``) and messages (``_messages``) are translated.
"""

from __future__ import annotations

import secrets
import time
from collections import OrderedDict
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from carpool.server._api_routes import endpoint_for
from carpool.server._deadline import caller_deadline
from carpool.server._errors import HTTPError
from carpool.server._processing import off_loop_if_files, preprocess
from carpool.server._queue_routes import cancel_targets, parse_join, submit_joined
from carpool.server._requests import client_key, read_json, session_hash
from carpool.server._spec import Endpoint
from carpool.server._state import ServerState, server_state
from carpool.server.gradio._chat import keep_history, with_history
from carpool.server.gradio._info import API_PREFIX
from carpool.server.gradio._messages import GradioEventSink
from carpool.server.gradio._stream import CallStream, GradioSessionStream
from carpool.server.gradio._values import from_gradio

__all__ = ["api_root", "call", "cancel", "join", "queue_data", "reset"]

MAX_OPEN_CALLS = 10_000  # REST calls whose stream nobody fetched yet (each also expires with its session)


def api_root(request: Request) -> str:
    """``http://host[/root]/gradio_api/``: where this request's client finds Gradio's routes."""
    return f"{request.base_url}{API_PREFIX.strip('/')}/"


async def _submit(
    request: Request,
    state: ServerState,
    dependency: Endpoint,
    data: list[Any],
    session: str,
    body: dict[str, Any],
    *,
    diffs: bool,
) -> str | None:
    """Queue one event of ``session`` for a Gradio client; its event id (None: nothing to run).

    A Gradio client can bound the event's wait in the queue as carpool's can: the ``X-Carpool-Timeout``
    header (``Client(url, headers=...)``) or ``"timeout"`` in the body (docs/protocol.md).
    """
    received_at = time.monotonic()
    deadline = caller_deadline(request, body, received_at)
    state.running_engine()  # a stopped server refuses
    sessions = state.running_sessions()
    client = client_key(request)
    channel = sessions.channel(session, client)
    cancel_targets(state, channel, dependency)
    if dependency.listener_id is None:
        return None
    data = with_history(dependency, from_gradio(data), channel.state)
    inputs = await off_loop_if_files(
        dependency, preprocess, dependency, data, channel.state, state.files, session
    )
    # Gradio's session stream closes once nothing is pending; it may have done so (and the channel
    # gone) while the inputs converted. Fetched again, the session is open for this event's messages.
    channel = sessions.channel(session, client)
    values = channel.state
    sink = GradioEventSink(
        channel,
        api_root(request),
        diffs=diffs,
        client_cancels=_client_cancels(state),
        on_output=lambda output: keep_history(dependency, values, output),
    )
    return submit_joined(request, state, channel, sink, dependency, inputs, session, body, deadline)


async def join(request: Request) -> Response:
    """``POST /gradio_api/queue/join``: ``{data, fn_index | api_name, session_hash}`` -> ``{event_id}``."""
    state = server_state(request)
    state.running_engine()  # a stopped server refuses before reading the body
    body = await read_json(request, state.settings.max_json_body)
    data, target, session = parse_join(body)
    dependency = endpoint_for(state, target)
    event_id = await _submit(request, state, dependency, data, session, body, diffs=True)
    return JSONResponse({"event_id": event_id})


async def queue_data(request: Request) -> Any:
    """``GET /gradio_api/queue/data?session_hash=``: the session's messages until none is pending."""
    state = server_state(request)
    sessions = state.running_sessions()
    hash_ = session_hash(request.query_params.get("session_hash"))
    if sessions.get(hash_) is None:  # as Gradio: a stream is for a session that joined an event
        raise HTTPError(404, "not_found", "No such session: join an event first.")
    channel, generation = sessions.attach(hash_, client_key(request))
    return GradioSessionStream(sessions, channel, generation)


async def cancel(request: Request) -> Response:
    """``POST /gradio_api/cancel``: ``{session_hash, event_id}``; only the joining session may cancel."""
    state = server_state(request)
    body = await read_json(request, state.settings.max_json_body)
    if not isinstance(body, dict) or not isinstance(body.get("event_id"), str):
        raise HTTPError(400, "bad_request", 'A cancel names "session_hash" and "event_id".')
    channel = state.running_sessions().get(session_hash(body.get("session_hash")))
    event_id = body["event_id"]
    if channel is not None and event_id in channel.pending:
        cancels = _client_cancels(state)
        cancels.add(event_id)
        if not state.running_engine().cancel(event_id):  # it ended meanwhile: nothing to hide
            cancels.discard(event_id)
    return JSONResponse({"success": True})


async def reset(request: Request) -> Response:
    """``POST /gradio_api/reset``: Gradio's clients send it after a cancel; ``/cancel`` did the work."""
    await read_json(request, server_state(request).settings.max_json_body)
    return JSONResponse({"success": True})


def _client_cancels(state: ServerState) -> set[str]:
    """Events whose own client cancelled them, until their end is reported (see CANCELLED_BY_CLIENT)."""
    cancels: set[str] = state.extra.setdefault("gradio_client_cancels", set())
    return cancels


def _open_calls(state: ServerState) -> OrderedDict[str, str]:
    calls: OrderedDict[str, str] = state.extra.setdefault("gradio_calls", OrderedDict())
    return calls


async def call(request: Request) -> Any:
    """``POST /gradio_api/call/{api_name}`` queues a call; ``GET .../{api_name}/{event_id}`` streams it.

    One route for both, like ``/api/{api_name:path}``: whatever follows ``call/`` is looked up, so a
    path that names no endpoint or call is a 404 for either method, never a method error.
    """
    target = request.path_params["target"]
    if request.method == "POST":
        return await _call_join(request, target)
    _, _, event_id = target.rpartition("/")
    return await _call_events(request, event_id)


async def _call_join(request: Request, api_name: str) -> Response:
    """``{"data": [...]}`` -> ``{event_id}``: one event in a session of its own."""
    state = server_state(request)
    dependency = endpoint_for(state, api_name)  # before the body is read
    if dependency.listener_id is None:
        raise HTTPError(404, "unknown_endpoint", "This endpoint has no function to call.")
    body = await read_json(request, state.settings.max_json_body)
    if not isinstance(body, dict) or not isinstance(body.get("data", []), list):
        raise HTTPError(400, "bad_request", 'The body must be a JSON object with a "data" list.')
    session = "call-" + secrets.token_urlsafe(16)
    event_id = await _submit(request, state, dependency, body.get("data", []), session, body, diffs=False)
    assert event_id is not None  # the dependency has a function
    calls = _open_calls(state)
    calls[event_id] = session
    while len(calls) > MAX_OPEN_CALLS:
        calls.popitem(last=False)
    return JSONResponse({"event_id": event_id})


async def _call_events(request: Request, event_id: str) -> Any:
    """The call's outputs as named server-sent events (``generating``, ``complete`` or ``error``)."""
    state = server_state(request)
    sessions = state.running_sessions()
    calls = _open_calls(state)
    session = calls.get(event_id)
    if session is None or sessions.get(session) is None:
        raise HTTPError(404, "not_found", "No such call: POST /gradio_api/call/{api_name} first.")
    channel, generation = sessions.attach(session, client_key(request))
    return CallStream(sessions, channel, generation, event_id, on_end=lambda: calls.pop(event_id, None))
