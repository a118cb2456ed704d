"""``ImageEditor`` (and its presets ``Sketchpad`` and ``Paint``): draw on an image, in layers.

The value is Gradio's ``EditorValue``: ``{"background": image, "layers": [image, ...], "composite":
image}`` -- the picture under the drawing, one transparent image per layer, and everything flattened.
Each image is a numpy array, a PIL image or a path (``type``), in ``image_mode`` (RGBA by default, so
layers keep their transparency). On the wire each is ``FileData``: the page uploads what it drew.
A function may return an ``EditorValue`` (any part may be None, a path or an image) or a single image,
which becomes the background (and the composite).

``brush``/``eraser`` (``Brush(colors, default_color, color_mode, default_size)``, ``Eraser(default_size)``,
or ``False`` to remove the tool), ``layers`` (``LayerOptions`` or ``False``), ``canvas_size`` and
``fixed_canvas`` shape the page's editor. Gradio's webcam source and its crop/resize transforms are
not offered by carpool's editor yet (see docs/components.md).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, ClassVar, Literal

from carpool.components.base import json_type_name
from carpool.components.events import Appliable, Changeable, Clearable, Inputable, Selectable, Uploadable
from carpool.components.image import ImageType, image_output, load_image_input
from carpool.components.media import FILE_DATA_SCHEMA, FileComponent
from carpool.exceptions import InvalidInputError

__all__ = [
    "Brush",
    "Eraser",
    "ImageEditor",
    "ImageMask",
    "LayerOptions",
    "Paint",
    "Sketchpad",
    "WebcamOptions",
]

_PARTS = ("background", "layers", "composite")
_DEFAULT_COLORS = ["rgb(204, 50, 50)", "rgb(173, 204, 50)", "rgb(50, 204, 112)", "rgb(50, 112, 204)"]


@dataclasses.dataclass
class Eraser:
    """The eraser: ``default_size`` is its radius in pixels, or ``"auto"`` (from the image's size)."""

    default_size: int | Literal["auto"] = "auto"


@dataclasses.dataclass
class Brush(Eraser):
    """The brush: its palette, first colour and whether other colours may be picked (``"defaults"``)."""

    colors: list[str] | str | None = None
    default_color: str | None = None
    color_mode: Literal["fixed", "defaults"] = "defaults"

    def __post_init__(self) -> None:
        if self.colors is None:
            self.colors = list(_DEFAULT_COLORS)
        elif isinstance(self.colors, str):
            self.colors = [self.colors]
        if self.default_color is None:
            self.default_color = self.colors[0]
        if self.color_mode not in ("fixed", "defaults"):
            raise ValueError(f"Brush color_mode must be 'fixed' or 'defaults', got {self.color_mode!r}")


@dataclasses.dataclass
class LayerOptions:
    """The layers the editor starts with, and whether the user may add more."""

    allow_additional_layers: bool = True
    layers: list[str] | None = None
    disabled: bool = False

    def __post_init__(self) -> None:
        if not self.layers:
            self.layers = ["Layer 1"]


@dataclasses.dataclass
class WebcamOptions:
    """Accepted as Gradio's; carpool's editor has no webcam source yet."""

    mirror: bool = True
    constraints: dict[str, Any] | None = None


def _tool(value: Any, kind: type[Eraser], default: Eraser | None) -> dict[str, Any] | None:
    if value is False:
        return None
    if value is None:
        value = default
    if not isinstance(value, kind):
        raise TypeError(f"expected a {kind.__name__} (or False), got {type(value).__name__}")
    return dataclasses.asdict(value)


def _layer_options(value: Any) -> dict[str, Any]:
    if value is False:
        return dataclasses.asdict(LayerOptions(allow_additional_layers=False, disabled=True))
    if value is True or value is None:
        return dataclasses.asdict(LayerOptions())
    if not isinstance(value, LayerOptions):
        raise TypeError(f"layers must be True, False or a LayerOptions, got {type(value).__name__}")
    return dataclasses.asdict(value)


class ImageEditor(Changeable, Inputable, Clearable, Uploadable, Selectable, Appliable, FileComponent):
    """An image to draw on, in layers; the function gets ``{"background", "layers", "composite"}``."""

    block_type: ClassVar[str] = "imageeditor"

    def __init__(
        self,
        value: Any = None,
        *,
        height: int | str | None = None,
        width: int | str | None = None,
        image_mode: str | None = "RGBA",
        sources: Iterable[str] | None = ("upload", "webcam", "clipboard"),
        type: ImageType = "numpy",
        transforms: Iterable[str] | None = ("crop", "resize"),
        eraser: Eraser | Literal[False] | None = None,
        brush: Brush | Literal[False] | None = None,
        format: Literal["png", "webp", "jpeg"] = "webp",
        layers: bool | LayerOptions = True,
        canvas_size: tuple[int, int] = (800, 800),
        fixed_canvas: bool = False,
        webcam_options: WebcamOptions | None = None,
        placeholder: str | None = None,
        buttons: Sequence[str] | None = None,
        **common: Any,
    ) -> None:
        if type not in ("numpy", "pil", "filepath"):
            raise ValueError(f"ImageEditor type must be 'numpy', 'pil' or 'filepath', got {type!r}")
        if format not in ("png", "webp", "jpeg"):
            raise ValueError(f"ImageEditor format must be 'png', 'webp' or 'jpeg', got {format!r}")
        width_px, height_px = canvas_size
        if min(width_px, height_px) < 1:
            raise ValueError(f"ImageEditor canvas_size must be two positive numbers, got {canvas_size!r}")
        self.height, self.width = height, width
        self.image_mode = image_mode
        self.sources = [source for source in (sources or ()) if source in ("upload", "clipboard")]
        self.type = type
        self.transforms = list(transforms or ())
        self.eraser = _tool(eraser, Eraser, Eraser())
        self.brush = _tool(brush, Brush, Brush())
        self.format = format
        self.layers = _layer_options(layers)
        self.canvas_size = [int(width_px), int(height_px)]
        self.fixed_canvas = fixed_canvas
        self.placeholder = placeholder
        self.buttons = list(buttons) if buttons is not None else None
        del webcam_options  # no webcam source yet (module docstring)
        super().__init__(value, **common)

    # -- conversion -----------------------------------------------------------------------------

    def _image_in(self, payload: Any) -> Any:
        return None if payload is None else load_image_input(payload, self.type, self.image_mode)

    def preprocess(self, payload: Any) -> dict[str, Any] | None:
        if payload is None:
            return None
        if not isinstance(payload, Mapping) or not set(payload) <= {*_PARTS, "id"}:
            got = json_type_name(payload) if not isinstance(payload, Mapping) else f"keys {sorted(payload)}"
            raise InvalidInputError(f'ImageEditor expects {{"background", "layers", "composite"}}, got {got}')
        layers = payload.get("layers") or []
        if not isinstance(layers, list):
            raise InvalidInputError(f"ImageEditor layers must be an array, got {json_type_name(layers)}")
        return {
            "background": self._image_in(payload.get("background")),
            "layers": [image for image in (self._image_in(layer) for layer in layers) if image is not None],
            "composite": self._image_in(payload.get("composite")),
        }

    def _image_out(self, value: Any) -> Any:
        return None if value is None else image_output(self, value, self.format)

    def postprocess(self, value: Any) -> dict[str, Any] | None:
        if value is None:
            return None
        if isinstance(value, Mapping) and "file_id" not in value:
            unknown = set(value) - set(_PARTS)
            if unknown:
                raise ValueError(
                    f"ImageEditor output takes background, layers, composite; got {sorted(unknown)}"
                )
            return {
                "background": self._image_out(value.get("background")),
                "layers": [
                    self._image_out(layer) for layer in value.get("layers") or [] if layer is not None
                ],
                "composite": self._image_out(value.get("composite")),
            }
        image = self._image_out(value)  # one image: the picture to draw on
        return {"background": image, "layers": [], "composite": image}

    def api_schema(self) -> dict[str, Any]:
        image = {"anyOf": [dict(FILE_DATA_SCHEMA), {"type": "null"}]}
        return {
            "type": ["object", "null"],
            "properties": {
                "background": image,
                "layers": {"type": "array", "items": image},
                "composite": image,
            },
        }

    def example_payload(self) -> Any:
        return {"background": None, "layers": [], "composite": None}

    def component_props(self) -> dict[str, Any]:
        return {
            "height": self.height,
            "width": self.width,
            "sources": self.sources,
            "transforms": self.transforms,
            "eraser": self.eraser,
            "brush": self.brush,
            "layers": self.layers,
            "canvas_size": self.canvas_size,
            "fixed_canvas": self.fixed_canvas,
            "placeholder": self.placeholder,
        }


class Sketchpad(ImageEditor):
    """A blank canvas to draw on in black (Gradio's ``Sketchpad`` preset)."""

    def __init__(self, value: Any = None, **options: Any) -> None:
        options.setdefault("sources", ())
        options.setdefault("brush", Brush(colors=["#000000"], color_mode="fixed"))
        options.setdefault("canvas_size", (800, 600))
        super().__init__(value, **options)


class ImageMask(ImageEditor):
    """An image to paint a mask on in black (Gradio's ``ImageMask`` preset)."""

    def __init__(self, value: Any = None, **options: Any) -> None:
        options.setdefault("brush", Brush(colors=["#000000"], color_mode="fixed"))
        super().__init__(value, **options)


class Paint(ImageEditor):
    """A blank canvas with the full palette and no layers (Gradio's ``Paint`` preset)."""

    def __init__(self, value: Any = None, **options: Any) -> None:
        options.setdefault("sources", ())
        options.setdefault("layers", False)
        super().__init__(value, **options)
