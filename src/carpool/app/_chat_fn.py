"""The chat listener's function: the author's ``fn(message, history, *extra)`` plus the conversation.

``ChatInterface`` registers one listener (``api_name="chat"``, ``chat=True``) whose outputs are
``[reply, chatbot, *additional_outputs]``. The function here calls the author's function and returns the
reply *and* the conversation with the new turn appended, so the UI, ``POST /api/chat`` and the
OpenAI-compatible endpoint all run -- and batch -- through the same listener.

Each kind of author function gets a wrapper of the same kind (plain, ``async def``, generator, async
generator; batched or not), because the engine decides how to run a function from its kind. A
generator's replies are cumulative (each yield is the whole reply so far), as in Gradio. A batched
function takes one list of messages and one list of histories and returns (or yields) one list of
replies. A :class:`~carpool.core.Stepwise` function keeps its decode loop: it is wrapped in another
``Stepwise`` that carries each item's conversation next to its state.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

from carpool.components import ChatMessage, Component
from carpool.components._messages import text_part
from carpool.core import FINISHED, Done, Stepwise
from carpool.exceptions import BatchShapeError

__all__ = ["assistant_turn", "chat_function", "is_generator_fn", "seen_history", "user_turn"]


# -- turns --------------------------------------------------------------------------------------------


def user_turn(message: Any) -> list[dict[str, Any]]:
    """The user's message (a str, or a MultimodalTextbox ``{"text", "files"}``) as history messages."""
    if isinstance(message, dict) and ("text" in message or "files" in message):
        content: list[Any] = [{"path": path} for path in message.get("files") or []]
        if message.get("text"):
            content.append(message["text"])
        return [{"role": "user", "content": content}] if content else []
    return [{"role": "user", "content": "" if message is None else message}]


def assistant_turn(reply: Any) -> list[Any]:
    """What the function answered, as history messages (role set to assistant, as Gradio does)."""
    if reply is None:
        return []
    items = reply if isinstance(reply, list) else [reply]
    turn: list[Any] = []
    for item in items:
        if isinstance(item, ChatMessage):
            turn.append(replace(item, role="assistant"))
        elif isinstance(item, dict) and "content" in item:
            turn.append({**item, "role": "assistant"})
        elif isinstance(item, dict) and ("text" in item or "files" in item):
            turn.extend({**message, "role": "assistant"} for message in user_turn(item))
        elif isinstance(item, str | Component | tuple):
            turn.append({"role": "assistant", "content": item})
        else:
            raise TypeError(
                "a chat function returns a str, a ChatMessage, a message dict, a media component "
                f"or a list of those; got {type(item).__name__}"
            )
    return turn


def seen_history(history: Any) -> list[Any]:
    """The history as the function sees it: a copy, every message's content a list of parts (Gradio's
    normalised form), whether it came through the Chatbot or as OpenAI-style string content."""
    return [
        {**message, "content": [text_part(message["content"])]}
        if isinstance(message, dict) and isinstance(message.get("content"), str)
        else message
        for message in history or []
    ]


def _conversation(message: Any, history: Any, reply: Any) -> list[Any]:
    return [*(history or []), *user_turn(message), *assistant_turn(reply)]


# -- kinds --------------------------------------------------------------------------------------------


def _target(fn: Callable[..., Any]) -> Any:
    target: Any = fn
    while isinstance(target, functools.partial):
        target = target.func
    if not inspect.isroutine(target) and hasattr(target, "__call__"):  # noqa: B004
        target = target.__call__
    return target


def is_generator_fn(fn: Callable[..., Any]) -> bool:
    target = _target(fn)
    return (
        isinstance(fn, Stepwise) or inspect.isgeneratorfunction(target) or inspect.isasyncgenfunction(target)
    )


@dataclass(frozen=True)
class _Shape:
    """How the author's result maps to the listener's outputs."""

    n_extra: int  # additional_outputs

    def outputs(self, message: Any, history: Any, result: Any) -> tuple[Any, ...]:
        reply, extras = self.split(result)
        return (reply, _conversation(message, history, reply), *extras)

    def split(self, result: Any) -> tuple[Any, list[Any]]:
        if not self.n_extra:
            return result, []
        if not isinstance(result, tuple | list) or len(result) != self.n_extra + 1:
            raise ValueError(
                f"with {self.n_extra} additional output(s) the chat function returns the reply and "
                f"{self.n_extra} more value(s), a tuple of {self.n_extra + 1}"
            )
        return result[0], list(result[1:])


def chat_function(fn: Callable[..., Any], *, batch: bool, n_extra_outputs: int) -> Callable[..., Any]:
    """The listener's function for ``fn``, of the same kind, named and signed like ``fn``."""
    shape = _Shape(n_extra_outputs)
    if isinstance(fn, Stepwise):
        if not batch:
            raise ValueError("a Stepwise chat function runs continuously batched: pass batch=True")
        return _stepwise(fn)
    wrapper = _batched(fn) if batch else _single(fn, shape)
    # Same name and signature as fn (functools.wraps sets __wrapped__, which inspect.signature follows),
    # so Request/Progress parameters of fn are still filled and /info names fn's parameters.
    return functools.wraps(fn)(wrapper)


