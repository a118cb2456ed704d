"""Native plots: LinePlot, BarPlot and ScatterPlot of a pandas DataFrame, drawn in the page by Vega-Lite.

A function returns a ``pandas.DataFrame``; the wire value is Gradio's:
``{"columns": [...], "data": [[...]], "datatypes": {column: "quantitative" | "nominal" | "temporal"},
"mark": "line" | "bar" | "point"}`` (dates as epoch milliseconds). ``x``, ``y``, ``color``, titles,
``x_lim``/``y_lim``, ``y_aggregate``, ``x_bin``, ``sort``, ``tooltip`` and ``color_map`` shape the chart.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from carpool.components.base import Component, json_type_name
from carpool.components.events import DECORATOR, Changeable, Fn, Selectable
from carpool.exceptions import InvalidInputError

__all__ = ["BarPlot", "LinePlot", "NativePlot", "ScatterPlot"]

# Options Gradio has that change nothing essential here; accepted and named in one warning.
_ACCEPTED_WITHOUT_EFFECT = ("buttons", "show_fullscreen_button")


def _datatype(series: Any) -> str:
    import pandas as pd  # the plots' data comes as pandas: it is installed wherever they are used

    if pd.api.types.is_bool_dtype(series.dtype):
        return "nominal"
    if pd.api.types.is_numeric_dtype(series.dtype):
        return "quantitative"
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        return "temporal"
    return "nominal"


def _cell(value: Any) -> Any:
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is None or isinstance(value, str | bool | int | float):
        return value
    return str(value)


class NativePlot(Changeable, Selectable, Component):
    """The shared plot; subclasses fix the mark.

    ``select`` fires when the user brushes a range of x (``SelectData.index``: ``[min, max]``, epoch ms
    for dates), ``double_click`` on a double click; the page offers the brush only when the app listens.
    """

    block_type: ClassVar[str] = "nativeplot"
    mark: ClassVar[str] = "line"
    _listened: set[str]

    def select(self, fn: Fn = DECORATOR, inputs: Any = None, outputs: Any = None, **options: Any) -> Any:
        """Runs when the user brushes a range of x values (``carpool.SelectData``: index ``[min, max]``)."""
        self.__dict__.setdefault("_listened", set()).add("select")
        return self._listen("select", fn, inputs, outputs, options)

    def double_click(
        self, fn: Fn = DECORATOR, inputs: Any = None, outputs: Any = None, **options: Any
    ) -> Any:
        """Runs when the user double-clicks the plot (Gradio's demos reset a zoom with it)."""
        self.__dict__.setdefault("_listened", set()).add("double_click")
        return self._listen("double_click", fn, inputs, outputs, options)

    def __init__(
        self,
        value: Any = None,
        x: str | None = None,
        y: str | None = None,
        *,
        color: str | None = None,
        title: str | None = None,
        x_title: str | None = None,
        y_title: str | None = None,
        color_title: str | None = None,
        x_bin: str | float | None = None,
        y_aggregate: str | None = None,
        color_map: Mapping[str, str] | None = None,
        colors_in_legend: Sequence[str] | None = None,
        x_lim: Sequence[float | None] | None = None,
        y_lim: Sequence[float | None] | None = None,
        x_label_angle: float = 0,
        y_label_angle: float = 0,
        x_axis_format: str | None = None,
        y_axis_format: str | None = None,
        x_axis_labels_visible: bool = True,
        caption: str | None = None,
        sort: str | Sequence[str] | None = None,
        tooltip: str | Sequence[str] | bool = "axis",
        height: int | None = None,
        **options: Any,
    ) -> None:
        ignored = sorted(k for k in options if k in _ACCEPTED_WITHOUT_EFFECT)
        if ignored:
            warnings.warn(f"{type(self).__name__} ignores: {', '.join(ignored)}", stacklevel=3)
        common = {k: v for k, v in options.items() if k not in _ACCEPTED_WITHOUT_EFFECT}
        if y_aggregate not in (None, "sum", "mean", "median", "min", "max", "count"):
            raise ValueError(
                f"{type(self).__name__} y_aggregate must be sum/mean/median/min/max/count: {y_aggregate!r}"
            )
        self.x, self.y, self.color = x, y, color
        self.title, self.x_title, self.y_title, self.color_title = title, x_title, y_title, color_title
        self.x_bin, self.y_aggregate = x_bin, y_aggregate
        self.color_map = dict(color_map) if color_map else None
        self.colors_in_legend = list(colors_in_legend) if colors_in_legend else None
        self.x_lim = list(x_lim) if x_lim else None
        self.y_lim = list(y_lim) if y_lim else None
        self.x_label_angle, self.y_label_angle = x_label_angle, y_label_angle
        self.x_axis_format, self.y_axis_format = x_axis_format, y_axis_format
        self.x_axis_labels_visible = x_axis_labels_visible
        self.caption = caption
        self.sort = sort if isinstance(sort, str) or sort is None else list(sort)
        self.tooltip = tooltip if isinstance(tooltip, str | bool) else list(tooltip)
        self.height = height
        super().__init__(value, **common)  # value=fn with inputs=/every=: see Component

    def postprocess(self, value: Any) -> dict[str, Any] | None:
        if value is None:
            return None
        if isinstance(value, Mapping):
            return dict(value)  # already a plot value (or an update's)
        if type(value).__name__ != "DataFrame" or not hasattr(value, "columns"):
            raise TypeError(
                f"{type(self).__name__} output expects a pandas DataFrame, got {type(value).__name__}"
            )
        frame = value.to_pandas() if hasattr(value, "to_pandas") and not hasattr(value, "iloc") else value
        datatypes = {str(c): _datatype(frame[c]) for c in frame.columns}
        rows = []
        for row in frame.itertuples(index=False, name=None):
            rows.append(
                [
                    _temporal(v) if datatypes[str(c)] == "temporal" else _cell(v)
                    for c, v in zip(frame.columns, row, strict=True)
                ]
            )
        return {
            "columns": [str(c) for c in frame.columns],
            "data": rows,
            "datatypes": datatypes,
            "mark": self.mark,
        }

    def preprocess(self, payload: Any) -> Any:
        if payload is None:
            return None
        if (
            not isinstance(payload, dict)
            or not isinstance(payload.get("columns"), list)
            or not isinstance(payload.get("data"), list)
        ):
            got = json_type_name(payload)
            raise InvalidInputError(
                f'{type(self).__name__} expects an object {{"columns", "data"}}, got {got}'
            )
        import pandas as pd

        return pd.DataFrame(payload["data"], columns=payload["columns"])

    def api_schema(self) -> dict[str, Any]:
        return {
            "type": ["object", "null"],
            "properties": {
                "columns": {"type": "array", "items": {"type": "string"}},
                "data": {"type": "array", "items": {"type": "array"}},
                "datatypes": {"type": "object"},
                "mark": {"type": "string"},
            },
        }

    def example_payload(self) -> dict[str, Any]:
        return {
            "columns": ["x", "y"],
            "data": [[1, 2]],
            "datatypes": {"x": "quantitative", "y": "quantitative"},
            "mark": self.mark,
        }

    def component_props(self) -> dict[str, Any]:
        return {
            "mark": self.mark,
            "x": self.x,
            "y": self.y,
            "color": self.color,
            "title": self.title,
            "x_title": self.x_title,
            "y_title": self.y_title,
            "color_title": self.color_title,
            "x_bin": self.x_bin,
            "y_aggregate": self.y_aggregate,
            "color_map": self.color_map,
            "colors_in_legend": self.colors_in_legend,
            "x_lim": self.x_lim,
            "y_lim": self.y_lim,
            "x_label_angle": self.x_label_angle,
            "y_label_angle": self.y_label_angle,
            "x_axis_format": self.x_axis_format,
            "y_axis_format": self.y_axis_format,
            "x_axis_labels_visible": self.x_axis_labels_visible,
            "caption": self.caption,
            "sort": self.sort,
            "tooltip": self.tooltip,
            "height": self.height,
            "listens": sorted(self.__dict__.get("_listened", ())),
        }


def _temporal(value: Any) -> Any:
    """A date cell as epoch milliseconds (what Gradio sends), NaT as null."""
    if value is None or type(value).__name__ == "NaTType":
        return None
    if hasattr(value, "timestamp"):
        return round(value.timestamp() * 1000)
    return _cell(value)


class LinePlot(NativePlot):
    """Lines through ``y`` over ``x`` (one line per ``color`` value)."""

    block_type: ClassVar[str] = "lineplot"
    mark: ClassVar[str] = "line"


class BarPlot(NativePlot):
    """Bars of ``y`` per ``x`` (stacked by ``color``; ``y_aggregate`` sums or averages repeated x)."""

    block_type: ClassVar[str] = "barplot"
    mark: ClassVar[str] = "bar"


class ScatterPlot(NativePlot):
    """Points at (``x``, ``y``), coloured by ``color``."""

    block_type: ClassVar[str] = "scatterplot"
    mark: ClassVar[str] = "point"
