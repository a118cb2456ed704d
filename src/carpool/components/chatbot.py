"""``Chatbot``: a conversation in Gradio's messages format, with its chat-specific events.

The value is a list of messages (dicts with ``role`` and ``content``, or :class:`ChatMessage`); see
``_messages.py`` for the wire form and what a function may return. Text is Markdown, rendered in the page
by the same sanitiser as ``Markdown``; files show as images, audio, video or download links by type.

Like, retry, undo and edit buttons appear in the page only for events the app listens to (as in Gradio);
their listeners receive a ``LikeData``/``RetryData``/``UndoData``/``EditData`` when they ask for one.
"""

from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar, Literal, TypedDict

from carpool.components._messages import ChatMessage, messages_from_wire, messages_to_wire, split_reasoning
from carpool.components.base import Component
from carpool.components.events import DECORATOR, Changeable, Clearable, Fn, Listenable
from carpool.components.files import FileStore, current_file_store
from carpool.exceptions import FileAccessError

__all__ = ["ChatMessage", "Chatbot", "Message", "MessageDict"]

logger = logging.getLogger("carpool.components")

# Gradio's names in ``gradio.components.chatbot`` for a message and its dict form (apps annotate with them).
Message = ChatMessage


class MessageDict(TypedDict, total=False):
    role: str
    content: Any
    metadata: dict[str, Any]
    options: list[dict[str, Any]]


_OBSOLETE = ("bubble_full_width", "show_share_button", "likeable", "latex_delimiters", "resizable")


class _ChatEvents(Listenable):
    """The chat events; listening to one also shows its button in the page."""

    _listened: set[str]

    def _listen_chat(self, event: str, fn: Fn, inputs: Any, outputs: Any, options: dict[str, Any]) -> Any:
        self.__dict__.setdefault("_listened", set()).add(event)
        return self._listen(event, fn, inputs, outputs, options)

    def like(self, fn: Fn = DECORATOR, inputs: Any = None, outputs: Any = None, **options: Any) -> Any:
        """Runs when the user likes or dislikes a message (``carpool.LikeData``: index, value, liked)."""
        return self._listen_chat("like", fn, inputs, outputs, options)

    def retry(self, fn: Fn = DECORATOR, inputs: Any = None, outputs: Any = None, **options: Any) -> Any:
        """Runs when the user asks for the last answer again (``carpool.RetryData``: index, value)."""
        return self._listen_chat("retry", fn, inputs, outputs, options)

    def undo(self, fn: Fn = DECORATOR, inputs: Any = None, outputs: Any = None, **options: Any) -> Any:
        """Runs when the user takes back their last message (``carpool.UndoData``: index, value)."""
        return self._listen_chat("undo", fn, inputs, outputs, options)

    def edit(self, fn: Fn = DECORATOR, inputs: Any = None, outputs: Any = None, **options: Any) -> Any:
        """Runs when the user edits a message (``carpool.EditData``: index, value, previous_value)."""
        return self._listen_chat("edit", fn, inputs, outputs, options)

    def example_select(
        self, fn: Fn = DECORATOR, inputs: Any = None, outputs: Any = None, **options: Any
    ) -> Any:
        """Runs when the user picks one of the chatbot's ``examples`` (``carpool.SelectData``)."""
        return self._listen_chat("example_select", fn, inputs, outputs, options)

    def option_select(
        self, fn: Fn = DECORATOR, inputs: Any = None, outputs: Any = None, **options: Any
    ) -> Any:
        """Runs when the user picks one of a message's ``options`` (``carpool.SelectData``)."""
        return self._listen_chat("option_select", fn, inputs, outputs, options)

    def select(self, fn: Fn = DECORATOR, inputs: Any = None, outputs: Any = None, **options: Any) -> Any:
        """Runs when the user clicks a message (``carpool.SelectData``: its index and text)."""
        return self._listen_chat("select", fn, inputs, outputs, options)

    def copy(self, fn: Fn = DECORATOR, inputs: Any = None, outputs: Any = None, **options: Any) -> Any:
        """Runs when the user copies a message (``carpool.EventData`` with index and value)."""
        return self._listen_chat("copy", fn, inputs, outputs, options)


