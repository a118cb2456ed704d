"""Chat messages in Gradio's messages format: ``ChatMessage`` and the wire <-> Python conversions.

On the wire (what ``Chatbot`` sends and takes) a message is ``{"role", "content", "metadata",
"options"}`` whose ``content`` is a list of parts, ``{"type": "text", "text"}`` or ``{"type": "file",
"file": FileData, "alt_text"}``, as in Gradio 6. A function receives the same shape with each file's
``path`` added, and may return looser forms: ``content`` as a string, a file path ``{"path": ...}``, a
media component (``Image("cat.png")``), a ``(path,)`` tuple, or a list of those.

Clients may also send ``content`` as a plain string or OpenAI's text parts, so an OpenAI-style
``messages`` list is a valid Chatbot value.
"""

from __future__ import annotations

import inspect
import mimetypes
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from carpool.components.base import Component, json_type_name
from carpool.components.files import current_file_session, current_file_store
from carpool.exceptions import InvalidInputError

__all__ = [
    "ROLES",
    "ChatMessage",
    "message_from_wire",
    "message_to_wire",
    "messages_from_wire",
    "messages_to_wire",
    "split_reasoning",
    "text_part",
]

Role = Literal["user", "assistant", "system"]
ROLES: Final = ("user", "assistant", "system")

# metadata keys Gradio's ChatMessage knows, with the JSON types each may take
_METADATA_TYPES: Final[dict[str, tuple[type, ...]]] = {
    "title": (str,),
    "id": (str, int),
    "parent_id": (str, int),
    "log": (str,),
    "duration": (int, float),
    "status": (str,),
}
_STATUSES: Final = ("pending", "done")
_EXTERNAL: Final = ("http://", "https://")


@dataclass
class ChatMessage:
    """One message of a conversation (``content`` is text, a file, a media component, or a list of those).

    ``metadata`` shows the message as a collapsible "thought" / tool call: ``title`` (required for
    that), ``log``, ``duration`` (seconds), ``status`` (``"pending"`` shows a spinner and keeps it open,
    ``"done"`` closes it), ``id``/``parent_id`` to nest thoughts. ``options`` are suggested replies.
    """

    content: Any
    role: Role = "assistant"
    metadata: dict[str, Any] = field(default_factory=dict)
    options: list[dict[str, Any]] = field(default_factory=list)


def text_part(text: str) -> dict[str, Any]:
    return {"type": "text", "text": text}


# -- wire -> Python (inputs) --------------------------------------------------------------------------


def messages_from_wire(payload: Any) -> list[dict[str, Any]]:
    """A client's messages -> what the function receives; InvalidInputError says which message is bad."""
    if payload is None:
        return []
    if not isinstance(payload, list):
        raise InvalidInputError(f"expected a list of messages, got {json_type_name(payload)}")
    return [message_from_wire(message, index) for index, message in enumerate(payload)]


def message_from_wire(message: Any, index: int) -> dict[str, Any]:
    where = f"message {index}"
    if not isinstance(message, dict) or "role" not in message or "content" not in message:
        raise InvalidInputError(
            f'{where}: expected an object with "role" and "content", got {_describe(message)}'
        )
    role = message["role"]
    if role not in ROLES:
        raise InvalidInputError(f"{where}: role must be one of {', '.join(ROLES)}; got {role!r}")
    return {
        "role": role,
        "metadata": _checked_metadata(message.get("metadata"), where, InvalidInputError),
        "content": [_part_from_wire(part, where) for part in _as_parts(message["content"])],
        "options": _checked_options(message.get("options"), where, InvalidInputError),
    }


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        return f"an object with keys {sorted(value)}" if value else "an empty object"
    return json_type_name(value)


def _as_parts(content: Any) -> list[Any]:
    return content if isinstance(content, list) else [content]


def _part_from_wire(part: Any, where: str) -> dict[str, Any]:
    if isinstance(part, str):
        return text_part(part)
    if isinstance(part, dict) and part.get("type") == "text":
        if not isinstance(part.get("text"), str):
            raise InvalidInputError(f'{where}: a text part needs "text" as a string')
        return text_part(part["text"])
    if isinstance(part, dict) and part.get("type") == "file":
        alt = part.get("alt_text")
        return {
            "type": "file",
            "file": _file_from_wire(part.get("file"), where),
            "alt_text": _text_or_none(alt),
        }
    if isinstance(part, dict) and ("file_id" in part or "url" in part) and "type" not in part:
        return {"type": "file", "file": _file_from_wire(part, where), "alt_text": None}
    kind = (
        f"a part of type {part['type']!r}" if isinstance(part, dict) and "type" in part else _describe(part)
    )
    raise InvalidInputError(
        f'{where}: content must be text or files ({{"type": "text"}} / {{"type": "file"}} parts), got {kind}'
    )


