"""``Plot``: a figure made in Python -- matplotlib (drawn to an image) or Altair (a Vega-Lite chart).

The wire value is Gradio's: ``{"type": "matplotlib", "plot": "data:image/webp;base64,..."}`` or
``{"type": "altair", "plot": "<Vega-Lite JSON>"}``. A matplotlib figure (or the
``pyplot`` module, for its current figure) is saved in ``format`` and closed, as in Gradio. Plotly and
Bokeh figures need their own JavaScript libraries, which carpool does not ship: returning one is an
error saying so (draw it with matplotlib or Altair, or return an image).
"""

from __future__ import annotations

import base64
import io
import types
from collections.abc import Mapping
from typing import Any, ClassVar, Literal

from carpool.components.base import Component, json_type_name
from carpool.components.events import Changeable
from carpool.exceptions import InvalidInputError

__all__ = ["Plot"]

PlotFormat = Literal["webp", "png", "jpeg", "svg"]
_MIME = {"webp": "image/webp", "png": "image/png", "jpeg": "image/jpeg", "svg": "image/svg+xml"}
_KINDS = ("matplotlib", "altair")


def _library(value: Any) -> str:
    module = value.__name__ if isinstance(value, types.ModuleType) else type(value).__module__
    return str(module).split(".")[0]


def _matplotlib_image(value: Any, image_format: str) -> str:
    figure = value.gcf() if isinstance(value, types.ModuleType) else value
    buffer = io.BytesIO()
    figure.savefig(buffer, format=image_format, bbox_inches="tight")
    import matplotlib.pyplot as plt  # present: the figure came from it

    plt.close(figure)  # a served figure is done with; open figures would pile up
    encoded = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f"data:{_MIME[image_format]};base64,{encoded}"


class Plot(Changeable, Component):
    """A matplotlib figure or Altair chart returned by the function."""

    block_type: ClassVar[str] = "plot"

    def __init__(self, value: Any = None, *, format: PlotFormat = "webp", **common: Any) -> None:
        if format not in _MIME:
            raise ValueError(f"Plot format must be one of {', '.join(_MIME)}, got {format!r}")
        self.format = format
        super().__init__(value, **common)

    def preprocess(self, payload: Any) -> dict[str, Any] | None:
        if payload is None:
            return None
        if not isinstance(payload, Mapping) or payload.get("type") not in _KINDS:
            got = (
                json_type_name(payload)
                if not isinstance(payload, Mapping)
                else f"type {payload.get('type')!r}"
            )
            raise InvalidInputError(f'Plot expects {{"type": "matplotlib"|"altair", "plot": str}}, got {got}')
        if not isinstance(payload.get("plot"), str):
            raise InvalidInputError('Plot expects its "plot" to be a string')
        return dict(payload)

    def postprocess(self, value: Any) -> dict[str, Any] | None:
        if value is None:
            return None
        if isinstance(value, Mapping) and value.get("type") in _KINDS and isinstance(value.get("plot"), str):
            return dict(value)  # already a plot's wire value
        library = _library(value)
        if library == "matplotlib":
            return {"type": "matplotlib", "plot": _matplotlib_image(value, self.format)}
        if library == "altair":
            return {"type": "altair", "plot": value.to_json()}
        if library in ("plotly", "bokeh"):
            raise TypeError(
                f"Plot output got a {library} figure: carpool's page draws matplotlib and Altair figures "
                f"only (it does not ship {library}'s JavaScript); use one of those or return an image"
            )
        raise TypeError(
            f"Plot output expects a matplotlib figure or an Altair chart, got {type(value).__name__}"
        )

    def api_schema(self) -> dict[str, Any]:
        return {
            "type": ["object", "null"],
            "properties": {"type": {"enum": list(_KINDS)}, "plot": {"type": "string"}},
            "required": ["type", "plot"],
        }

    def example_payload(self) -> None:
        return None