class Chatbot(Changeable, Clearable, _ChatEvents, Component):
    """A conversation; the function receives a list of message dicts (content as a list of parts)."""

    block_type: ClassVar[str] = "chatbot"

    def __init__(
        self,
        value: Sequence[Any] | None = None,
        *,
        type: Literal["messages"] | None = None,
        height: int | str | None = 400,
        max_height: int | str | None = None,
        min_height: int | str | None = None,
        autoscroll: bool = True,
        editable: Literal["user", "all"] | None = None,
        rtl: bool = False,
        buttons: Sequence[Any] | None = None,
        show_copy_button: bool | None = None,
        show_copy_all_button: bool | None = None,
        watermark: str | None = None,
        avatar_images: tuple[str | os.PathLike[str] | None, str | os.PathLike[str] | None] | None = None,
        sanitize_html: bool = True,
        render_markdown: bool = True,
        feedback_options: Sequence[str] | None = ("Like", "Dislike"),
        feedback_value: Sequence[str | None] | None = None,
        line_breaks: bool = True,
        layout: Literal["panel", "bubble"] | None = None,
        placeholder: str | None = None,
        examples: list[dict[str, Any]] | None = None,
        allow_file_downloads: bool = True,
        group_consecutive_messages: bool = True,
        like_user_message: bool = False,
        save_history: bool = False,
        reasoning_tags: Sequence[tuple[str, str]] | None = None,
        **common: Any,
    ) -> None:
        if type not in (None, "messages"):
            raise ValueError(
                f"Chatbot type must be 'messages' (a list of {{'role', 'content'}} dicts), got {type!r}; "
                "the 'tuples' format is not supported"
            )
        if editable not in (None, "user", "all"):
            raise ValueError(f"Chatbot editable must be None, 'user' or 'all', got {editable!r}")
        if layout not in (None, "panel", "bubble"):
            raise ValueError(f"Chatbot layout must be 'panel' or 'bubble', got {layout!r}")
        obsolete = sorted(set(common) & set(_OBSOLETE))
        for name in obsolete:
            common.pop(name)
        if obsolete:
            warnings.warn(f"Chatbot ignores: {', '.join(obsolete)}", stacklevel=3)
        self.height = height
        self.max_height = max_height
        self.min_height = min_height
        self.autoscroll = autoscroll
        self.editable = editable
        self.rtl = rtl
        wanted = {str(b) for b in buttons} if buttons is not None else {"copy", "copy_all"}
        self.show_copy_button = "copy" in wanted if show_copy_button is None else show_copy_button
        self.show_copy_all_button = (
            "copy_all" in wanted if show_copy_all_button is None else show_copy_all_button
        )
        self.watermark = watermark
        self.avatar_images = avatar_images
        self.sanitize_html = sanitize_html
        self.render_markdown = render_markdown
        self.feedback_options = list(feedback_options) if feedback_options else []
        self.feedback_value = list(feedback_value) if feedback_value is not None else None
        self.line_breaks = line_breaks
        self.layout = layout or "bubble"
        self.placeholder = placeholder
        self.examples = examples
        self.allow_file_downloads = allow_file_downloads
        self.group_consecutive_messages = group_consecutive_messages
        self.like_user_message = like_user_message
        self.save_history = save_history  # conversations kept in the browser's localStorage
        self.reasoning_tags = [(str(o), str(c)) for o, c in reasoning_tags] if reasoning_tags else None
        self._served_cache: tuple[FileStore, dict[str, Any]] | None = None
        super().__init__(value, **common)

    # -- conversion -------------------------------------------------------------------------------

    def preprocess(self, payload: Any) -> list[dict[str, Any]]:
        return messages_from_wire(payload)

    def postprocess(self, value: Any) -> list[dict[str, Any]]:
        wire = messages_to_wire(self, value)
        return split_reasoning(wire, self.reasoning_tags) if self.reasoning_tags else wire

    def api_schema(self) -> dict[str, Any]:
        return {"type": "array", "items": dict(MESSAGE_SCHEMA)}

    def example_payload(self) -> Any:
        return [
            {"role": "user", "content": [{"type": "text", "text": "Hello!"}]},
            {"role": "assistant", "content": [{"type": "text", "text": "How can I help you?"}]},
        ]

    # -- config -----------------------------------------------------------------------------------

    def component_props(self) -> dict[str, Any]:
        return {
            "height": self.height,
            "max_height": self.max_height,
            "min_height": self.min_height,
            "autoscroll": self.autoscroll,
            "editable": self.editable,
            "rtl": self.rtl,
            "show_copy_button": self.show_copy_button,
            "show_copy_all_button": self.show_copy_all_button,
            "watermark": self.watermark,
            "avatar_images": self._served()["avatars"],
            "sanitize_html": self.sanitize_html,
            "render_markdown": self.render_markdown,
            "feedback_options": self.feedback_options,
            "feedback_value": self.feedback_value,
            "line_breaks": self.line_breaks,
            "layout": self.layout,
            "placeholder": self.placeholder,
            "examples": self._served()["examples"],
            "allow_file_downloads": self.allow_file_downloads,
            "group_consecutive_messages": self.group_consecutive_messages,
            "like_user_message": self.like_user_message,
            "save_history": self.save_history,
            "listens": sorted(self.__dict__.get("_listened", ())),
        }

    def _served(self) -> dict[str, Any]:
        """Avatars and example files as FileData, copied into the store once per store (not per /config)."""
        store = current_file_store()
        if self._served_cache is None or self._served_cache[0] is not store:
            avatars = [_served_file(image) for image in self.avatar_images or (None, None)]
            self._served_cache = (store, {"avatars": avatars, "examples": self._example_messages()})
        return self._served_cache[1]

    def _example_messages(self) -> list[dict[str, Any]] | None:
        if not self.examples:
            return None
        return [
            {
                "text": example.get("text", ""),
                "display_text": example.get("display_text"),
                "files": [served for f in example.get("files", []) or [] if (served := _served_file(f))],
                "icon": _served_file(example["icon"]) if example.get("icon") else None,
            }
            for example in self.examples
        ]