def _text_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _file_from_wire(payload: Any, where: str) -> dict[str, Any]:
    """A file part's FileData -> the file the function may open (``path``), or an external URL."""
    if isinstance(payload, dict) and "file_id" not in payload and _is_external(payload.get("url")):
        # never fetched by the server: passed on for the function to decide
        return {"path": None, "url": payload["url"], "orig_name": _text_or_none(payload.get("orig_name"))}
    try:
        record = current_file_store().resolve_payload(payload, current_file_session())
    except InvalidInputError as error:
        raise InvalidInputError(f"{where}: file: {error.message}") from None
    return {
        "path": str(record.path),
        "file_id": record.file_id,
        "url": f"/file/{record.file_id}",
        "orig_name": record.orig_name,
        "mime_type": record.mime_type,
        "size": record.size,
    }


def _is_external(url: Any) -> bool:
    return isinstance(url, str) and url.startswith(_EXTERNAL)


def _checked_metadata(metadata: Any, where: str, error: Callable[[str], Exception]) -> dict[str, Any] | None:
    if metadata is None:
        return None
    if not isinstance(metadata, Mapping):
        raise error(f"{where}: metadata must be an object, got {_describe(metadata)}")
    checked: dict[str, Any] = {}
    for key, kinds in _METADATA_TYPES.items():
        if key not in metadata or metadata[key] is None:
            continue
        value = metadata[key]
        if isinstance(value, bool) or not isinstance(value, kinds):
            raise error(f"{where}: metadata {key!r} must be {' or '.join(k.__name__ for k in kinds)}")
        if key == "status" and value not in _STATUSES:
            raise error(f"{where}: metadata 'status' must be 'pending' or 'done', got {value!r}")
        checked[key] = value
    return checked


def _checked_options(
    options: Any, where: str, error: Callable[[str], Exception]
) -> list[dict[str, Any]] | None:
    if options is None:
        return None
    if not isinstance(options, list | tuple):
        raise error(f"{where}: options must be a list, got {_describe(options)}")
    checked = []
    for option in options:
        if isinstance(option, str):
            option = {"value": option}
        if not isinstance(option, Mapping) or not isinstance(option.get("value"), str):
            raise error(f'{where}: each option is {{"value": str, "label": str}}')
        label = option.get("label")
        checked.append({"value": option["value"], **({"label": str(label)} if label is not None else {})})
    return checked


# -- Python -> wire (outputs) -------------------------------------------------------------------------


def messages_to_wire(component: Component, value: Any) -> list[dict[str, Any]]:
    """A function's conversation -> the wire; TypeError/ValueError name the message that cannot be shown."""
    if value is None:
        return []
    if not isinstance(value, list | tuple):
        raise TypeError(f"Chatbot expects a list of messages, got {type(value).__name__}")
    wire = []
    for index, message in enumerate(value):
        converted = message_to_wire(component, message, index)
        if converted is not None:
            wire.append(converted)
    return wire


def message_to_wire(component: Component, message: Any, index: int) -> dict[str, Any] | None:
    """One message (a ChatMessage or a dict) -> wire form; None for one with nothing to show."""
    where = f"message {index}"
    metadata: Any
    options: Any
    if isinstance(message, ChatMessage):
        role, content, metadata, options = message.role, message.content, message.metadata, message.options
    elif isinstance(message, Mapping) and "role" in message and "content" in message:
        role, content = message["role"], message["content"]
        metadata, options = message.get("metadata"), message.get("options")
    elif isinstance(message, list | tuple) and len(message) == 2:
        raise TypeError(
            f"{where}: Chatbot takes messages ({{'role', 'content'}} dicts or ChatMessage); "
            "[user, bot] pairs (the old 'tuples' format) are not supported"
        )
    else:
        raise TypeError(
            f"{where}: expected a dict with 'role' and 'content' or a ChatMessage, got {message!r:.80}"
        )
    if role not in ROLES:
        raise ValueError(f"{where}: role must be one of {', '.join(ROLES)}; got {role!r}")
    items = content if isinstance(content, list) else [content]
    parts = [part for part in (_part_to_wire(component, item, where) for item in items) if part is not None]
    if not parts:
        return None
    return {
        "role": role,
        "metadata": _checked_metadata(metadata or None, where, ValueError),
        "content": parts,
        "options": _checked_options(options or None, where, ValueError),
    }


