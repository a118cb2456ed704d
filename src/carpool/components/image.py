"""Image (input and output) and Gallery (a grid of images with captions)."""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence
from typing import Any, ClassVar, Literal

import numpy as np
import PIL.Image

from carpool.components._conversion import convert
from carpool.components._decode_limits import DecodeLimits
from carpool.components._imaging import ImageFormat, decode_upload, encode_image, encode_image_value
from carpool.components._recording import media_buttons, media_sources, webcam_props
from carpool.components.base import Component, json_type_name
from carpool.components.events import (
    DECORATOR,
    Changeable,
    Clearable,
    Fn,
    Inputable,
    Selectable,
    Streamable,
    Uploadable,
)
from carpool.components.files import current_file_session, current_file_store
from carpool.components.media import FILE_DATA_SCHEMA, FileComponent, example_file_data, file_output
from carpool.components.media import resolve_file_input as _resolve
from carpool.exceptions import InvalidInputError
from carpool.protocol import FileData

__all__ = ["Gallery", "Image", "image_output", "load_image_input"]

ImageType = Literal["numpy", "pil", "filepath"]
_IMAGE_TYPES = ("numpy", "pil", "filepath")
_FORMATS = ("png", "webp", "jpeg")
_MODES_KEPT = {"webp": ("RGB", "RGBA"), "jpeg": ("L", "RGB", "CMYK")}


def load_image_input(
    payload: Any, image_type: ImageType, image_mode: str | None, image_format: ImageFormat = "webp"
) -> Any:
    """An uploaded image's FileData -> ndarray / PIL image / path (converted to ``image_mode``; a converted
    file is saved in ``image_format``, as Gradio does)."""
    record = _resolve(payload)
    limits = current_file_store().decode_limits
    path = str(record.path)
    decoded = convert(
        decode_image_input, path, limits, image_type, image_mode, image_format, decode_slot=limits
    )
    if image_type != "filepath":
        return decoded
    if decoded is None:
        return path
    # the function asked for this mode: give it a file in that mode, private to the same session
    encoded, saved_format = decoded
    store = current_file_store()
    data = store.add_bytes(encoded, f"image.{saved_format}", session_id=current_file_session())
    return str(store.resolve(data["file_id"]).path)


def decode_image_input(
    path: str, limits: DecodeLimits, image_type: ImageType, image_mode: str | None, image_format: ImageFormat
) -> Any:
    """The CPU work of an image input, done in a conversion worker (or inline): an ndarray or PIL image;
    for ``"filepath"``, None when the upload already is in ``image_mode``, else ``(bytes, format)``."""
    image, converted = decode_upload(path, limits, image_mode)
    if image_type == "numpy":
        return np.array(converted)
    if image_type == "pil":
        return converted
    if converted is image:
        return None
    if converted.mode not in _MODES_KEPT.get(image_format, ()):
        image_format = "png"  # e.g. WebP has no grayscale: the function asked for "L" and gets "L"
    return encode_image(converted, image_format), image_format


def image_output(component: Component, value: Any, image_format: ImageFormat) -> FileData:
    """ndarray / PIL image (encoded) or path / FileData (copied/checked) -> FileData."""
    if isinstance(value, np.ndarray | PIL.Image.Image):
        encoded = convert(encode_image_value, value, image_format)
        return current_file_store().add_bytes(encoded, f"image.{image_format}")
    if isinstance(value, str | os.PathLike | dict):
        return file_output(component, value)
    raise TypeError(
        f"{type(component).__name__} output expects a numpy array, a PIL image or a file path, "
        f"got {type(value).__name__}"
    )


def _check_choice(name: str, value: str, allowed: Sequence[str]) -> None:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, allowed))}; got {value!r}")


class Image(Changeable, Inputable, Clearable, Uploadable, Selectable, Streamable, FileComponent):
    """An image: the function receives a numpy array (H, W, C), a PIL image or a file path.
    ``streaming=True`` (webcam): the page sends a frame every ``stream_every`` seconds (``stream``)."""

    block_type: ClassVar[str] = "image"

    def __init__(
        self,
        value: Any = None,
        *,
        type: ImageType = "numpy",
        image_mode: str | None = "RGB",
        height: int | str | None = None,
        width: int | str | None = None,
        sources: str | Sequence[str] | None = None,
        streaming: bool = False,
        webcam_options: Any = None,
        alt_text: str | None = None,
        buttons: list[Any] | None = None,
        format: ImageFormat = "webp",
        show_download_button: bool = True,
        placeholder: str | None = None,
        **common: Any,
    ) -> None:
        _check_choice("Image type", type, _IMAGE_TYPES)
        self.placeholder = placeholder
        _check_choice("Image format", format, _FORMATS)
        self.type = type
        self.image_mode = image_mode
        self.height = height
        self.width = width
        default = ("webcam",) if streaming else ("upload", "webcam", "clipboard")
        self.sources = media_sources("Image", sources, ("upload", "webcam", "clipboard"), default)
        if streaming and "webcam" not in self.sources:
            raise ValueError("Image streaming is only available if sources includes 'webcam'")
        self.streaming = streaming
        self.webcam_options = webcam_props(webcam_options)
        self.alt_text = alt_text
        self.buttons = media_buttons(buttons, ("download", "share", "fullscreen"))
        self.format = format
        self.show_download_button = show_download_button
        super().__init__(value, **common)

    def preprocess(self, payload: Any) -> Any:
        return None if payload is None else load_image_input(payload, self.type, self.image_mode, self.format)

    def postprocess(self, value: Any) -> FileData | None:
        return None if value is None else image_output(self, value, self.format)

    def component_props(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "image_mode": self.image_mode,
            "height": self.height,
            "width": self.width,
            "sources": self.sources,
            "streaming": self.streaming,
            "stream_every": self.stream_every,
            "webcam_options": self.webcam_options,
            "alt_text": self.alt_text,
            "buttons": self.buttons,
            "format": self.format,
            "show_download_button": self.show_download_button,
            "placeholder": self.placeholder,
        }