def _single(fn: Callable[..., Any], shape: _Shape) -> Callable[..., Any]:
    target = _target(fn)
    if inspect.isasyncgenfunction(target):

        async def async_stream(message: Any, history: Any, *args: Any, **kwargs: Any) -> AsyncIterator[Any]:
            async for result in fn(message, seen_history(history), *args, **kwargs):
                yield shape.outputs(message, history, result)

        return async_stream
    if inspect.isgeneratorfunction(target):

        def stream(message: Any, history: Any, *args: Any, **kwargs: Any) -> Iterator[Any]:
            for result in fn(message, seen_history(history), *args, **kwargs):
                yield shape.outputs(message, history, result)

        return stream
    if inspect.iscoroutinefunction(target):

        async def respond_async(message: Any, history: Any, *args: Any, **kwargs: Any) -> Any:
            return shape.outputs(message, history, await fn(message, seen_history(history), *args, **kwargs))

        return respond_async

    def respond(message: Any, history: Any, *args: Any, **kwargs: Any) -> Any:
        return shape.outputs(message, history, fn(message, seen_history(history), *args, **kwargs))

    return respond


def _batch_outputs(fn: Any, messages: Sequence[Any], histories: Sequence[Any], replies: Any) -> list[Any]:
    """One list per output: the replies and the conversations."""
    if (
        isinstance(replies, str | bytes | dict)
        or not isinstance(replies, Sequence)
        or len(replies) != len(messages)
    ):
        got = f"a list of {len(replies)}" if isinstance(replies, list | tuple) else type(replies).__name__
        raise BatchShapeError(
            f"batched chat function {getattr(fn, '__name__', fn)!r} returned {got}; expected a list of "
            f"{len(messages)} replies, one per message"
        )
    conversations = [_conversation(m, h, r) for m, h, r in zip(messages, histories, replies, strict=True)]
    return [list(replies), conversations]


def _batched(fn: Callable[..., Any]) -> Callable[..., Any]:
    target = _target(fn)

    def histories_of(histories: Sequence[Any]) -> list[list[Any]]:
        return [seen_history(history) for history in histories]

    if inspect.isasyncgenfunction(target):

        async def async_stream(
            messages: Any, histories: Any, *args: Any, **kwargs: Any
        ) -> AsyncIterator[Any]:
            async for replies in fn(messages, histories_of(histories), *args, **kwargs):
                yield _batch_outputs(fn, messages, histories, replies)

        return async_stream
    if inspect.isgeneratorfunction(target):

        def stream(messages: Any, histories: Any, *args: Any, **kwargs: Any) -> Iterator[Any]:
            for replies in fn(messages, histories_of(histories), *args, **kwargs):
                yield _batch_outputs(fn, messages, histories, replies)

        return stream
    if inspect.iscoroutinefunction(target):

        async def respond_async(messages: Any, histories: Any, *args: Any, **kwargs: Any) -> Any:
            replies = await fn(messages, histories_of(histories), *args, **kwargs)
            return _batch_outputs(fn, messages, histories, replies)

        return respond_async

    def respond(messages: Any, histories: Any, *args: Any, **kwargs: Any) -> Any:
        return _batch_outputs(fn, messages, histories, fn(messages, histories_of(histories), *args, **kwargs))

    return respond


# -- continuous batching ------------------------------------------------------------------------------


@dataclass
class _Item:
    """One conversation in the running set: the author's state and what it answers."""

    state: Any
    message: Any
    history: list[Any]


def _stepwise(fn: Stepwise[Any]) -> Stepwise[_Item]:
    """``fn`` with each step's reply turned into ``(reply, conversation)``; its decode loop untouched."""
    join, step, leave = fn.call("join"), fn.call("step"), fn.call("leave")

    def wrap(states: Any, messages: Sequence[Any], histories: Sequence[Any]) -> Any:
        if (
            isinstance(states, str | bytes)
            or not isinstance(states, Sequence)
            or len(states) != len(messages)
        ):
            return states  # the engine reports the wrong shape
        return [
            state if isinstance(state, BaseException) else _Item(state, message, list(history or []))
            for state, message, history in zip(states, messages, histories, strict=True)
        ]

    def unwrap(items: Sequence[_Item]) -> list[Any]:
        return [item.state for item in items]

    def outputs(items: Sequence[_Item], replies: Any) -> Any:
        if (
            isinstance(replies, str | bytes)
            or not isinstance(replies, Sequence)
            or len(replies) != len(items)
        ):
            return replies  # the engine reports the shape
        return [_step_output(item, reply) for item, reply in zip(items, replies, strict=True)]

    if fn.is_async("join"):

        async def join_async(messages: Any, histories: Any, *columns: Any) -> Any:
            seen = [seen_history(h) for h in histories]
            return wrap(await join(messages, seen, *columns), messages, histories)

        joiner: Callable[..., Any] = join_async
    else:

        def joiner(messages: Any, histories: Any, *columns: Any) -> Any:
            seen = [seen_history(h) for h in histories]
            return wrap(join(messages, seen, *columns), messages, histories)

    if fn.is_async("step"):

        async def step_async(items: list[_Item]) -> Any:
            return outputs(items, await step(unwrap(items)))

        stepper: Callable[..., Any] = step_async
    else:

        def stepper(items: list[_Item]) -> Any:
            return outputs(items, step(unwrap(items)))

    if fn.is_async("leave"):

        async def leave_async(items: list[_Item]) -> Any:
            return await leave(unwrap(items))

        leaver: Callable[..., Any] = leave_async
    else:

        def leaver(items: list[_Item]) -> Any:
            return leave(unwrap(items))

    return Stepwise(joiner, stepper, leaver, name=fn.__qualname__)


def _step_output(item: _Item, reply: Any) -> Any:
    if reply is FINISHED or isinstance(reply, BaseException):
        return reply
    if isinstance(reply, Done):
        return Done((reply.value, _conversation(item.message, item.history, reply.value)))
    return (reply, _conversation(item.message, item.history, reply))
