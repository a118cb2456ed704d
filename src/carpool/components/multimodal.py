"""``MultimodalTextbox``: text plus attached files, Gradio's ``{"text", "files"}`` value.

On the wire the value is ``{"text": str, "files": [FileData]}`` (files uploaded with ``POST /upload``,
as for ``File``); the function receives ``{"text": str, "files": [path, ...]}`` and may return the same
shape, a plain string, or None (an empty box).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any, ClassVar, Literal

from carpool.components.base import Component, json_type_name
from carpool.components.events import (
    DECORATOR,
    Blurrable,
    Changeable,
    Clearable,
    Fn,
    Focusable,
    Inputable,
    Listenable,
    Selectable,
    Submittable,
    Uploadable,
)
from carpool.components.media import FILE_DATA_SCHEMA, example_file_data, file_output, resolve_file_input
from carpool.exceptions import InvalidInputError

__all__ = ["MultimodalTextbox"]

_CATEGORIES = ("image", "audio", "video", "text")


class Stoppable(Listenable):
    def stop(self, fn: Fn = DECORATOR, inputs: Any = None, outputs: Any = None, **options: Any) -> Any:
        """Runs when the user presses the stop button (shown with ``stop_btn``)."""
        return self._listen("stop", fn, inputs, outputs, options)


class MultimodalTextbox(
    Changeable,
    Inputable,
    Submittable,
    Focusable,
    Blurrable,
    Selectable,
    Uploadable,
    Clearable,
    Stoppable,
    Component,
):
    """A message box that also takes files; the function receives ``{"text", "files": [paths]}``."""

    block_type: ClassVar[str] = "multimodaltextbox"

    def __init__(
        self,
        value: str | dict[str, Any] | None = None,
        *,
        sources: Sequence[str] | str | None = None,
        file_types: Sequence[str] | None = None,
        file_count: Literal["single", "multiple", "directory"] = "single",
        lines: int = 1,
        max_lines: int = 20,
        placeholder: str | None = None,
        autofocus: bool = False,
        autoscroll: bool = True,
        text_align: Literal["left", "right"] | None = None,
        rtl: bool = False,
        submit_btn: str | bool | None = True,
        stop_btn: str | bool | None = False,
        max_plain_text_length: int = 1000,
        **common: Any,
    ) -> None:
        if file_count not in ("single", "multiple", "directory"):
            raise ValueError(
                f"MultimodalTextbox file_count must be 'single', 'multiple' or 'directory': {file_count!r}"
            )
        self.sources = [sources] if isinstance(sources, str) else list(sources or ["upload"])
        self.file_types = [_file_type(t) for t in file_types] if file_types else None
        self.file_count = file_count
        self.lines = lines
        self.max_lines = max_lines
        self.placeholder = placeholder
        self.autofocus = autofocus
        self.autoscroll = autoscroll
        self.text_align = text_align
        self.rtl = rtl
        self.submit_btn = submit_btn
        self.stop_btn = stop_btn
        self.max_plain_text_length = max_plain_text_length
        super().__init__(value, **common)

    def preprocess(self, payload: Any) -> dict[str, Any] | None:
        if payload is None:
            return None
        if isinstance(payload, str):  # an API client that sends just the text
            return {"text": payload, "files": []}
        if not isinstance(payload, dict):
            raise InvalidInputError(
                f'expected {{"text": str, "files": [FileData]}}, got {json_type_name(payload)}'
            )
        text = payload.get("text") or ""
        files = payload.get("files") or []
        if not isinstance(text, str):
            raise InvalidInputError(f'"text" must be a string, got {json_type_name(text)}')
        if not isinstance(files, list):
            raise InvalidInputError(f'"files" must be a list of files, got {json_type_name(files)}')
        return {"text": text, "files": [self._load(index, item) for index, item in enumerate(files)]}

    def _load(self, index: int, payload: Any) -> str:
        try:
            record = resolve_file_input(payload)
        except InvalidInputError as error:
            raise InvalidInputError(f"file {index}: {error.message}") from None
        if not _type_allowed(self.file_types, record.orig_name, record.mime_type):
            raise InvalidInputError(f"file {index}: type not allowed; expected one of {self.file_types}")
        return str(record.path)

    def postprocess(self, value: Any) -> dict[str, Any]:
        if value is None:
            return {"text": "", "files": []}
        if isinstance(value, str):
            return {"text": value, "files": []}
        if not isinstance(value, dict):
            raise TypeError(
                "MultimodalTextbox output expects a str or a dict with 'text' and 'files', "
                f"got {type(value).__name__}"
            )
        text = value.get("text") or ""
        files = value.get("files") or []
        if not isinstance(text, str):
            raise TypeError(f"MultimodalTextbox 'text' must be a str, got {type(text).__name__}")
        if not isinstance(files, list | tuple):
            raise TypeError(f"MultimodalTextbox 'files' must be a list, got {type(files).__name__}")
        return {"text": text, "files": [file_output(self, f) for f in files]}

    def api_schema(self) -> dict[str, Any]:
        return {
            "type": "object",
            "properties": {
                "text": {"type": "string"},
                "files": {"type": "array", "items": dict(FILE_DATA_SCHEMA)},
            },
            "required": ["text"],
        }

    def example_payload(self) -> Any:
        return {"text": "Describe this image", "files": [example_file_data()]}

    def component_props(self) -> dict[str, Any]:
        return {
            "sources": self.sources,
            "file_types": self.file_types,
            "file_count": self.file_count,
            "lines": self.lines,
            "max_lines": self.max_lines,
            "placeholder": self.placeholder,
            "autofocus": self.autofocus,
            "autoscroll": self.autoscroll,
            "text_align": self.text_align,
            "rtl": self.rtl,
            "submit_btn": self.submit_btn,
            "stop_btn": self.stop_btn,
            "max_plain_text_length": self.max_plain_text_length,
        }


def _file_type(name: str) -> str:
    name = name.lower()
    return name if name.startswith(".") or name in (*_CATEGORIES, "file") else "." + name


def _type_allowed(file_types: list[str] | None, orig_name: str, mime_type: str | None) -> bool:
    if file_types is None:
        return True
    extension = os.path.splitext(orig_name)[1].lower()
    category = (mime_type or "").split("/")[0]
    return any(t == "file" or t == extension or (t in _CATEGORIES and t == category) for t in file_types)
