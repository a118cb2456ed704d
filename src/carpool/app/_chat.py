"""``ChatInterface``: a chat app from one function ``fn(message, history, *additional_inputs)``.

Sugar over :class:`Blocks`, with Gradio's semantics: ``fn`` returns the reply (a str, a ChatMessage, a
message dict, a media component or a list of those) or yields it growing (cumulative, streamed), and
with ``batch=True`` takes one list of messages and one list of histories and returns / yields one list
of replies (or is a :class:`~carpool.core.Stepwise` function: continuous batching).

How one turn runs in the page:

1. Submit (Enter, Send, a Chatbot example, retry, edit, a message option) runs a small *prepare* step
   with no queue: it locks the textbox, shows the user's message at once, puts the message and the
   history the function is to see into two hidden inputs, and bumps a hidden turn counter.
2. The counter's change runs the *chat listener* (``api_name="chat"``, ``chat=True``):
   ``[message, history, *additional_inputs] -> [reply, chatbot, *additional_outputs]``. This one
   listener also serves ``POST /api/chat`` and the OpenAI-compatible endpoint, so requests from every
   client share its queue and its batches.
3. When it ends the textbox unlocks; Stop cancels it and keeps the partial answer shown.

The prepare steps work on wire values (``preprocess=False``): a message's files are passed on as the
page uploaded them, never copied.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, ClassVar, Literal

from carpool import _context
from carpool.app._blocks import Blocks
from carpool.app._chat_fn import assistant_turn, chat_function, is_generator_fn
from carpool.app._dependency import Dependency
from carpool.app._event_data import current_event_data
from carpool.app._examples import Examples
from carpool.app._signature import fn_name
from carpool.components import (
    Accordion,
    Button,
    Chatbot,
    ChatMessage,
    Column,
    Component,
    Markdown,
    MultimodalTextbox,
    Number,
    Row,
    Textbox,
    get_component,
    update,
)
from carpool.components._messages import messages_to_wire, text_part
from carpool.exceptions import InvalidInputError

__all__ = ["ChatInterface"]

_IGNORED = ("flagging_mode", "flagging_options", "flagging_dir", "cache_mode", "delete_cache", "validator")
_QUIET = {"show_progress": "hidden", "queue": False, "api_name": None}  # the page's own steps


class ChatReply(Component):
    """The chat listener's first output: the reply as the API returns it (hidden in the page).

    As Gradio's ``/chat`` answers: a str stays a str, a text ChatMessage goes out as its fields
    (``content``, ``role``, ``metadata``, ``options``), a message dict as it is, a list as a list of
    those. A reply holding files or components goes out as the list of assistant messages it makes, in
    the Chatbot's wire form (files as this server's references).
    """

    block_type: ClassVar[str] = "json"

    def postprocess(self, value: Any) -> Any:
        if value is None or isinstance(value, str):
            return value
        plain = _text_reply(value)
        return plain if plain is not None else messages_to_wire(self, assistant_turn(value))

    def api_schema(self) -> dict[str, Any]:
        return {
            "anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "object"}}, {"type": "null"}]
        }


def _text_reply(value: Any) -> Any:
    """A reply of text messages as the function returned it (a ChatMessage as a dict); None otherwise."""
    items = value if isinstance(value, list) else [value]
    plain: list[Any] = []
    for item in items:
        if isinstance(item, ChatMessage) and isinstance(item.content, str):
            plain.append(dataclasses.asdict(item))
        elif isinstance(item, dict) and isinstance(item.get("content"), str):
            plain.append(dict(item))
        else:
            return None
    return plain if isinstance(value, list) else plain[0]


def _components(spec: Any) -> list[Component]:
    if spec is None:
        return []
    items = spec if isinstance(spec, list | tuple) else [spec]
    return [get_component(item) for item in items]


class ChatInterface(Blocks):
    def __init__(
        self,
        fn: Callable[..., Any],
        *,
        multimodal: bool = False,
        chatbot: Chatbot | None = None,
        textbox: Textbox | MultimodalTextbox | None = None,
        additional_inputs: Any = None,
        additional_inputs_accordion: str | Accordion | None = None,
        additional_outputs: Any = None,
        editable: bool = False,
        examples: list[Any] | None = None,
        example_labels: list[str] | None = None,
        example_icons: list[str] | None = None,
        run_examples_on_click: bool = True,
        cache_examples: bool | None = None,
        title: str | None = None,
        description: str | None = None,
        type: Literal["messages"] | None = None,
        save_history: bool = False,
        autofocus: bool = True,
        autoscroll: bool = True,
        submit_btn: str | bool | None = True,
        stop_btn: str | bool | None = True,
        concurrency_limit: int | str | None = "default",
        concurrency_id: str | None = None,
        show_progress: Literal["full", "minimal", "hidden"] = "minimal",
        api_name: str | None = "chat",
        batch: bool = False,
        max_batch_size: int = 4,
        batch_timeout: float | str = "auto",
        fill_height: bool = True,
        fill_width: bool = False,
        theme: Any = None,
        css: str | None = None,
        js: str | None = None,
        head: str | None = None,
        analytics_enabled: bool | None = None,
        **kwargs: Any,
    ) -> None:
        if type not in (None, "messages"):
            raise ValueError(
                f"ChatInterface type must be 'messages', got {type!r}; 'tuples' is not supported"
            )
        for name in sorted(set(_IGNORED) & set(kwargs)):
            kwargs.pop(name)
        for name in ("api_description", "api_visibility"):
            kwargs.pop(name, None)
        if isinstance(fn, ChatInterface):
            fn = fn.fn
        self.fn: Callable[..., Any] = fn
        super().__init__(
            title=title or "carpool",
            theme=theme,
            css=css,
            js=js,
            head=head,
            analytics_enabled=analytics_enabled,
            fill_height=fill_height,
            fill_width=fill_width,
            **kwargs,
        )
        self.description = description
        self.multimodal = multimodal or isinstance(textbox, MultimodalTextbox)
        self.editable = editable
        self.save_history = save_history
        self.additional_inputs = _components(additional_inputs)
        self.additional_outputs = _components(additional_outputs)
        if batch and self.additional_outputs:
            raise ValueError("ChatInterface(batch=True) does not take additional_outputs")
        self.examples_in_chatbot = bool(examples) and not self._examples_fill_extra_inputs(examples or [])
        # Inside another app's `with Blocks():` (Gradio apps do this) the interface is built into that
        # app, in a column of its own: its components and listeners belong to the enclosing app.
        self.enclosing_app = _context.current_registry()
        with self if self.enclosing_app is None else Column():
            self._render(
                title, chatbot, textbox, examples, example_labels, example_icons, autofocus, autoscroll
            )
            self._render_inputs_area(additional_inputs_accordion, submit_btn, stop_btn)
            self.chat_dependency = self._wire_chat(
                api_name,
                {
                    "batch": batch,
                    "max_batch_size": max_batch_size,
                    "batch_timeout": batch_timeout,
                    "concurrency_limit": concurrency_limit,
                    "concurrency_id": concurrency_id,
                    "show_progress": show_progress,
                },
            )
            self._wire_turn_starters(run_examples_on_click or bool(cache_examples))
            if examples and not self.examples_in_chatbot:
                self.examples_handler = Examples(examples, [self.textbox, *self.additional_inputs])

    # -- layout -----------------------------------------------------------------------------------

    def _examples_fill_extra_inputs(self, examples: list[Any]) -> bool:
        if not self.additional_inputs:
            return False
        if any(not isinstance(example, list) for example in examples):
            raise ValueError(
                "with additional_inputs, ChatInterface examples are lists [message, *additional inputs]"
            )
        return any(value is not None for example in examples for value in example[1:])

    def _render(
        self,
        title: str | None,
        chatbot: Chatbot | None,
        textbox: Textbox | MultimodalTextbox | None,
        examples: list[Any] | None,
        labels: list[str] | None,
        icons: list[str] | None,
        autofocus: bool,
        autoscroll: bool,
    ) -> None:
        if title:
            Markdown(f"# {title}", elem_classes="cp-chat-title")
        if self.description:
            Markdown(self.description, elem_classes="cp-chat-description")
        example_messages = _example_messages(examples, labels, icons) if self.examples_in_chatbot else None
        if chatbot is None:
            chatbot = Chatbot(label="Chatbot", scale=1, autoscroll=autoscroll, render=False)
        if example_messages:
            chatbot.examples = example_messages
        chatbot.save_history = chatbot.save_history or self.save_history
        if self.editable and chatbot.editable is None:
            chatbot.editable = "user"
        chatbot.elem_classes = [*chatbot.elem_classes, "cp-chat-log-block"]
        self.chatbot = chatbot
        # Gradio's handle for setting the conversation from other listeners; here the Chatbot itself is
        # the conversation (each turn reads it), so an output to it is all that takes.
        self.chatbot_value = chatbot
        chatbot.render()
        self.textbox: Textbox | MultimodalTextbox = textbox or self._default_textbox(autofocus)
        # Where the prepare step leaves the turn for the chat listener (wire values, never shown).
        hidden = MultimodalTextbox if self.multimodal else Textbox
        self.message_box = hidden(label="message", visible=False, render=False)
        self.history_box = Chatbot(label="history", visible=False, render=False)
        self.reply_box = ChatReply(label="reply", visible=False, render=False)
        self.turn = Number(0, label="turn", visible=False, precision=0, render=False)

    def _default_textbox(self, autofocus: bool) -> Textbox | MultimodalTextbox:
        common: dict[str, Any] = {
            "show_label": False,
            "label": "Message",
            "placeholder": "Type a message…",
            "autofocus": autofocus,
            "scale": 7,
            "render": False,
        }
        if self.multimodal:  # the interface's own Send/Stop buttons stand beside it
            return MultimodalTextbox(submit_btn=False, **common)
        return Textbox(**common)

    def _render_inputs_area(self, accordion: str | Accordion | None, submit_btn: Any, stop_btn: Any) -> None:
        with Row(elem_classes="cp-chat-input", equal_height=True):
            self.textbox.render()
            self.submit_button = (
                Button(_label(submit_btn, "Send"), variant="primary", scale=0, min_width=80)
                if submit_btn
                else None
            )
            self.stop_button = (
                Button(_label(stop_btn, "Stop"), variant="stop", scale=0, min_width=80, visible=False)
                if stop_btn
                else None
            )
        with Column(visible=False):
            for hidden in (self.message_box, self.history_box, self.reply_box, self.turn):
                hidden.render()
        unplaced = [c for c in self.additional_inputs if c.parent is None]
        if unplaced:
            if isinstance(accordion, Accordion):
                accordion.render()
                container = accordion
            else:
                container = Accordion(accordion or "Additional Inputs", open=False)
            with container:
                for component in unplaced:
                    component.render()

    # -- events -----------------------------------------------------------------------------------

    def _wire_chat(self, api_name: str | None, options: dict[str, Any]) -> Dependency:
        listener = chat_function(
            self.fn, batch=options["batch"], n_extra_outputs=len(self.additional_outputs)
        )
        run: Dependency = self.turn.change(
            listener,
            [self.message_box, self.history_box, *self.additional_inputs],
            [self.reply_box, self.chatbot, *self.additional_outputs],
            api_name=api_name,
            chat=True,
            **options,
        )
        unlocked = self._unlocked()
        finish_outputs = self._locked()
        run.then(lambda: unlocked, None, finish_outputs, **_QUIET)
        if self.stop_button is not None:
            self.stop_button.click(lambda: unlocked, None, finish_outputs, cancels=[run], **_QUIET)
        self.chatbot.clear(lambda: unlocked, None, finish_outputs, cancels=[run], **_QUIET)
        return run

    def _wire_turn_starters(self, run_examples: bool) -> None:
        raw = {**_QUIET, "preprocess": False, "postprocess": False}
        starts = [self.message_box, self.history_box, self.chatbot, *self._locked(), self.turn]
        triggers: list[Any] = [self.textbox.submit]
        if self.submit_button is not None:
            triggers.append(self.submit_button.click)
        (self.enclosing_app or self).register_event(
            [_trigger(t) for t in triggers],
            self._on_submit,
            [self.textbox, self.chatbot, self.turn],
            starts,
            **raw,
        )
        self.chatbot.retry(self._on_retry, [self.chatbot, self.turn], starts, **raw)
        self.chatbot.undo(self._on_undo, [self.chatbot], [self.chatbot, self.textbox], **raw)
        self.chatbot.option_select(self._on_option, [self.chatbot, self.turn], starts, **raw)
        if self.chatbot.editable:
            self.chatbot.edit(self._on_edit, [self.chatbot, self.turn], starts, **raw)
        if self.examples_in_chatbot:
            handler = self._on_example if run_examples else self._fill_example
            outputs = starts if run_examples else [self.textbox]
            self.chatbot.example_select(handler, [self.turn], outputs, **raw)

    def _locked(self) -> list[Component]:
        return [c for c in (self.textbox, self.submit_button, self.stop_button) if c is not None]

    def _unlocked(self) -> tuple[Any, ...]:
        values: list[Any] = [update(interactive=True)]
        if self.submit_button is not None:
            values.append(update(visible=True))
        if self.stop_button is not None:
            values.append(update(visible=False))
        return tuple(values) if len(values) > 1 else values[0]

    def _start(self, message: Any, history: list[Any], turn: Any) -> dict[Component, Any]:
        """The prepare step's outputs: the turn handed to the chat listener, the page locked meanwhile."""
        starts: dict[Component, Any] = {
            self.message_box: message,
            self.history_box: history,
            self.chatbot: history + _wire_user_turn(message),
            self.textbox: update(value=_empty(self.multimodal), interactive=False),
            self.turn: (turn if isinstance(turn, int | float) else 0) + 1,
        }
        if self.submit_button is not None:
            starts[self.submit_button] = update(visible=False)
        if self.stop_button is not None:
            starts[self.stop_button] = update(visible=True)
        return starts

    def _on_submit(self, message: Any, chat: Any, turn: Any) -> dict[Component, Any]:
        return self._start(self._message(message), _wire_history(chat), turn)

    def _on_retry(self, chat: Any, turn: Any) -> dict[Component, Any]:
        history, message = _pop_last_user_turn(_wire_history(chat), self.multimodal)
        return self._start(message, history, turn)

    def _on_undo(self, chat: Any) -> tuple[Any, Any]:
        history, message = _pop_last_user_turn(_wire_history(chat), self.multimodal)
        return history, message

    def _on_edit(self, chat: Any, turn: Any) -> dict[Component, Any]:
        data = current_event_data()
        index = data.get("index")
        index = index[0] if isinstance(index, list) and index else index
        if not isinstance(index, int) or isinstance(index, bool):
            raise InvalidInputError("an edit names the index of the message it changes")
        history = _wire_history(chat)[:index]
        return self._start(self._message(data.get("value")), history, turn)

    def _on_option(self, chat: Any, turn: Any) -> dict[Component, Any]:
        return self._start(self._message(current_event_data().get("value")), _wire_history(chat), turn)

    def _on_example(self, turn: Any) -> dict[Component, Any]:
        return self._start(self._example_message(), [], turn)

    def _fill_example(self, turn: Any) -> Any:
        return self._example_message()

    def _example_message(self) -> Any:
        value = current_event_data().get("value")
        example = value if isinstance(value, dict) else {"text": value}
        return self._message({"text": example.get("text") or "", "files": example.get("files") or []})

    def _message(self, value: Any) -> Any:
        """A message as this interface's function takes it: text, or ``{"text", "files"}`` if multimodal."""
        if isinstance(value, dict):
            text, files = value.get("text") or "", value.get("files") or []
        else:
            text, files = ("" if value is None else value), []
        if not isinstance(text, str) or not isinstance(files, list):
            raise InvalidInputError('a message is a string or {"text": str, "files": [FileData]}')
        return {"text": text, "files": files} if self.multimodal else text

    @property
    def is_generator(self) -> bool:
        return is_generator_fn(self.fn)

    def __repr__(self) -> str:
        return f"ChatInterface(fn={fn_name(self.fn)}, multimodal={self.multimodal})"


