"""An OpenAI-compatible chat API onto the same engine: ``POST /v1/chat/completions``, ``GET /v1/models``.

Every listener marked ``chat=True`` is a model whose id is its ``api_name``. A completion request is
translated into one event of that listener -- ``[last user message, the messages before it, *each
additional input's current value]`` -- and submitted like a browser's, so it waits in the same queue and
rides in the same batches. Sampling options (``max_tokens``, ``temperature``, ...) travel in the event's
context; the function receives those it declares as parameters (``Dependency.chat_options``).

Replies: a generator's partials are the reply so far (cumulative text, as a chat UI shows it); the
stream sends what each one adds as a ``chat.completion.chunk`` delta. Errors use OpenAI's shape,
``{"error": {"message", "type", "param", "code"}}``, with carpool's error type as ``code``.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from carpool.core import Cancelled, Completed, Failed, Generating, Job
from carpool.exceptions import EventCancelledError
from carpool.protocol import encode_sse
from carpool.server._api_stream import ServerSentEvents
from carpool.server._errors import describe_error
from carpool.server._json import WireJSONResponse
from carpool.server._requests import event_context, read_json
from carpool.server._state import ServerState, server_state

__all__ = ["ChatRequest", "OpenAIError", "parse_chat_request", "reply_text", "routes"]

KNOWN_FIELDS = frozenset(
    {
        "model",
        "messages",
        "stream",
        "stream_options",
        "n",
        "max_tokens",
        "max_completion_tokens",
        "temperature",
        "top_p",
        "stop",
        "seed",
        "user",
    }
)
ROLES = frozenset({"system", "developer", "user", "assistant"})
MESSAGE_FIELDS = frozenset({"role", "content", "name"})
MAX_STOP_SEQUENCES = 4


class OpenAIError(Exception):
    """A request this API refuses, answered in OpenAI's error shape."""

    def __init__(
        self, status: int, message: str, *, param: str | None = None, code: str | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.param = param
        self.code = code

    @property
    def type(self) -> str:
        return _error_type(self.status)

    def body(self) -> dict[str, Any]:
        record = {"message": self.message, "type": self.type, "param": self.param, "code": self.code}
        return {"error": record}


def _error_type(status: int) -> str:
    if status == 401:
        return "authentication_error"
    if status == 429:
        return "rate_limit_error"
    return "invalid_request_error" if status < 500 else "server_error"


def _as_openai_error(error: BaseException, show_error: bool) -> OpenAIError:
    if isinstance(error, OpenAIError):
        return error
    info = describe_error(error, show_error=show_error)
    return OpenAIError(
        info.status, info.body["message"], param=info.body["parameter"], code=info.body["type"]
    )


# -- the request ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChatRequest:
    model: str
    message: str  # the last user message
    history: list[dict[str, str]]  # every message before it, {"role", "content"}
    stream: bool = False
    include_usage: bool = False
    options: dict[str, Any] = field(default_factory=dict)  # max_tokens, temperature, ...


def parse_chat_request(body: Any) -> ChatRequest:
    """The request, checked field by field; OpenAIError (400) naming the first bad one."""
    if not isinstance(body, dict):
        raise OpenAIError(400, "The request body must be a JSON object.")
    unknown = sorted(set(body) - KNOWN_FIELDS)
    if unknown:
        raise OpenAIError(400, f"Unrecognized request argument: {unknown[0]}.", param=unknown[0])
    model = body.get("model")
    if not isinstance(model, str) or not model:
        raise OpenAIError(400, "'model' is required and must be a string.", param="model")
    message, history = _conversation(body.get("messages"))
    n = body.get("n", 1)
    if n is not None and (not _is_int(n) or n != 1):
        raise OpenAIError(400, "Only n=1 is supported: one completion per request.", param="n")
    stream = _optional(body, "stream", bool, False)
    return ChatRequest(
        model=model,
        message=message,
        history=history,
        stream=stream,
        include_usage=_include_usage(body.get("stream_options"), stream),
        options=_sampling_options(body),
    )


def _conversation(messages: Any) -> tuple[str, list[dict[str, str]]]:
    if not isinstance(messages, list) or not messages:
        raise OpenAIError(400, "'messages' must be a non-empty list of messages.", param="messages")
    turns = [_message(index, item) for index, item in enumerate(messages)]
    last_role, last_text = turns[-1]["role"], turns[-1]["content"]
    if last_role != "user":
        where = f"messages[{len(turns) - 1}].role"
        raise OpenAIError(400, f"The last message must be the user's, not '{last_role}'.", param=where)
    return last_text, turns[:-1]


def _message(index: int, item: Any) -> dict[str, str]:
    where = f"messages[{index}]"
    if not isinstance(item, dict):
        raise OpenAIError(400, f"{where} must be an object with 'role' and 'content'.", param=where)
    extra = sorted(set(item) - MESSAGE_FIELDS)
    if extra:
        raise OpenAIError(400, f"{where}.{extra[0]} is not supported.", param=f"{where}.{extra[0]}")
    role = item.get("role")
    if role not in ROLES:
        allowed = ", ".join(sorted(ROLES))
        raise OpenAIError(400, f"{where}.role must be one of {allowed}; got {role!r}.", param=f"{where}.role")
    # "developer" is OpenAI's newer name for the system message.
    return {"role": "system" if role == "developer" else role, "content": _text(item.get("content"), where)}


def _text(content: Any, where: str) -> str:
    """A message's content: a string, or a list of ``{"type": "text", "text": str}`` parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, list) and content:
        texts = []
        for part in content:
            if not (
                isinstance(part, dict) and part.get("type") == "text" and isinstance(part.get("text"), str)
            ):
                raise OpenAIError(
                    400,
                    f"{where}.content: only text parts are supported ({{'type': 'text', 'text': str}}).",
                    param=f"{where}.content",
                )
            texts.append(part["text"])
        return "".join(texts)
    raise OpenAIError(
        400, f"{where}.content must be a string or a list of text parts.", param=f"{where}.content"
    )


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _optional(body: Mapping[str, Any], name: str, kind: type, default: Any) -> Any:
    value = body.get(name)
    if value is None:
        return default
    if not isinstance(value, kind):
        raise OpenAIError(400, f"'{name}' must be a {kind.__name__}.", param=name)
    return value


def _include_usage(options: Any, stream: bool) -> bool:
    if options is None:
        return False
    if not stream:
        raise OpenAIError(400, "'stream_options' is only allowed with stream=true.", param="stream_options")
    if not isinstance(options, dict) or set(options) - {"include_usage"}:
        raise OpenAIError(400, "'stream_options' may only hold 'include_usage'.", param="stream_options")
    return bool(_optional(options, "include_usage", bool, False))


def _sampling_options(body: Mapping[str, Any]) -> dict[str, Any]:
    options: dict[str, Any] = {}
    tokens = body.get("max_completion_tokens", body.get("max_tokens"))
    if tokens is not None:
        name = "max_completion_tokens" if "max_completion_tokens" in body else "max_tokens"
        if not _is_int(tokens) or tokens < 1:
            raise OpenAIError(400, f"'{name}' must be an integer >= 1.", param=name)
        options["max_tokens"] = tokens
    for name, low, high in (("temperature", 0, 2), ("top_p", 0, 1)):
        value = body.get(name)
        if value is not None:
            if not _is_number(value) or not low <= value <= high:
                raise OpenAIError(400, f"'{name}' must be a number from {low} to {high}.", param=name)
            options[name] = value
    seed = body.get("seed")
    if seed is not None:
        if not _is_int(seed):
            raise OpenAIError(400, "'seed' must be an integer.", param="seed")
        options["seed"] = seed
    stop = body.get("stop")
    if stop is not None:
        options["stop"] = _stop(stop)
    _optional(body, "user", str, None)  # accepted, as OpenAI's end-user id; carpool does not use it
    return options


def _stop(stop: Any) -> list[str]:
    sequences = [stop] if isinstance(stop, str) else stop
    if (
        not isinstance(sequences, list)
        or not 1 <= len(sequences) <= MAX_STOP_SEQUENCES
        or not all(isinstance(s, str) for s in sequences)
    ):
        raise OpenAIError(
            400, f"'stop' must be a string or a list of 1 to {MAX_STOP_SEQUENCES} strings.", param="stop"
        )
    return sequences


# -- replies ----------------------------------------------------------------------------------------


def reply_text(reply: Any) -> str:
    """The text of a chat reply: a str, a ``{"role", "content"}`` dict or message object, or a history
    (a list of messages, as a Chatbot output holds) whose last assistant message is the reply."""
    if reply is None:
        return ""
    if isinstance(reply, str):
        return reply
    if isinstance(reply, list):
        answers = [m for m in reply if _role(m) == "assistant"]
        return reply_text(answers[-1]) if answers else ""
    content = reply.get("content") if isinstance(reply, dict) else getattr(reply, "content", reply)
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # content parts
        return "".join(str(p.get("text", "")) if isinstance(p, dict) else str(p) for p in content)
    return "" if content is None else str(content)


def _role(message: Any) -> Any:
    return message.get("role") if isinstance(message, dict) else getattr(message, "role", None)


def _completion(job: Job, model: str, text: str) -> dict[str, Any]:
    return {
        "id": f"chatcmpl-{job.id}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text},
                "finish_reason": "stop",
                "logprobs": None,
            }
        ],
        "usage": None,  # carpool does not count tokens: the function owns the tokenizer, if any
    }


class _Chunks:
    """``chat.completion.chunk`` events of one streamed completion."""

    def __init__(self, job: Job, model: str) -> None:
        self._base = {
            "id": f"chatcmpl-{job.id}",
            "object": "chat.completion.chunk",
            "created": int(time.time()),
            "model": model,
        }

    def delta(self, delta: dict[str, Any], finish_reason: str | None = None) -> bytes:
        choice = {"index": 0, "delta": delta, "finish_reason": finish_reason, "logprobs": None}
        return _data({**self._base, "choices": [choice]})

    def usage(self) -> bytes:
        return _data({**self._base, "choices": [], "usage": None})


def _data(payload: Any) -> bytes:
    # the protocol's encoder, as everywhere in the server: no NaN, a lone surrogate escaped
    return encode_sse(payload)


def _added(previous: str, text: str) -> str:
    """What a cumulative partial adds; a partial that rewrote earlier text is sent whole."""
    return text[len(previous) :] if text.startswith(previous) else text


# -- routes -----------------------------------------------------------------------------------------


def chat_models(state: ServerState) -> dict[str, Any]:
    """Model id (the api_name) -> its chat listener."""
    return {
        dep.api_name: dep
        for dep in state.blocks.dependencies
        if getattr(dep, "chat", False) and dep.api_name is not None and dep.listener_id is not None
    }


Endpoint = Callable[[Request], Awaitable[Any]]  # a Response or another ASGI response


def _openai_errors(endpoint: Endpoint) -> Endpoint:
    @functools.wraps(endpoint)
    async def route(request: Request) -> Any:
        try:
            return await endpoint(request)
        except Exception as error:
            show_error = bool(server_state(request).settings.show_error)
            failure = _as_openai_error(error, show_error)
            headers = describe_error(error).headers if not isinstance(error, OpenAIError) else {}
            return WireJSONResponse(failure.body(), status_code=failure.status, headers=headers)

    return route


async def list_models(request: Request) -> Response:
    state = server_state(request)
    title = getattr(state.blocks, "title", None)
    models = [
        {"id": name, "object": "model", "created": 0, "owned_by": title or "carpool"}
        for name in chat_models(state)
    ]
    return WireJSONResponse({"object": "list", "data": models})


async def chat_completions(request: Request) -> Response | ServerSentEvents:
    state = server_state(request)
    engine = state.running_engine()
    chat = parse_chat_request(await read_json(request, state.settings.max_json_body))
    dependency = chat_models(state).get(chat.model)
    if dependency is None:
        known = ", ".join(sorted(chat_models(state))) or "none"
        message = f"The model '{chat.model}' does not exist (chat models here: {known})."
        raise OpenAIError(404, message, param="model", code="model_not_found")
    inputs = dependency.chat_inputs(chat.message, chat.history, state.new_session_state())
    context = {**event_context(request, None), **dependency.chat_context(chat.options)}
    job = engine.submit(dependency.listener_id, inputs, context=context)
    if chat.stream:
        chunks = _stream(job, dependency, chat, state.settings.show_error)
        return ServerSentEvents(chunks, job.cancel)
    output = await _result_unless_disconnected(request, job)
    return WireJSONResponse(_completion(job, chat.model, reply_text(dependency.chat_reply(output))))


async def _result_unless_disconnected(request: Request, job: Job) -> Any:
    """The event's output; a client that leaves first cancels it (nobody would read the answer)."""
    result = asyncio.ensure_future(job.result())
    left = asyncio.ensure_future(_disconnected(request))
    try:
        await asyncio.wait({result, left}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        left.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await left
    if not result.done():
        job.cancel()
        result.cancel()
        raise EventCancelledError("disconnected")
    return result.result()


async def _disconnected(request: Request) -> None:
    while (await request.receive())["type"] != "http.disconnect":
        pass


async def _stream(job: Job, dependency: Any, chat: ChatRequest, show_error: bool) -> AsyncIterator[bytes]:
    chunks = _Chunks(job, chat.model)
    yield chunks.delta({"role": "assistant", "content": ""})
    sent = ""
    try:
        async for message in job.messages():
            if isinstance(message, Generating | Completed):
                text = reply_text(dependency.chat_reply(message.output))
                added = _added(sent, text)
                if added:
                    yield chunks.delta({"content": added})
                sent = text
            if isinstance(message, Completed):
                break
            if isinstance(message, Failed):
                raise message.error
            if isinstance(message, Cancelled):
                raise EventCancelledError(message.reason)
    except Exception as error:
        # OpenAI's clients read an "error" object on the stream as the request's failure.
        yield _data(_as_openai_error(error, show_error).body())
        return
    yield chunks.delta({}, finish_reason="stop")
    if chat.include_usage:
        yield chunks.usage()
    yield b"data: [DONE]\n\n"


def routes() -> list[Route]:
    """The OpenAI-compatible routes, each answering its errors in OpenAI's shape."""
    return [
        Route("/v1/chat/completions", _openai_errors(chat_completions), methods=["POST"]),
        Route("/v1/models", _openai_errors(list_models), methods=["GET"]),
    ]
