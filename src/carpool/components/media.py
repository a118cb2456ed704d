"""File-backed components: the shared FileData handling, and Video and File.

On the wire a file is a ``FileData`` object whose ``file_id`` the server minted (``POST /upload`` for
inputs, the file store for outputs). Inputs resolve only through the current file store and session;
outputs are copied into the store (paths) or encoded into it (arrays, images).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any, ClassVar, Literal

from carpool.components._recording import (
    MediaEvents,
    media_buttons,
    media_sources,
    warn_streaming,
    webcam_props,
)
from carpool.components.base import Component, json_type_name
from carpool.components.events import (
    DECORATOR,
    Changeable,
    Clearable,
    Fn,
    Inputable,
    Playable,
    Selectable,
    Uploadable,
)
from carpool.components.files import FileRecord, FileStore, current_file_session, current_file_store
from carpool.exceptions import InvalidInputError
from carpool.protocol import FILE_META, FileData

__all__ = [
    "FILE_DATA_SCHEMA",
    "File",
    "FileComponent",
    "NamedString",
    "Video",
    "file_output",
    "resolve_file_input",
]

FILE_DATA_SCHEMA: dict[str, Any] = {
    "type": "object",
    "title": "FileData",
    "description": "A file uploaded with POST /upload (inputs) or produced by the app (outputs).",
    "properties": {
        "file_id": {"type": "string"},
        "url": {"type": "string"},
        "orig_name": {"type": ["string", "null"]},
        "size": {"type": ["integer", "null"]},
        "mime_type": {"type": ["string", "null"]},
        "meta": {"type": "object"},
    },
    "required": ["file_id"],
}

FileCount = Literal["single", "multiple"]
FileType = Literal["filepath", "binary"]
_MEDIA_CATEGORIES = ("image", "audio", "video", "text")


def _file_type(name: str) -> str:
    """ ".PDF" -> ".pdf", "pdf" -> ".pdf"; categories ("image", ...) and "file" stay as they are."""
    name = name.lower()
    return name if name.startswith(".") or name in (*_MEDIA_CATEGORIES, "file") else "." + name


class NamedString(str):
    """A file's path that is also ``file.name``, as Gradio's File passes it (``[f.name for f in files]``)."""

    __slots__ = ()

    @property
    def name(self) -> str:
        return str(self)


def resolve_file_input(payload: Any) -> FileRecord:
    """A client's FileData -> the stored record, through the current store and session only."""
    return current_file_store().resolve_payload(payload, current_file_session())


def file_output(component: Component, value: Any) -> FileData:
    """A path (copied in if allowed) or a FileData of this store -> FileData."""
    store = current_file_store()
    if isinstance(value, str | os.PathLike):
        return store.add_path(value)
    if isinstance(value, dict) and isinstance(value.get("file_id"), str):
        return store.file_data(value["file_id"])
    raise TypeError(f"{type(component).__name__} output expects a file path, got {type(value).__name__}")


def example_file_data() -> dict[str, Any]:
    return {"file_id": "<file_id returned by POST /upload>", "meta": dict(FILE_META)}


class FileComponent(Component):
    """Base of the components whose values are files: FileData schema, cached default value."""

    _config_cache: tuple[FileStore, Any, Any] | None = None

    def config_value(self) -> Any:
        # a default file is copied into the store once per store, not on every /config
        store, value = current_file_store(), self.value
        cached = self._config_cache
        if callable(value) or cached is None or cached[0] is not store or cached[1] is not value:
            cached = (store, value, super().config_value())
            self._config_cache = cached
        return cached[2]

    def api_schema(self) -> dict[str, Any]:
        return dict(FILE_DATA_SCHEMA)

    def example_payload(self) -> Any:
        return example_file_data()


