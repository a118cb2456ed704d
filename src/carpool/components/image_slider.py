"""ImageSlider: two images shown one over the other, a slider revealing one or the other (before/after).

Each image converts as :class:`~carpool.components.image.Image`'s does (``type``, ``image_mode``,
``format``); the pair travels as a two-item array, either item null.
"""

from __future__ import annotations

from typing import Any, ClassVar

from carpool.components._imaging import ImageFormat
from carpool.components.base import json_type_name
from carpool.components.events import Changeable, Clearable, Inputable, Selectable, Uploadable
from carpool.components.image import ImageType, image_output, load_image_input
from carpool.components.media import FILE_DATA_SCHEMA, FileComponent, example_file_data
from carpool.exceptions import InvalidInputError

__all__ = ["ImageSlider"]

_TYPES = ("numpy", "pil", "filepath")
_FORMATS = ("png", "webp", "jpeg")


class ImageSlider(Changeable, Inputable, Clearable, Uploadable, Selectable, FileComponent):
    """A pair of images ``(left, right)``: numpy arrays, PIL images or paths, each may be None."""

    block_type: ClassVar[str] = "imageslider"

    def __init__(
        self,
        value: Any = None,
        *,
        format: ImageFormat = "webp",
        height: int | str | None = None,
        width: int | str | None = None,
        image_mode: str | None = "RGB",
        type: ImageType = "numpy",
        buttons: list[Any] | None = None,
        slider_position: float = 50,
        max_height: int = 500,
        **common: Any,
    ) -> None:
        if type not in _TYPES:
            raise ValueError(f"ImageSlider type must be one of {', '.join(_TYPES)}; got {type!r}")
        if format not in _FORMATS:
            raise ValueError(f"ImageSlider format must be one of {', '.join(_FORMATS)}; got {format!r}")
        if not 0 <= float(slider_position) <= 100:
            raise ValueError(f"ImageSlider slider_position is a percentage (0-100), got {slider_position!r}")
        self.format = format
        self.height = height
        self.width = width
        self.image_mode = image_mode
        self.type = type
        self.buttons = list(buttons) if buttons is not None else ["download", "fullscreen"]
        self.slider_position = slider_position
        self.max_height = max_height
        super().__init__(value, **common)

    def preprocess(self, payload: Any) -> tuple[Any, Any] | None:
        if payload is None:
            return None
        if not isinstance(payload, list | tuple) or len(payload) != 2:
            got = f"{len(payload)} items" if isinstance(payload, list | tuple) else json_type_name(payload)
            raise InvalidInputError(
                f"ImageSlider expects a pair [image, image] (either may be null), got {got}"
            )
        first, second = (self._load(item) for item in payload)
        return first, second

    def _load(self, item: Any) -> Any:
        return None if item is None else load_image_input(item, self.type, self.image_mode, self.format)

    def postprocess(self, value: Any) -> list[Any] | None:
        if value is None:
            return None
        if not isinstance(value, list | tuple) or len(value) != 2:
            raise TypeError(
                f"ImageSlider output expects a pair (image, image), got {type(value).__name__}"
                + (f" of {len(value)}" if isinstance(value, list | tuple) else "")
            )
        return [None if item is None else image_output(self, item, self.format) for item in value]

    def api_schema(self) -> dict[str, Any]:
        item = {"anyOf": [dict(FILE_DATA_SCHEMA), {"type": "null"}]}
        return {"type": ["array", "null"], "prefixItems": [item, item], "minItems": 2, "maxItems": 2}

    def example_payload(self) -> Any:
        return [example_file_data(), example_file_data()]

    def component_props(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "image_mode": self.image_mode,
            "format": self.format,
            "height": self.height,
            "width": self.width,
            "buttons": self.buttons,
            "slider_position": self.slider_position,
            "max_height": self.max_height,
        }