def _served_file(image: Any) -> Any:
    """An avatar or example file the app's author named, as FileData; one that cannot be served (a
    missing file) is left out, logged, so the page still renders."""
    if image is None:
        return None
    if isinstance(image, str) and image.startswith(("http://", "https://")):
        return {"url": image}
    if isinstance(image, dict):
        return image
    store = current_file_store()
    path = Path(image).resolve()
    if path.is_file() and path not in store.allowed_paths:
        store.allowed_paths.append(path)  # named by the author, as deliberate as allowed_paths
    try:
        return store.add_path(path)
    except (FileAccessError, OSError) as error:
        logger.warning("Chatbot file %r cannot be shown: %s", os.fspath(image), error)
        return None


_TEXT_PART_SCHEMA = {
    "type": "object",
    "properties": {"type": {"const": "text"}, "text": {"type": "string"}},
    "required": ["type", "text"],
}
_FILE_PART_SCHEMA = {
    "type": "object",
    "properties": {
        "type": {"const": "file"},
        "file": {"type": "object", "description": "FileData from POST /upload"},
        "alt_text": {"type": ["string", "null"]},
    },
    "required": ["type", "file"],
}
MESSAGE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "title": "Message",
    "properties": {
        "role": {"enum": ["user", "assistant", "system"]},
        "content": {
            "anyOf": [
                {"type": "string"},
                {
                    "type": "array",
                    "items": {"anyOf": [{"type": "string"}, _TEXT_PART_SCHEMA, _FILE_PART_SCHEMA]},
                },
            ]
        },
        "metadata": {"type": ["object", "null"]},
        "options": {"type": ["array", "null"]},
    },
    "required": ["role", "content"],
}
