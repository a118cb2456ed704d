"""AnnotatedImage: a base image with labelled masks or boxes drawn over it (segmentation, detection).

A function returns ``(image, [(mask_or_box, label), ...])``: ``image`` a numpy array, PIL image or
path; each annotation either a mask (an ``(H, W)`` array of opacities in [0, 1], booleans, or 0..255)
or a box ``(x1, y1, x2, y2)`` in pixels, drawn as a filled rectangle with a solid 3-pixel border. Each
annotation goes out as an RGBA PNG in the label's ``color_map`` colour (red otherwise; the page then
turns each unmapped mask to a hue of its own), as Gradio's does. Clicking a legend entry fires
``select`` with the annotation's index and label.
"""

from __future__ import annotations

import io
import os
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import numpy as np
import PIL.Image

from carpool.components._imaging import ImageFormat
from carpool.components.base import json_type_name
from carpool.components.events import Changeable, Selectable
from carpool.components.files import current_file_store
from carpool.components.image import image_output
from carpool.components.media import FILE_DATA_SCHEMA, FileComponent, example_file_data, resolve_file_input
from carpool.exceptions import InvalidInputError
from carpool.protocol import FileData

__all__ = ["AnnotatedImage"]

BOX_BORDER = 3  # pixels of a box's outline, drawn opaque over its half-transparent fill
DEFAULT_RGB = (255, 0, 0)


def _hex_rgb(color: str) -> tuple[int, int, int]:
    digits = color.lstrip("#")
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    if len(digits) != 6:
        raise ValueError(f"AnnotatedImage color_map colours are '#rrggbb' or '#rgb', got {color!r}")
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


def _box_mask(box: Sequence[Any], height: int, width: int) -> np.ndarray:
    x1, y1, x2, y2 = (int(v) for v in box)
    mask = np.zeros((height, width))
    mask[y1:y2, x1:x2] = 0.5
    mask[y1:y2, x1 : x1 + BOX_BORDER] = 1
    mask[y1:y2, max(x2 - BOX_BORDER, 0) : x2] = 1
    mask[y1 : y1 + BOX_BORDER, x1:x2] = 1
    mask[max(y2 - BOX_BORDER, 0) : y2, x1:x2] = 1
    return mask


def _opacity(mask: np.ndarray, height: int, width: int) -> np.ndarray:
    if mask.shape[:2] != (height, width) or mask.ndim != 2:
        raise ValueError(
            f"AnnotatedImage mask must be shaped like the image, ({height}, {width}); got {mask.shape}"
        )
    values = mask.astype(float)
    if mask.dtype != bool and values.max(initial=0) > 1:
        values = values / 255.0  # a 0..255 mask
    clipped: np.ndarray = np.clip(values, 0.0, 1.0)
    return clipped


def _base_size(image: Any) -> tuple[int, int]:
    """(height, width) of the base image, without decoding a file's pixels."""
    if isinstance(image, np.ndarray):
        return int(image.shape[0]), int(image.shape[1])
    if isinstance(image, PIL.Image.Image):
        return image.height, image.width
    with PIL.Image.open(os.fspath(image)) as opened:
        return opened.height, opened.width


