"""``POST /api/{api_name}``: call an endpoint and wait for its answer, through the queue.

A single sample is one event like a browser's, so API callers are batched together with everyone else.
Asked to stream (``Accept: text/event-stream`` or ``"stream": true``), the answer is server-sent events
(``_api_stream``).
``"batched": true`` sends one list per input and runs those samples as ONE batch (others may fill it).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from carpool.core import Engine, Job
from carpool.exceptions import InvalidInputError
from carpool.server._api_stream import ServerSentEvents, stream_call, wants_stream
from carpool.server._deadline import CallerDeadline, caller_deadline, queue_timeout
from carpool.server._errors import HTTPError, describe_error, error_response
from carpool.server._json import JSONAnswer, WireJSONResponse
from carpool.server._processing import off_loop_if_files, postprocess, preprocess
from carpool.server._requests import event_context, read_json
from carpool.server._spec import Endpoint, SessionValues
from carpool.server._state import ServerState, server_state

__all__ = ["call_endpoint", "endpoint_for"]

logger = logging.getLogger("carpool.server")

CLIENT_CLOSED_REQUEST = 499  # nginx's name for it: nobody reads this response
WATCH_DISCONNECT_AFTER = 0.2  # seconds


def endpoint_for(state: ServerState, target: str | int) -> Endpoint:
    """The dependency an API name (leading "/" allowed) or fn index names; UnknownEndpointError if none."""
    if isinstance(target, str):
        target = target.lstrip("/")
    endpoint: Endpoint = state.blocks.endpoint(target)
    return endpoint


def _parse_call(body: Any) -> tuple[list[Any], bool]:
    if not isinstance(body, dict) or not isinstance(body.get("data"), list):
        raise HTTPError(400, "bad_request", 'The body must be a JSON object with a "data" list.')
    batched = body.get("batched", False)
    if not isinstance(batched, bool):
        raise HTTPError(400, "bad_request", '"batched" must be true or false.')
    return body["data"], batched


async def call_endpoint(request: Request) -> Response | ServerSentEvents:
    received_at = time.monotonic()  # a caller's timeout counts from here
    state = server_state(request)
    engine = state.running_engine()
    # The endpoint first: a body sent to an unknown one is never read.
    dependency = endpoint_for(state, request.path_params["api_name"])
    if dependency.listener_id is None:
        raise HTTPError(404, "unknown_endpoint", "This endpoint has no function to call.")
    body = await read_json(request, state.settings.max_json_body)
    data, batched = _parse_call(body)
    deadline = caller_deadline(request, body, received_at)
    session = state.new_session_state()
    context = event_context(request, None)
    if wants_stream(request, body):
        if batched:
            raise HTTPError(400, "bad_request", 'A streamed call sends one sample: drop "batched".')
        return await stream_call(state, engine, dependency, data, session, context, deadline)
    if batched:
        return await _call_batch(request, state, engine, dependency, data, session, context, deadline)
    inputs = await off_loop_if_files(dependency, preprocess, dependency, data, session, state.files)
    job = engine.submit(dependency.listener_id, inputs, context=context, timeout=queue_timeout(deadline))
    outcome = await _await_unless_disconnected(request, [job])
    if outcome is None:
        return Response(status_code=CLIENT_CLOSED_REQUEST)
    if isinstance(outcome[0], BaseException):
        raise outcome[0]
    output = await off_loop_if_files(dependency, postprocess, dependency, outcome[0], session, state.files)
    return JSONAnswer({"data": output})


def _samples(data: list[Any], dependency: Endpoint) -> list[list[Any]]:
    """One list per input, each of length n -> n samples of one value per input."""
    if not data or not all(isinstance(column, list) for column in data):
        raise HTTPError(400, "bad_request", 'A batched call sends "data" as one list per input.')
    sizes = {len(column) for column in data}
    if len(sizes) != 1:
        raise InvalidInputError("every input needs the same number of samples", parameter=None)
    size = sizes.pop()
    if size == 0:
        raise InvalidInputError("a batched call needs at least one sample", parameter=None)
    if size > dependency.max_batch_size:
        message = f"{size} samples is more than this endpoint's max_batch_size ({dependency.max_batch_size})."
        raise HTTPError(413, "too_large", message)
    return [[column[i] for column in data] for i in range(size)]


def _preprocess_samples(
    state: ServerState, dependency: Endpoint, samples: list[list[Any]], session: SessionValues
) -> list[list[Any]]:
    prepared = []
    for index, sample in enumerate(samples):
        try:
            prepared.append(preprocess(dependency, sample, session, state.files))
        except InvalidInputError as error:
            raise InvalidInputError(f"sample {index}: {error.message}", parameter=error.parameter) from None
    return prepared


async def _call_batch(
    request: Request,
    state: ServerState,
    engine: Engine,
    dependency: Endpoint,
    data: list[Any],
    session: SessionValues,
    context: dict[str, Any],
    deadline: CallerDeadline | None,
) -> Response:
    # Media conversion of a whole batch runs in one worker thread, off the event loop.
    samples = await off_loop_if_files(
        dependency, _preprocess_samples, state, dependency, _samples(data, dependency), session
    )
    listener_id = dependency.listener_id
    assert listener_id is not None  # call_endpoint answered 404 for a dependency without a function
    timeout = queue_timeout(deadline)
    if dependency.batch:
        jobs = engine.submit_batch(listener_id, samples, context=context, timeout=timeout)
    else:  # an unbatched function still answers a batched call: one event per sample
        jobs = [engine.submit(listener_id, sample, context=context, timeout=timeout) for sample in samples]
    outcomes = await _await_unless_disconnected(request, jobs)
    if outcomes is None:
        return Response(status_code=CLIENT_CLOSED_REQUEST)
    return await off_loop_if_files(dependency, _batch_response, state, dependency, outcomes, session)


def _batch_response(
    state: ServerState, dependency: Endpoint, outcomes: list[Any], session: SessionValues
) -> Response:
    outputs: list[list[Any] | None] = []
    errors: list[BaseException | None] = []
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            outputs.append(None)
            errors.append(outcome)
            continue
        try:
            outputs.append(postprocess(dependency, outcome, session, state.files))
            errors.append(None)
        except Exception as error:
            outputs.append(None)
            errors.append(error)
    failures = [error for error in errors if error is not None]
    if failures and len(failures) == len(errors):  # nothing succeeded: answer like a single call would
        return error_response(failures[0], show_error=state.settings.show_error)
    n_outputs = max(len(sample) for sample in outputs if sample is not None)
    columns = [[sample[j] if sample is not None else None for sample in outputs] for j in range(n_outputs)]
    body: dict[str, Any] = {"data": columns}
    if failures:
        show = state.settings.show_error
        body["errors"] = [None if e is None else describe_error(e, show_error=show).body for e in errors]
    return WireJSONResponse(body)


async def _await_unless_disconnected(request: Request, jobs: Sequence[Job]) -> list[Any] | None:
    """Every job's result or exception, in order; None (and the jobs cancelled) if the client left.

    Watching for a disconnect costs a task per request, which is a real share of a fast request's
    cost; so the watch starts only once the answer has taken longer than ``WATCH_DISCONNECT_AFTER``.
    """
    left: list[bool] = []  # appended to by the watcher when the client disconnected
    watcher: asyncio.Task[None] | None = None

    def start_watching() -> None:
        nonlocal watcher
        watcher = asyncio.ensure_future(_cancel_on_disconnect(request, jobs, left))

    timer = asyncio.get_running_loop().call_later(WATCH_DISCONNECT_AFTER, start_watching)
    try:
        if len(jobs) == 1:  # the common case: no extra task at all
            outcomes = [await _outcome(jobs[0])]
        else:
            outcomes = await asyncio.gather(*(_outcome(job) for job in jobs))
    finally:
        timer.cancel()
        if watcher is not None:
            watcher.cancel()
    return None if left else outcomes


async def _outcome(job: Job) -> Any:
    try:
        return await job.result()
    except Exception as error:
        return error


async def _cancel_on_disconnect(request: Request, jobs: Sequence[Job], left: list[bool]) -> None:
    while (await request.receive())["type"] != "http.disconnect":
        pass
    left.append(True)
    for job in jobs:  # nobody will read the answer: do not spend the model on it
        job.cancel()