GALLERY_ITEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"image": FILE_DATA_SCHEMA, "caption": {"type": ["string", "null"]}},
    "required": ["image"],
}


class Gallery(Changeable, Selectable, Uploadable, FileComponent):
    """A grid of images, each optionally captioned: return a list of images or ``(image, caption)``."""

    block_type: ClassVar[str] = "gallery"

    def preview_open(
        self, fn: Fn = DECORATOR, inputs: Any = None, outputs: Any = None, **options: Any
    ) -> Any:
        """Runs when the user opens an item in the larger view."""
        return self._listen("preview_open", fn, inputs, outputs, options)

    def preview_close(
        self, fn: Fn = DECORATOR, inputs: Any = None, outputs: Any = None, **options: Any
    ) -> Any:
        """Runs when the user closes the larger view."""
        return self._listen("preview_close", fn, inputs, outputs, options)

    def __init__(
        self,
        value: Sequence[Any] | None = None,
        *,
        type: ImageType = "filepath",
        format: ImageFormat = "webp",
        columns: int | None = 2,
        rows: int | None = None,
        height: int | str | None = None,
        object_fit: str | None = None,
        allow_preview: bool = True,
        preview: bool | None = None,
        sources: Sequence[str] | None = None,
        **common: Any,
    ) -> None:
        _check_choice("Gallery type", type, _IMAGE_TYPES)
        self.sources = list(sources or ["upload"])
        unknown = [source for source in self.sources if source not in ("upload", "webcam", "clipboard")]
        if unknown:
            raise ValueError(f"Gallery sources must be 'upload', 'webcam' or 'clipboard', got {unknown[0]!r}")
        if "webcam" in self.sources:
            warnings.warn(
                "Gallery(sources=[..., 'webcam']): the page offers no webcam capture for a Gallery yet",
                stacklevel=3,
            )
        _check_choice("Gallery format", format, _FORMATS)
        self.type = type
        self.format = format
        self.columns = columns
        self.rows = rows
        self.height = height
        self.object_fit = object_fit
        self.allow_preview = allow_preview
        self.preview = preview
        super().__init__(value, **common)

    def preprocess(self, payload: Any) -> list[tuple[Any, str | None]] | None:
        if payload is None:
            return None
        if not isinstance(payload, list):
            raise InvalidInputError(f"expected an array of {{image, caption}}, got {json_type_name(payload)}")
        return [self._preprocess_item(item) for item in payload]

    def _preprocess_item(self, item: Any) -> tuple[Any, str | None]:
        if not isinstance(item, dict) or "image" not in item:
            raise InvalidInputError(f'expected an object {{"image", "caption"}}, got {json_type_name(item)}')
        caption = item.get("caption")
        if caption is not None and not isinstance(caption, str):
            raise InvalidInputError(f"expected a string caption, got {json_type_name(caption)}")
        return load_image_input(item["image"], self.type, None, self.format), caption

    def postprocess(self, value: Any) -> list[dict[str, Any]] | None:
        if value is None:
            return None
        if not isinstance(value, list | tuple):
            raise TypeError(f"Gallery output expects a list of images, got {type(value).__name__}")
        return [self._postprocess_item(item) for item in value]

    def _postprocess_item(self, item: Any) -> dict[str, Any]:
        image, caption = item if isinstance(item, tuple | list) and len(item) == 2 else (item, None)
        if caption is not None and not isinstance(caption, str):
            raise TypeError(f"a Gallery caption must be a str, got {type(caption).__name__}")
        return {"image": image_output(self, image, self.format), "caption": caption}

    def api_schema(self) -> dict[str, Any]:
        return {"type": "array", "items": GALLERY_ITEM_SCHEMA}

    def example_payload(self) -> list[dict[str, Any]]:
        return [{"image": example_file_data(), "caption": None}]

    def component_props(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "format": self.format,
            "columns": self.columns,
            "rows": self.rows,
            "height": self.height,
            "object_fit": self.object_fit,
            "allow_preview": self.allow_preview,
            "preview": self.preview,
            "sources": self.sources,
        }
