"""``Dependency``: one event listener of an app -- what triggers it, what it runs, with which options.

Registering a listener (``button.click(...)``) creates one; the server reads it through the contract in
``docs/internals.md``: ``preprocess``/``postprocess`` for one sample's wire values, ``listener_config``
for the engine, ``config`` for the front end. ``.then``/``.success``/``.failure`` chain another listener
that runs after this one ends (successfully / with an error).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from carpool.app._backend import CHAT_OPTIONS, CHAT_OPTIONS_KEY, Binder, wrap_for_engine
from carpool.app._options import EventOptions
from carpool.app._processing import (
    chat_inputs,
    chat_reply,
    is_stateful,
    postprocess_outputs,
    preprocess_inputs,
)
from carpool.app._session import SessionState
from carpool.app._signature import CallPlan, call_plan, fn_kind, fn_name, free_parameters
from carpool.app._validation import with_validator
from carpool.components.text import passes_text_through
from carpool.core import ListenerConfig

__all__ = ["Dependency"]


@dataclass(eq=False, kw_only=True)
class Dependency:
    """One listener. Build it with an event method (``btn.click``), not directly."""

    index: int
    registry: Any  # the Blocks it belongs to (for chaining)
    targets: list[tuple[int, str]]
    fn: Callable[..., Any] | None
    inputs: list[Any]
    outputs: list[Any]
    inputs_as_dict: bool
    api_name: str | None
    options: EventOptions
    cancels: list[Dependency] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)  # other names it answers to (Interface: "predict")
    plan: CallPlan = field(init=False)
    name: str = field(init=False)  # the function's name, for error messages
    parameter_names: list[str] = field(init=False)  # per input: its label, the fn's parameter, param_<i>
    # Per input / output: whether it is a State (kept in the session, never on the wire). Read on every
    # event's conversion, so worked out once here (inputs and outputs never change after registration).
    state_inputs: tuple[bool, ...] = field(init=False)
    state_outputs: tuple[bool, ...] = field(init=False)
    # Every input and output a plain Textbox: converting a value is checking that it is a str or None.
    text_only: bool = field(init=False)

    def __post_init__(self) -> None:
        self.plan = call_plan(self.fn) if self.fn is not None else CallPlan((), (), 0, True)
        self.name = fn_name(self.fn) if self.fn is not None else f"dependency {self.index}"
        self.parameter_names = [self._parameter_name(i, block) for i, block in enumerate(self.inputs)]
        self.state_inputs = tuple(is_stateful(block) for block in self.inputs)
        self.state_outputs = tuple(is_stateful(block) for block in self.outputs)
        blocks = (*self.inputs, *self.outputs)
        self.text_only = bool(blocks) and all(passes_text_through(block) for block in blocks)
        if self.options.chat:
            self._check_chat_shape()

    def _check_chat_shape(self) -> None:
        """A chat listener is called as ``fn(message, history, *extra)`` and answers in output 0."""
        if self.fn is None or len(self.inputs) < 2 or not self.outputs or self.inputs_as_dict:
            raise ValueError(
                f"chat=True needs a function, inputs [message, history, *additional_inputs] (a list) "
                f"and at least one output (the reply); {self.name} has {len(self.inputs)} input(s) "
                f"and {len(self.outputs)} output(s)"
            )

    def _parameter_name(self, index: int, block: Any) -> str:
        label = getattr(block, "label", None)
        if label:
            return str(label)
        if not self.inputs_as_dict and index < len(self.plan.input_names):
            return self.plan.input_names[index]
        return f"param_{index}"

    # -- what the server and the engine read ------------------------------------------------------

    @property
    def batch(self) -> bool:
        return self.options.batch

    @property
    def max_batch_size(self) -> int:
        return self.options.max_batch_size

    @property
    def chat(self) -> bool:
        """Marked ``chat=True``: inputs are ``[message, history, *extra]``, the first output the reply."""
        return self.options.chat

    @property
    def queue(self) -> bool:
        return self.options.queue

    @property
    def run_preprocess(self) -> bool:
        return self.options.preprocess

    @property
    def run_postprocess(self) -> bool:
        return self.options.postprocess

    @property
    def backend_fn(self) -> bool:
        return self.fn is not None

    @property
    def is_generator(self) -> bool:
        return self.fn is not None and fn_kind(self.fn).is_generator

    @property
    def show_api(self) -> bool:
        return self.api_name is not None and self.options.show_api

    @property
    def listener_id(self) -> str | None:
        """The engine's name for this listener: the api_name, or ``fn_<index>``; None without a fn."""
        if self.fn is None:
            return None
        return self.api_name if self.api_name is not None else f"fn_{self.index}"

    def preprocess(self, data: Any, session: SessionState) -> list[Any]:
        """One sample's wire values -> the function's arguments (InvalidInputError names the input)."""
        return preprocess_inputs(self, data, session)

    def postprocess(self, output: Any, session: SessionState) -> list[Any]:
        """One sample's return value -> one wire value per output."""
        return postprocess_outputs(self, output, session)

    def chat_inputs(self, message: str, history: list[Any], session: SessionState) -> list[Any]:
        """The function's arguments for a conversation from outside the page (see ``chat=True``)."""
        return chat_inputs(self, message, history, session)

    def chat_context(self, options: dict[str, Any]) -> dict[str, Any]:
        """The event-context entry carrying a chat request's sampling options to the function."""
        return {CHAT_OPTIONS_KEY: dict(options)}

    def chat_reply(self, output: Any) -> Any:
        """The reply (a str, a message dict or object) in one output of this chat listener."""
        return chat_reply(self, output)

    def binder(self) -> Binder:
        keys = self.inputs if self.inputs_as_dict else None
        return Binder(
            self.plan,
            batch=self.batch,
            input_keys=keys,
            chat_options=self.chat_options,
            target_of=self._trigger_block,
        )

    def _trigger_block(self, trigger_id: Any) -> Any:
        """The component an event's ``trigger_id`` names (the ``target`` of its EventData)."""
        blocks = getattr(self.registry, "blocks", {})
        return blocks.get(trigger_id) if isinstance(trigger_id, int) else None

    @property
    def chat_options(self) -> tuple[str, ...]:
        """The sampling options (``max_tokens``, ``temperature``, ...) a chat request passes to the fn."""
        if not self.chat or self.fn is None:
            return ()
        return free_parameters(self.fn, CHAT_OPTIONS, len(self.inputs))

    def engine_fn(self) -> Callable[..., Any]:
        """What the engine runs: the function, plus any Request/Progress/dict-of-inputs it asks for."""
        if self.fn is None:
            raise ValueError(f"dependency {self.index} has no function to run")
        fn = self.fn
        if self.options.validator is not None:
            fn = with_validator(fn, self.options.validator, self.parameter_names)
        return wrap_for_engine(fn, self.binder())

    def listener_config(self, default_concurrency_limit: int | None) -> ListenerConfig:
        limit = self.options.concurrency_limit
        if not self.queue:
            limit = None  # queue=False: the event does not wait behind others
        elif limit == "default":
            limit = default_concurrency_limit
        if self.listener_id is None:
            raise ValueError(f"dependency {self.index} has no function to run")
        return ListenerConfig(
            listener_id=self.listener_id,
            fn=self.engine_fn(),
            n_outputs=len(self.outputs),
            batch=self.batch,
            max_batch_size=self.max_batch_size,
            batch_timeout=self.options.batch_timeout,
            concurrency_limit=limit,
            concurrency_id=self.options.concurrency_id,
            fairness=self.options.fairness,
            on_batch_error=self.options.on_batch_error,
            pad_to_multiple=self.options.pad_to_multiple,
            timeout=self.options.timeout,
            time_limit=self.options.time_limit,
            oom_errors=self.options.oom_errors,
            name=self.name,
        )

    def config(self) -> dict[str, Any]:
        """This dependency in ``/config`` (see docs/protocol.md)."""
        return {
            "id": self.index,
            "targets": [list(target) for target in self.targets],
            "inputs": [block.id for block in self.inputs],
            "outputs": [block.id for block in self.outputs],
            "api_name": self.api_name,
            "show_api": self.show_api,
            "backend_fn": self.backend_fn,
            "queue": self.queue,
            "batch": self.batch,
            "max_batch_size": self.max_batch_size,
            "cancels": [dep.index for dep in self.cancels],
            "trigger_mode": self.options.trigger_mode,
            "show_progress": self.options.show_progress,
            "trigger_after": self.options.trigger_after,
            "trigger_only_on_success": self.options.trigger_only_on_success,
            "trigger_only_on_failure": self.options.trigger_only_on_failure,
            "every": self.options.every,
            "js": self.options.js,
            "types": {"generator": self.is_generator, "cancel": self.fn is None and bool(self.cancels)},
        }

    # -- chaining ---------------------------------------------------------------------------------

    def then(
        self, fn: Callable[..., Any] | None, inputs: Any = None, outputs: Any = None, **options: Any
    ) -> Dependency:
        """Run ``fn`` after this listener ends, whatever the outcome."""
        return self._chain(fn, inputs, outputs, options)

    def success(
        self, fn: Callable[..., Any] | None, inputs: Any = None, outputs: Any = None, **options: Any
    ) -> Dependency:
        """Run ``fn`` after this listener completes without an error."""
        return self._chain(fn, inputs, outputs, {**options, "trigger_only_on_success": True})

    def failure(
        self, fn: Callable[..., Any] | None, inputs: Any = None, outputs: Any = None, **options: Any
    ) -> Dependency:
        """Run ``fn`` after this listener fails."""
        return self._chain(fn, inputs, outputs, {**options, "trigger_only_on_failure": True})

    def _chain(
        self, fn: Callable[..., Any] | None, inputs: Any, outputs: Any, options: dict[str, Any]
    ) -> Dependency:
        result: Dependency = self.registry.register_event(
            [], fn, inputs, outputs, trigger_after=self.index, **options
        )
        return result

    def __repr__(self) -> str:
        return f"Dependency(index={self.index}, api_name={self.api_name!r}, fn={self.name})"