def _part_to_wire(component: Component, item: Any, where: str) -> dict[str, Any] | None:
    if item is None:
        return None
    if isinstance(item, str):
        return text_part(inspect.cleandoc(item))
    if isinstance(item, Component):
        return _component_part(component, item, where)
    if isinstance(item, tuple) and item and isinstance(item[0], str | os.PathLike):
        alt = item[1] if len(item) > 1 and isinstance(item[1], str) else None
        return {"type": "file", "file": _file_to_wire(item[0]), "alt_text": alt}
    if isinstance(item, Mapping):
        return _mapping_part(item, where)
    raise TypeError(f"{where}: content must be text, a file or a media component, got {type(item).__name__}")


def _mapping_part(item: Mapping[str, Any], where: str) -> dict[str, Any]:
    kind = item.get("type")
    if kind == "text":
        if not isinstance(item.get("text"), str):
            raise TypeError(f'{where}: a text part needs "text" as a str')
        return text_part(item["text"])
    if kind == "file":
        return {
            "type": "file",
            "file": _file_to_wire(item.get("file")),
            "alt_text": _text_or_none(item.get("alt_text")),
        }
    if kind is None and ("path" in item or "file_id" in item or "url" in item):
        return {"type": "file", "file": _file_to_wire(item), "alt_text": _text_or_none(item.get("alt_text"))}
    raise TypeError(f"{where}: content {dict(item)!r:.80} is neither text nor a file")


def _component_part(component: Component, item: Component, where: str) -> dict[str, Any]:
    """A media component returned as content (``Image("cat.png")``): shown as its file."""
    value = item.value() if callable(item.value) else item.value
    if value is None:
        raise ValueError(f"{where}: a {type(item).__name__} returned as content needs a value")
    return {"type": "file", "file": _file_to_wire(value), "alt_text": getattr(item, "label", None)}


def _file_to_wire(value: Any) -> dict[str, Any]:
    """A path, a file dict (``path`` / ``file_id`` / external ``url``) -> FileData the page can show."""
    if isinstance(value, Mapping):
        if isinstance(value.get("file_id"), str):
            return dict(current_file_store().file_data(value["file_id"]))
        if value.get("path") is not None:
            return _file_to_wire(value["path"])
        if _is_external(value.get("url")):
            return _external_file(value["url"], value.get("orig_name"))
        raise ValueError(f"a file needs a 'path', a 'file_id' or an http(s) 'url'; got keys {sorted(value)}")
    if isinstance(value, str) and _is_external(value):
        return _external_file(value, None)
    if isinstance(value, str | os.PathLike):
        return dict(current_file_store().add_path(value))
    raise TypeError(f"a file is a path or a file dict, got {type(value).__name__}")


def _external_file(url: str, name: Any) -> dict[str, Any]:
    orig_name = name if isinstance(name, str) else url.rsplit("/", 1)[-1].split("?", 1)[0] or "file"
    return {"url": url, "orig_name": orig_name, "mime_type": mimetypes.guess_type(orig_name)[0], "size": None}


# -- reasoning tags -----------------------------------------------------------------------------------


def split_reasoning(messages: list[dict[str, Any]], tags: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """Text between reasoning tags (``<think>…</think>``) becomes its own collapsible "Reasoning"
    message, pending while its closing tag has not arrived yet (a streamed thought); as Gradio does."""
    pattern = re.compile("|".join(f"({re.escape(o)})(.*?)(?:{re.escape(c)}|$)" for o, c in tags), re.DOTALL)
    closers = tuple(close for _, close in tags)
    out: list[dict[str, Any]] = []
    for message in messages:
        texts = [part for part in message["content"] if part["type"] == "text"]
        if not any(pattern.search(part["text"]) for part in texts):
            out.append(message)
            continue
        others = [part for part in message["content"] if part["type"] != "text"]
        for part in texts:
            for text, thinking, pending in _segments(part["text"], pattern, closers):
                meta = {"title": "Reasoning", "status": "pending" if pending else "done"}
                out.append(
                    {
                        **message,
                        "content": [text_part(text)],
                        "metadata": meta if thinking else message["metadata"],
                    }
                )
        if others:
            out.append({**message, "content": others})
    return out


def _segments(text: str, pattern: re.Pattern[str], closers: tuple[str, ...]) -> list[tuple[str, bool, bool]]:
    """(text, is a thought, thought still open) in order; blank prose between them dropped."""
    segments: list[tuple[str, bool, bool]] = []
    end = 0
    for match in pattern.finditer(text):
        prose = text[end : match.start()].strip()
        if prose:
            segments.append((prose, False, False))
        thought = next((g for g in match.groups()[1::2] if g is not None), "").strip()
        if thought:
            segments.append((thought, True, not match.group(0).endswith(closers)))
        end = match.end()
    if text[end:].strip():
        segments.append((text[end:].strip(), False, False))
    return segments