class AnnotatedImage(Changeable, Selectable, FileComponent):
    """An image with labelled masks/boxes; the function returns ``(image, [(mask_or_box, label)])``."""

    block_type: ClassVar[str] = "annotatedimage"

    def __init__(
        self,
        value: Any = None,
        *,
        format: ImageFormat = "webp",
        show_legend: bool = True,
        height: int | str | None = None,
        width: int | str | None = None,
        color_map: dict[str, str] | None = None,
        buttons: list[Any] | None = None,
        **common: Any,
    ) -> None:
        for color in (color_map or {}).values():
            _hex_rgb(color)
        self.format = format
        self.show_legend = show_legend
        self.height = height
        self.width = width
        self.color_map = color_map
        self.buttons = list(buttons) if buttons is not None else ["fullscreen"]
        super().__init__(value, **common)

    def preprocess(self, payload: Any) -> tuple[str, list[tuple[str, str]]] | None:
        if payload is None:
            return None
        if not isinstance(payload, Mapping) or not isinstance(payload.get("annotations", []), list):
            raise InvalidInputError(
                f'AnnotatedImage expects {{"image", "annotations": [{{"image", "label"}}]}}, got '
                f"{json_type_name(payload)}"
            )
        base = str(resolve_file_input(payload.get("image")).path)
        annotations = []
        for index, item in enumerate(payload.get("annotations") or []):
            if not isinstance(item, Mapping) or not isinstance(item.get("label"), str):
                raise InvalidInputError(
                    f'AnnotatedImage annotation {index} must be {{"image", "label": str}}'
                )
            annotations.append((str(resolve_file_input(item.get("image")).path), item["label"]))
        return base, annotations

    def postprocess(self, value: Any) -> dict[str, Any] | None:
        if value is None:
            return None
        if not isinstance(value, tuple | list) or len(value) != 2:
            got = type(value).__name__
            raise TypeError(f"AnnotatedImage output expects (image, [(mask_or_box, label), ...]), got {got}")
        image, annotations = value
        if not isinstance(image, np.ndarray | PIL.Image.Image | str | os.PathLike):
            got = type(image).__name__
            raise TypeError(
                f"AnnotatedImage's base image must be a numpy array, a PIL image or a path, got {got}"
            )
        height, width = _base_size(image)
        base = image_output(self, image, self.format)
        sections = [self._annotation(item, height, width) for item in annotations or []]
        return {"image": base, "annotations": sections}

    def _annotation(self, item: Any, height: int, width: int) -> dict[str, Any]:
        if not isinstance(item, tuple | list) or len(item) != 2:
            raise TypeError(f"AnnotatedImage annotations are (mask_or_box, label) pairs, got {item!r:.60}")
        shape, label = item
        if isinstance(shape, np.ndarray):
            opacity = _opacity(shape, height, width)
        elif isinstance(shape, tuple | list) and len(shape) == 4:
            opacity = _box_mask(shape, height, width)
        else:
            raise TypeError(
                f"AnnotatedImage mask must be an (H, W) array or a box (x1, y1, x2, y2), got {shape!r:.60}"
            )
        color = (self.color_map or {}).get(str(label))
        return {
            "image": self._mask_file(opacity, _hex_rgb(color) if color else DEFAULT_RGB),
            "label": str(label),
        }

    def _mask_file(self, opacity: np.ndarray, rgb: tuple[int, int, int]) -> FileData:
        rgba = np.zeros((*opacity.shape, 4), dtype=np.uint8)
        rgba[opacity > 0, :3] = rgb
        rgba[..., 3] = (opacity * 255).astype(np.uint8)  # truncated, as Gradio does: the same pixels
        out = io.BytesIO()
        PIL.Image.fromarray(rgba, "RGBA").save(out, "PNG")
        return current_file_store().add_bytes(out.getvalue(), "mask.png")

    def api_schema(self) -> dict[str, Any]:
        annotation = {
            "type": "object",
            "properties": {"image": dict(FILE_DATA_SCHEMA), "label": {"type": "string"}},
            "required": ["image", "label"],
        }
        return {
            "type": ["object", "null"],
            "properties": {
                "image": dict(FILE_DATA_SCHEMA),
                "annotations": {"type": "array", "items": annotation},
            },
            "required": ["image", "annotations"],
        }

    def example_payload(self) -> Any:
        return {"image": example_file_data(), "annotations": [{"image": example_file_data(), "label": "cat"}]}

    def component_props(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "show_legend": self.show_legend,
            "height": self.height,
            "width": self.width,
            "color_map": self.color_map,
            "buttons": self.buttons,
        }
