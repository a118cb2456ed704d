"""Model3D: a 3D model file (glTF/GLB, OBJ, STL, PLY), shown in the page with three.js.

The function gets the file's path and returns a path; nothing is converted on the server. The page
draws the model with the vendored three.js (``scripts/vendor-three``) and its orbit controls.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any, ClassVar, Literal

from carpool.components.events import DECORATOR, Changeable, Clearable, Fn, Listenable, Uploadable
from carpool.components.media import FileComponent, file_output, resolve_file_input
from carpool.exceptions import InvalidInputError
from carpool.protocol import FileData

__all__ = ["MODEL3D_EXTENSIONS", "Model3D"]

# What the page can draw. Gaussian splats (.splat), which Gradio also takes, need a renderer three.js
# does not ship: such a file is refused with that reason rather than shown blank.
MODEL3D_EXTENSIONS = (".obj", ".glb", ".gltf", ".stl", ".ply")
DisplayMode = Literal["solid", "point_cloud", "wireframe"]


class Editable(Listenable):
    def edit(self, fn: Fn = DECORATOR, inputs: Any = None, outputs: Any = None, **options: Any) -> Any:
        """Runs when the user edits the value (Model3D: a new file dropped on the viewer)."""
        return self._listen("edit", fn, inputs, outputs, options)


def _extension(name: str) -> str:
    return os.path.splitext(name)[1].lower()


def _check_extension(name: str, where: str) -> None:
    extension, shown = _extension(name), ", ".join(MODEL3D_EXTENSIONS)
    if extension == ".splat":
        raise ValueError(f"Model3D cannot show Gaussian splats ({name!r}); use {shown}")
    if extension not in MODEL3D_EXTENSIONS:
        got = extension or "no extension"
        raise ValueError(f"Model3D {where} must be one of {shown}; got {got}")


class Model3D(Changeable, Uploadable, Editable, Clearable, FileComponent):
    """A 3D model as a file path in and out (``.obj``, ``.glb``, ``.gltf``, ``.stl``, ``.ply``)."""

    block_type: ClassVar[str] = "model3d"

    def __init__(
        self,
        value: str | None = None,
        *,
        display_mode: DisplayMode | None = None,
        clear_color: Sequence[float] | None = None,
        camera_position: Sequence[float | None] = (None, None, None),
        zoom_speed: float = 1,
        pan_speed: float = 1,
        height: int | str | None = None,
        buttons: list[Any] | None = None,
        **common: Any,
    ) -> None:
        if display_mode not in (None, "solid", "point_cloud", "wireframe"):
            raise ValueError(
                f"Model3D display_mode must be 'solid', 'point_cloud' or 'wireframe', got {display_mode!r}"
            )
        if len(camera_position) != 3:
            raise ValueError("Model3D camera_position is (alpha, beta, radius): three numbers or None")
        self.display_mode = display_mode
        self.clear_color = list(clear_color) if clear_color is not None else [0, 0, 0, 0]
        self.camera_position = list(camera_position)
        self.zoom_speed = zoom_speed
        self.pan_speed = pan_speed
        self.height = height
        self.buttons = list(buttons or [])
        super().__init__(value, **common)

    def preprocess(self, payload: Any) -> str | None:
        if payload is None:
            return None
        record = resolve_file_input(payload)
        try:
            _check_extension(record.orig_name, "input")
        except ValueError as error:
            raise InvalidInputError(str(error)) from None
        return str(record.path)

    def postprocess(self, value: Any) -> FileData | None:
        if value is None:
            return None
        if isinstance(value, str | os.PathLike):
            _check_extension(os.fspath(value), "output")
        return file_output(self, value)

    def component_props(self) -> dict[str, Any]:
        return {
            "display_mode": self.display_mode,
            "clear_color": self.clear_color,
            "camera_position": self.camera_position,
            "zoom_speed": self.zoom_speed,
            "pan_speed": self.pan_speed,
            "height": self.height,
            "buttons": self.buttons,
            "extensions": list(MODEL3D_EXTENSIONS),
        }