class Video(Changeable, Inputable, Clearable, Playable, Uploadable, MediaEvents, FileComponent):
    """A video file, passed to and from the function as a path (no transcoding); ``sources`` may offer
    the webcam (recorded in the page as WebM)."""

    block_type: ClassVar[str] = "video"

    def __init__(
        self,
        value: str | None = None,
        *,
        sources: str | Sequence[str] | None = None,
        streaming: bool = False,
        webcam_options: Any = None,
        buttons: list[Any] | None = None,
        playback_position: float = 0,
        height: int | str | None = None,
        width: int | str | None = None,
        autoplay: bool = False,
        loop: bool = False,
        show_download_button: bool = True,
        **common: Any,
    ) -> None:
        self.sources = media_sources("Video", sources, ("upload", "webcam"), ("upload", "webcam"))
        if streaming:
            warn_streaming("Video")
        self.streaming = streaming
        self.webcam_options = webcam_props(webcam_options)
        self.buttons = media_buttons(buttons, ("download",))
        self.playback_position = playback_position
        self.height = height
        self.width = width
        self.autoplay = autoplay
        self.loop = loop
        self.show_download_button = show_download_button
        super().__init__(value, **common)

    def preprocess(self, payload: Any) -> str | None:
        return None if payload is None else str(resolve_file_input(payload).path)

    def postprocess(self, value: Any) -> FileData | None:
        return None if value is None else file_output(self, value)

    def component_props(self) -> dict[str, Any]:
        return {
            "sources": self.sources,
            "streaming": self.streaming,
            "webcam_options": self.webcam_options,
            "buttons": self.buttons,
            "playback_position": self.playback_position,
            "height": self.height,
            "width": self.width,
            "autoplay": self.autoplay,
            "loop": self.loop,
            "show_download_button": self.show_download_button,
        }


class File(Changeable, Clearable, Selectable, Uploadable, FileComponent):
    """One file (or several, ``file_count="multiple"``) as a path or, ``type="binary"``, as bytes."""

    block_type: ClassVar[str] = "file"

    def delete(self, fn: Fn = DECORATOR, inputs: Any = None, outputs: Any = None, **options: Any) -> Any:
        """Runs when the user removes one file (``carpool.DeletedFileData``: ``file``)."""
        return self._listen("delete", fn, inputs, outputs, options)

    def __init__(
        self,
        value: str | Sequence[str] | None = None,
        *,
        file_count: FileCount = "single",
        file_types: Sequence[str] | None = None,
        type: FileType = "filepath",
        height: int | str | None = None,
        **common: Any,
    ) -> None:
        if file_count not in ("single", "multiple"):
            raise ValueError(f"File file_count must be 'single' or 'multiple', got {file_count!r}")
        if type not in ("filepath", "binary"):
            raise ValueError(f"File type must be 'filepath' or 'binary', got {type!r}")
        self.file_count = file_count
        self.file_types = [_file_type(t) for t in file_types] if file_types else None
        self.type = type
        self.height = height
        super().__init__(value, **common)

    def _load(self, payload: Any) -> str | bytes:
        record = resolve_file_input(payload)
        if not self._type_allowed(record):
            raise InvalidInputError(f"file type not allowed; expected one of {self.file_types}")
        return record.path.read_bytes() if self.type == "binary" else NamedString(record.path)

    def _type_allowed(self, record: FileRecord) -> bool:
        if self.file_types is None:
            return True
        extension = os.path.splitext(record.orig_name)[1].lower()
        category = (record.mime_type or "").split("/")[0]
        return any(
            allowed == "file"
            or allowed == extension
            or (allowed in _MEDIA_CATEGORIES and allowed == category)
            for allowed in self.file_types
        )

    def preprocess(self, payload: Any) -> Any:
        if payload is None:
            return None
        if self.file_count == "single":
            return self._load(payload)
        if not isinstance(payload, list):
            raise InvalidInputError(f"expected an array of files, got {json_type_name(payload)}")
        return [self._load(item) for item in payload]

    def postprocess(self, value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, list | tuple):
            return [file_output(self, item) for item in value]
        single = file_output(self, value)
        return [single] if self.file_count == "multiple" else single

    def api_schema(self) -> dict[str, Any]:
        if self.file_count == "multiple":
            return {"type": "array", "items": dict(FILE_DATA_SCHEMA)}
        return dict(FILE_DATA_SCHEMA)

    def example_payload(self) -> Any:
        return [example_file_data()] if self.file_count == "multiple" else example_file_data()

    def component_props(self) -> dict[str, Any]:
        return {
            "file_count": self.file_count,
            "file_types": self.file_types,
            "type": self.type,
            "height": self.height,
        }
