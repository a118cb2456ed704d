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
from starlette.types import ASGIApp

from carpool.core import Engine, Job
from carpool.exceptions import InvalidInputError
from carpool.server._api_stream import stream_call, wants_stream
from carpool.server._deadline import CallerDeadline, caller_deadline, queue_timeout
from carpool.server._errors import HTTPError, describe_error, error_response
from carpool.server._json import JSONAnswer, WireJSONResponse, answer_json
from carpool.server._processing import off_loop_if_files, postprocess, preprocess
from carpool.server._requests import read_json_body, scope_context
from carpool.server._spec import Endpoint, SessionValues
from carpool.server._state import ServerState, server_state

__all__ = ["answer_call", "call_endpoint", "endpoint_for"]

logger = logging.getLogger("carpool.server")

CLIENT_CLOSED_REQUEST = 499  # nginx's name for it: nobody reads this response


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


async def call_endpoint(request: Request) -> Response | ASGIApp:
    """The ``/api/{api_name:path}`` route (for the requests the fast lane in ``_api_fast`` leaves)."""
    answer = await answer_call(server_state(request), request, request.path_params["api_name"])
    return JSONAnswer.of_body(answer) if isinstance(answer, bytes) else answer


async def answer_call(state: ServerState, request: Request, api_name: str) -> bytes | ASGIApp:
    """The answer to one API call: the JSON body of a 200 (nearly every call), else an ASGI response.

    The body comes back as bytes so the caller sends it as cheaply as it can (the fast lane: two raw
    ASGI messages). Errors are raised, for the caller to answer with ``error_response``.
    """
    received_at = time.monotonic()  # a caller's timeout counts from here
    engine = state.running_engine()
    # The endpoint first: a body sent to an unknown one is never read.
    endpoint = state.api_endpoints.get(state.blocks, api_name)
    listener_id = endpoint.listener_id
    if listener_id is None:
        raise HTTPError(404, "unknown_endpoint", "This endpoint has no function to call.")
    scope = request.scope
    body = await read_json_body(scope, request.receive, state.settings.max_json_body)
    data, batched = _parse_call(body)
    deadline = caller_deadline(request, body, received_at)
    session = state.new_session_state()
    context = scope_context(scope, None)
    dependency = endpoint.dependency
    if wants_stream(request, body):
        if batched:
            raise HTTPError(400, "bad_request", 'A streamed call sends one sample: drop "batched".')
        return await stream_call(state, engine, dependency, data, session, context, deadline)
    if batched:
        return await _call_batch(request, state, engine, dependency, data, session, context, deadline)
    # Written out rather than through off_loop_if_files: a coroutine less per conversion, on the
    # hottest path there is.
    files = state.files if endpoint.file_store else None
    if endpoint.off_loop:
        inputs = await asyncio.to_thread(preprocess, dependency, data, session, files)
    else:
        inputs = preprocess(dependency, data, session, files)
    job = engine.submit(listener_id, inputs, context=context, timeout=queue_timeout(deadline))
    watched = (job,)
    state.disconnects.add(request.receive, watched)
    failure: Exception | None = None
    try:
        outcome = await job.result()
    except Exception as error:  # the event's own failure (or the cancellation after the client left)
        failure = error
    except BaseException:
        state.disconnects.discard(watched)
        raise
    if state.disconnects.discard(watched):
        return Response(status_code=CLIENT_CLOSED_REQUEST)
    if failure is not None:
        raise failure
    if endpoint.off_loop:
        output = await asyncio.to_thread(postprocess, dependency, outcome, session, files)
    else:
        output = postprocess(dependency, outcome, session, files)
    return answer_json(output)


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
    outcomes = await _await_unless_disconnected(state, request, jobs)
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


async def _await_unless_disconnected(
    state: ServerState, request: Request, jobs: Sequence[Job]
) -> list[Any] | None:
    """Every job's result or exception, in order; None (and the jobs cancelled) if the client left."""
    watched = tuple(jobs)
    state.disconnects.add(request.receive, watched)
    try:
        outcomes = await asyncio.gather(*(_outcome(job) for job in watched))
    finally:
        left = state.disconnects.discard(watched)
    return None if left else outcomes


async def _outcome(job: Job) -> Any:
    try:
        return await job.result()
    except Exception as error:
        return error