# -- wire-level helpers of the prepare steps ----------------------------------------------------------


def _trigger(event_method: Any) -> tuple[Any, str]:
    return event_method.__self__, event_method.__name__


def _label(value: Any, default: str) -> str:
    return value if isinstance(value, str) else default


def _empty(multimodal: bool) -> Any:
    return {"text": "", "files": []} if multimodal else ""


def _wire_history(chat: Any) -> list[Any]:
    if chat is None:
        return []
    if not isinstance(chat, list):
        raise InvalidInputError("the conversation must be a list of messages", parameter="Chatbot")
    return list(chat)


def _wire_user_turn(message: Any) -> list[dict[str, Any]]:
    """The user's message as the Chatbot shows it, built from the wire value (files as uploaded)."""
    if isinstance(message, dict):
        parts: list[dict[str, Any]] = [
            {"type": "file", "file": f, "alt_text": None} for f in message.get("files") or []
        ]
        if message.get("text"):
            parts.append(text_part(message["text"]))
    else:
        parts = [text_part("" if message is None else str(message))]
    return [{"role": "user", "metadata": None, "content": parts, "options": None}] if parts else []


def _pop_last_user_turn(history: list[Any], multimodal: bool) -> tuple[list[Any], Any]:
    """The history before the user's last message(s), and that message (as Gradio's retry/undo do)."""
    i = len(history) - 1
    while i >= 0 and _role(history[i]) != "user":
        i -= 1
    while i >= 0 and _role(history[i]) == "user":
        i -= 1
    text, files = "", []
    for message in history[i + 1 :]:
        if _role(message) != "user":
            continue
        for part in _parts(message):
            if part.get("type") == "file":
                files.append(part.get("file"))
            elif part.get("type") == "text":
                text += str(part.get("text", ""))
    return history[: i + 1], ({"text": text, "files": files} if multimodal else text)


def _role(message: Any) -> Any:
    return message.get("role") if isinstance(message, dict) else None


def _parts(message: dict[str, Any]) -> list[dict[str, Any]]:
    content = message.get("content")
    items = content if isinstance(content, list) else [content]
    return [
        text_part(item) if isinstance(item, str) else item for item in items if isinstance(item, str | dict)
    ]


def _example_messages(
    examples: list[Any] | None, labels: list[str] | None, icons: list[str] | None
) -> list[dict[str, Any]]:
    """ChatInterface examples -> the Chatbot's example cards ({text, files, display_text, icon})."""
    messages = []
    for index, example in enumerate(examples or []):
        first = example[0] if isinstance(example, list) else example
        message: dict[str, Any] = (
            {"text": first.get("text", ""), "files": list(first.get("files", []) or [])}
            if isinstance(first, dict)
            else {"text": str(first)}
        )
        if labels and index < len(labels):
            message["display_text"] = labels[index]
        if icons and index < len(icons):
            message["icon"] = icons[index]
        messages.append(message)
    return messages
