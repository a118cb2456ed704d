"""``POST /api/{name}`` asked to stream: the event's partial outputs as server-sent events.

A caller asks with ``Accept: text/event-stream`` or ``"stream": true`` in the body. The event goes
through the queue like any other (it is batched with everyone's), and the answer is a stream of
``event: generating`` (each partial output), then ``event: complete`` (the final output) or ``event:
error`` (the same ``{"error": {...}}`` body the JSON answer would carry). Errors found before the event
is queued (a bad body, an input its component rejects, a full queue) are still plain JSON 4xx/5xx
answers: the stream has not started, so the status code can say it.

Kept out of ``_api_routes`` so the non-streaming call (the hot path) pays one dict lookup and one
header scan for this feature and nothing else. :class:`ServerSentEvents` is also what the
OpenAI-compatible streaming answer is written with.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.types import Receive, Scope, Send

from carpool.core import Cancelled, Completed, Engine, Failed, Generating, Job
from carpool.exceptions import EventCancelledError
from carpool.protocol import encode_json
from carpool.server._deadline import CallerDeadline, queue_timeout
from carpool.server._errors import HTTPError, describe_error
from carpool.server._processing import off_loop_if_files, postprocess, preprocess
from carpool.server._spec import Endpoint, SessionValues
from carpool.server._sse import HEADERS
from carpool.server._state import ServerState

__all__ = [
    "JobOutput",
    "ServerSentEvents",
    "job_outputs",
    "sse_event",
    "stream_call",
    "wants_stream",
]

HEARTBEAT_SECONDS = 15.0  # a comment line this often keeps proxies from closing an idle stream
_EVENT_STREAM = b"text/event-stream"


def wants_stream(request: Request, body: dict[str, Any]) -> bool:
    """``"stream": true`` in the body, else an ``Accept`` header naming ``text/event-stream``."""
    if "stream" in body:
        stream = body["stream"]
        if not isinstance(stream, bool):
            raise HTTPError(400, "bad_request", '"stream" must be true or false.')
        return stream
    # Raw ASGI headers: building Starlette's Headers for one lookup is a real share of a fast call.
    for name, value in request.scope["headers"]:
        if name == b"accept":
            return _EVENT_STREAM in value.lower()
    return False


def sse_event(event: str, payload: Any) -> bytes:
    """One named server-sent event whose data is ``payload`` as compact JSON."""
    return f"event: {event}\ndata: ".encode() + encode_json(payload) + b"\n\n"


@dataclass(frozen=True, slots=True)
class JobOutput:
    """One output of an event in wire form: a partial one (``final=False``) or its last one."""

    data: list[Any]
    final: bool


async def job_outputs(
    job: Job, dependency: Endpoint, state: ServerState, session: SessionValues
) -> AsyncIterator[JobOutput]:
    """The event's outputs as they come, in wire form; raises its error (or EventCancelledError).

    A reader that falls behind skips partial outputs a newer one replaced (``Job.messages``): a slow
    client gets the latest text, never an ever-growing backlog.
    """
    async for message in job.messages():
        if isinstance(message, Generating | Completed):
            try:
                data = await off_loop_if_files(
                    dependency, postprocess, dependency, message.output, session, state.files
                )
            except Exception:
                job.cancel()  # an output its components cannot show ends the event
                raise
            yield JobOutput(data, final=isinstance(message, Completed))
        elif isinstance(message, Failed):
            raise message.error
        elif isinstance(message, Cancelled):
            raise EventCancelledError(message.reason)


class ServerSentEvents:
    """ASGI response writing ``chunks`` as they come, with a heartbeat comment while none is ready.

    When the client disconnects, ``on_leave`` runs (cancel the event: nobody reads its answer) and the
    writing stops. Written as a bare ASGI callable, like the session stream, because it must notice the
    client leaving while it waits for the function.
    """

    def __init__(
        self,
        chunks: AsyncIterator[bytes],
        on_leave: Callable[[], object],
        *,
        heartbeat: float = HEARTBEAT_SECONDS,
    ) -> None:
        self._chunks = chunks
        self._on_leave = on_leave
        self._heartbeat = heartbeat

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
        left = asyncio.ensure_future(_disconnected(receive))
        try:
            if await self._write(send, left):
                await send({"type": "http.response.body", "body": b"", "more_body": False})
            else:
                self._on_leave()
        except OSError:  # the connection broke while writing: the client left
            self._on_leave()
        finally:
            left.cancel()
            with contextlib.suppress(asyncio.CancelledError, OSError):
                await left
            aclose = getattr(self._chunks, "aclose", None)
            if aclose is not None:
                await aclose()

    async def _write(self, send: Send, left: asyncio.Future[None]) -> bool:
        """Write every chunk; False if the client left first."""
        body = {"type": "http.response.body", "more_body": True}
        await send({**body, "body": b": carpool\n\n"})  # the stream is open before any output exists
        pending = asyncio.ensure_future(_next_chunk(self._chunks))
        try:
            while True:
                waiting: set[asyncio.Future[Any]] = {pending, left}
                done, _ = await asyncio.wait(
                    waiting, timeout=self._heartbeat, return_when=asyncio.FIRST_COMPLETED
                )
                if left in done:
                    return False
                if not done:
                    await send({**body, "body": b": heartbeat\n\n"})
                    continue
                chunk = pending.result()
                if chunk is None:
                    return True
                await send({**body, "body": chunk})
                pending = asyncio.ensure_future(_next_chunk(self._chunks))
        finally:
            if not pending.done():
                pending.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await pending


async def _next_chunk(chunks: AsyncIterator[bytes]) -> bytes | None:
    try:
        return await anext(chunks)
    except StopAsyncIteration:
        return None


async def _disconnected(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


async def stream_call(
    state: ServerState,
    engine: Engine,
    dependency: Endpoint,
    data: list[Any],
    session: SessionValues,
    context: dict[str, Any],
    deadline: CallerDeadline | None = None,
) -> ServerSentEvents:
    """Queue one sample and answer with its outputs as server-sent events."""
    listener_id = dependency.listener_id
    assert listener_id is not None  # call_endpoint answered 404 for a dependency without a function
    inputs = await off_loop_if_files(dependency, preprocess, dependency, data, session, state.files)
    job = engine.submit(listener_id, inputs, context=context, timeout=queue_timeout(deadline))
    return ServerSentEvents(_api_events(job, dependency, state, session), job.cancel)


async def _api_events(
    job: Job, dependency: Endpoint, state: ServerState, session: SessionValues
) -> AsyncIterator[bytes]:
    try:
        async for output in job_outputs(job, dependency, state, session):
            yield sse_event("complete" if output.final else "generating", {"data": output.data})
    except Exception as error:
        info = describe_error(error, show_error=state.settings.show_error)
        yield sse_event("error", {"error": dict(info.body)})
