"""The function the engine runs for a dependency: the user's function plus what it asks for.

The engine calls a listener with one value per input (batched: one list per input). When the user's
function also wants a :class:`~carpool.app.Request` or a :class:`~carpool.app.Progress`, or takes its
inputs as one dict (``inputs={a, b}``), a thin wrapper of the same kind (plain, coroutine, generator,
async generator) adds them, so the engine still sees what kind of function it runs. Otherwise the
function is handed over untouched: no per-call cost.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Generator, Mapping, Sequence
from typing import Any

from carpool.app._event_data import EventData
from carpool.app._progress import Progress
from carpool.app._request import Request
from carpool.app._signature import CallPlan, FnKind, Slot, fn_kind
from carpool.core.progress import current_sink

__all__ = ["CHAT_OPTIONS", "CHAT_OPTIONS_KEY", "Binder", "wrap_for_engine"]

ExtrasSource = Callable[[], Mapping[Slot, Any]]

# Sampling options a chat request may carry (the OpenAI-compatible API puts them in the event's context
# under this key); a chat listener's function gets those it declares as parameters.
CHAT_OPTIONS = ("max_tokens", "temperature", "top_p", "stop", "seed")
CHAT_OPTIONS_KEY = "chat_options"


class Binder:
    """Turns the engine's positional values into the arguments of one call of the user's function."""

    def __init__(
        self,
        plan: CallPlan,
        *,
        batch: bool,
        input_keys: Sequence[Any] | None,
        chat_options: Sequence[str] = (),
        target_of: Callable[[Any], Any] | None = None,
    ) -> None:
        self.plan = plan
        self.batch = batch
        self.input_keys = input_keys  # the input components when the fn takes one dict
        self.chat_options = tuple(chat_options)  # CHAT_OPTIONS the fn declares beyond its inputs
        self.target_of = target_of or (lambda trigger_id: None)  # trigger id -> the component (EventData)

    @property
    def needed(self) -> bool:
        return self.plan.injects or self.input_keys is not None or bool(self.chat_options)

    def arguments(
        self, values: Sequence[Any], contexts: Sequence[Mapping[str, Any] | None]
    ) -> tuple[list[Any], dict[str, Any]]:
        if self.input_keys is not None:
            values = [dict(zip(self.input_keys, values, strict=True))]
        args, kwargs = self.plan.arguments(values, self._extras(contexts))
        if self.chat_options:
            kwargs.update(self._chat_options(contexts))
        return args, kwargs

    def _chat_options(self, contexts: Sequence[Mapping[str, Any] | None]) -> dict[str, Any]:
        """The options the request(s) set; a parameter nobody set keeps the function's default.

        A batched function gets one list per option, one entry per sample (None where unset).
        """
        given = [(context or {}).get(CHAT_OPTIONS_KEY) or {} for context in contexts]
        chosen: dict[str, Any] = {}
        for name in self.chat_options:
            if not any(name in options for options in given):
                continue
            values = [options.get(name) for options in given]
            chosen[name] = values if self.batch else values[0]
        return chosen

    def _extras(self, contexts: Sequence[Mapping[str, Any] | None]) -> dict[Slot, Any]:
        extras: dict[Slot, Any] = {Slot.PROGRESS: Progress()}
        if any(param.slot is Slot.REQUEST for param in self.plan.params):
            requests = [Request.from_context(context) for context in contexts]
            # A batched function gets one request per sample, in the order of its input lists.
            extras[Slot.REQUEST] = requests if self.batch else requests[0]
        if any(param.slot is Slot.EVENT_DATA for param in self.plan.params):
            extras[Slot.EVENT_DATA] = self._event_data(contexts)
        return extras

    def _event_data(self, contexts: Sequence[Mapping[str, Any] | None]) -> Callable[[type[EventData]], Any]:
        """Builds each parameter's kind of EventData; a batched function gets one per sample."""
        events = [
            (self.target_of((c or {}).get("trigger_id")), (c or {}).get("event_data")) for c in contexts
        ]

        def build(kind: type[EventData]) -> Any:
            built = [kind(target, data) for target, data in events]
            return built if self.batch else built[0]

        return build


def _running_contexts() -> Sequence[Mapping[str, Any] | None]:
    """The context of each event of the batch now running (None for padding; [None] outside one).

    The engine keeps the running batch's events where ``report_progress`` finds them; their contexts
    are what the server set at submit (headers, client, session, user, query parameters).
    """
    sink = current_sink.get()
    if sink is None:  # called outside the engine: there is no request to describe
        return [None]
    return [None if job is None else job.context for job in sink.jobs]


def wrap_for_engine(fn: Callable[..., Any], binder: Binder) -> Callable[..., Any]:
    """``fn`` itself when it needs nothing injected, else a wrapper of the same kind."""
    if not binder.needed:
        return fn
    kind = fn_kind(fn)

    def bind(values: tuple[Any, ...]) -> tuple[list[Any], dict[str, Any]]:
        return binder.arguments(values, _running_contexts())

    if kind is FnKind.ASYNC_GENERATOR:

        async def async_generator(*values: Any) -> AsyncIterator[Any]:
            args, kwargs = bind(values)
            async for item in fn(*args, **kwargs):
                yield item

        return async_generator
    if kind is FnKind.SYNC_GENERATOR:

        def generator(*values: Any) -> Generator[Any, Any, Any]:
            args, kwargs = bind(values)
            return (yield from fn(*args, **kwargs))

        return generator
    if kind is FnKind.ASYNC:

        async def coroutine(*values: Any) -> Any:
            args, kwargs = bind(values)
            return await fn(*args, **kwargs)

        return coroutine

    def function(*values: Any) -> Any:
        args, kwargs = bind(values)
        return fn(*args, **kwargs)

    return function
