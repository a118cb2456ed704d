"""Dataframe: a table of values, shown as a grid (editable when it is an input).

Wire value, as Gradio's: ``{"headers": [str, ...], "data": [[cell, ...], ...], "metadata": null}``.
The function receives a ``pandas.DataFrame`` (``type="pandas"``, the default), a ``numpy`` array
(``"numpy"``) or a list of rows (``"array"``); it may return any of those, a pandas ``Styler``, a dict
``{"headers", "data"}``, a flat list (one column) or the path of a CSV file.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Literal

import numpy as np

from carpool.components.base import Component, json_type_name
from carpool.components.events import DECORATOR, Changeable, Fn, Inputable, Selectable
from carpool.exceptions import InvalidInputError

__all__ = ["DataFrame", "Dataframe"]

DataframeType = Literal["pandas", "numpy", "array", "polars"]
DATATYPES = frozenset({"str", "number", "bool", "date", "markdown", "html", "image", "auto"})
DEFAULT_COLUMNS = 3


def _count(value: Any, what: str) -> int | None:
    """``row_count``/``column_count``: an int, or Gradio's older ``(n, "fixed" | "dynamic")``."""
    if value is None:
        return None
    count = value[0] if isinstance(value, tuple | list) else value
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise ValueError(f"Dataframe {what} must be a non-negative int, got {value!r}")
    return count


def _cell(value: Any) -> Any:
    """One cell in JSON form: numpy scalars as Python, NaN/NaT as null, dates and the rest as text."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, datetime.datetime | datetime.date):
        return None if _is_nat(value) else str(value)
    if _is_nat(value):
        return None
    return str(value)


def _is_nat(value: Any) -> bool:
    return type(value).__name__ == "NaTType"


def _rows(value: Any) -> list[list[Any]]:
    """A list of rows from a list/tuple/array; a flat list is one column."""
    items = value.tolist() if isinstance(value, np.ndarray) else list(value)
    if items and not isinstance(items[0], list | tuple | np.ndarray):
        return [[_cell(item)] for item in items]
    return [[_cell(cell) for cell in (row.tolist() if isinstance(row, np.ndarray) else row)] for row in items]


class Dataframe(Changeable, Inputable, Selectable, Component):
    """A table. ``headers`` name the columns when the value has none; ``datatype`` is per column or one
    for all (``"str"``, ``"number"``, ``"bool"``, ``"date"``, ``"markdown"``, ``"html"``)."""

    block_type: ClassVar[str] = "dataframe"

    def edit(self, fn: Fn = DECORATOR, inputs: Any = None, outputs: Any = None, **options: Any) -> Any:
        """Runs when the user edits a cell (``carpool.EditData``: index ``[row, column]``, value,
        previous_value)."""
        return self._listen("edit", fn, inputs, outputs, options)

    def __init__(
        self,
        value: Any = None,
        *,
        headers: Sequence[str] | None = None,
        row_count: int | tuple[int, str] | None = None,
        row_limits: tuple[int | None, int | None] | None = None,
        col_count: int | tuple[int, str] | None = None,
        column_count: int | tuple[int, str] | None = None,
        column_limits: tuple[int | None, int | None] | None = None,
        datatype: str | Sequence[str] = "str",
        type: DataframeType = "pandas",  # Gradio's name
        latex_delimiters: list[dict[str, Any]] | None = None,
        max_height: int | str = 500,
        wrap: bool = False,
        line_breaks: bool = True,
        column_widths: Sequence[str | int] | None = None,
        buttons: Sequence[str] | None = None,
        show_row_numbers: bool = False,
        max_chars: int | None = None,
        show_search: Literal["none", "search", "filter"] = "none",
        pinned_columns: int | None = None,
        static_columns: Sequence[int] | None = None,
        show_fullscreen_button: bool = False,
        show_copy_button: bool = False,
        **common: Any,
    ) -> None:
        if type not in ("pandas", "numpy", "array", "polars"):
            raise ValueError(f"Dataframe type must be 'pandas', 'numpy', 'array' or 'polars', got {type!r}")
        if show_search not in ("none", "search", "filter"):
            raise ValueError(f"Dataframe show_search must be 'none', 'search' or 'filter': {show_search!r}")
        self.headers = [str(h) for h in headers] if headers is not None else None
        self.row_count = _count(row_count, "row_count")
        columns = _count(column_count if column_count is not None else col_count, "column_count")
        self.column_count = columns if columns is not None else len(self.headers or []) or DEFAULT_COLUMNS
        self.row_limits = row_limits
        self.column_limits = column_limits
        self.datatype = self._check_datatype(datatype)
        self.type = type
        self.latex_delimiters = latex_delimiters
        self.max_height = max_height
        self.wrap = wrap
        self.line_breaks = line_breaks
        self.column_widths = list(column_widths or [])
        self.buttons = list(buttons) if buttons is not None else None
        if show_fullscreen_button or show_copy_button:
            extra = ["fullscreen"] * show_fullscreen_button + ["copy"] * show_copy_button
            self.buttons = [*(self.buttons or []), *extra]
        self.show_row_numbers = show_row_numbers
        self.max_chars = max_chars
        self.show_search = show_search
        self.pinned_columns = pinned_columns
        self.static_columns = list(static_columns or [])
        super().__init__(value, **common)

    @staticmethod
    def _check_datatype(datatype: str | Sequence[str]) -> str | list[str]:
        kinds = [datatype] if isinstance(datatype, str) else list(datatype)
        unknown = [kind for kind in kinds if kind not in DATATYPES]
        if unknown:
            raise ValueError(
                f"Dataframe datatype {unknown[0]!r} is not one of: {', '.join(sorted(DATATYPES))}"
            )
        return datatype if isinstance(datatype, str) else kinds

    # -- conversion ---------------------------------------------------------------------------------

    def preprocess(self, payload: Any) -> Any:
        if payload is None:
            payload = {"headers": self._default_headers(0), "data": []}
        headers, data = self._wire_table(payload)
        if self.type == "array":
            return data
        if self.type == "numpy":
            return np.array(data)
        if self.type == "polars":
            import polars  # optional: only a type="polars" Dataframe needs it

            return polars.DataFrame(data, schema=headers, orient="row")
        import pandas as pd  # a dependency of the data components only, loaded when a table is used

        return pd.DataFrame(data, columns=headers)

    def _wire_table(self, payload: Any) -> tuple[list[str], list[list[Any]]]:
        if not isinstance(payload, dict) or not isinstance(payload.get("data"), list):
            raise InvalidInputError(
                f'Dataframe expects an object {{"headers": [...], "data": [[...], ...]}}, '
                f"got {json_type_name(payload)}"
            )
        data = [] if payload["data"] == [[]] else payload["data"]
        for number, row in enumerate(data):
            if not isinstance(row, list):
                raise InvalidInputError(f"Dataframe row {number} must be an array, got {json_type_name(row)}")
        width = len(data[0]) if data else None
        if any(len(row) != width for row in data):
            raise InvalidInputError("Dataframe rows must all have the same number of cells")
        headers = payload.get("headers")
        if headers is None:
            headers = self._default_headers(width or 0)
        if not isinstance(headers, list) or (width is not None and len(headers) != width):
            raise InvalidInputError(f"Dataframe headers must be an array of {width} column name(s)")
        return [str(h) for h in headers], data

    def postprocess(self, value: Any) -> dict[str, Any]:
        headers, data, metadata = self._table_of(value)
        if not data:
            return {"headers": headers or self._default_headers(0), "data": [], "metadata": None}
        width = len(data[0])
        headers = (headers or self.headers or [])[:width]
        headers = [*headers, *(str(i) for i in range(len(headers) + 1, width + 1))]
        return {"headers": [str(h) for h in headers], "data": data, "metadata": metadata}

    def _table_of(self, value: Any) -> tuple[list[str] | None, list[list[Any]], Any]:
        """(headers or None, rows, metadata) of anything a function may return."""
        if value is None:
            return None, [], None
        if isinstance(value, str):
            import pandas as pd

            value = pd.read_csv(value)
        kind = type(value).__name__
        if kind == "Styler":
            value = value.data
        if kind in ("DataFrame", "Styler") and hasattr(value, "columns"):
            if hasattr(value, "to_pandas") and not hasattr(value, "iloc"):
                value = value.to_pandas()  # polars
            rows = [[_cell(cell) for cell in row] for row in value.itertuples(index=False, name=None)]
            return [str(c) for c in value.columns], rows, None
        if isinstance(value, Mapping):
            if "data" not in value:
                raise ValueError('Dataframe output dict needs a "data" key (and optionally "headers")')
            headers = value.get("headers")
            return (list(headers) if headers else None), _rows(value["data"]), value.get("metadata")
        if isinstance(value, np.ndarray | list | tuple):
            return None, _rows(value), None
        raise TypeError(
            f"Dataframe output expects a DataFrame, numpy array, list of rows, dict or CSV path, "
            f"got {type(value).__name__}"
        )

    def _default_headers(self, width: int) -> list[str]:
        if self.headers is not None:
            return list(self.headers)
        return [str(i) for i in range(1, (width or self.column_count) + 1)]

    def api_schema(self) -> dict[str, Any]:
        return {
            "type": "object",
            "properties": {
                "headers": {"type": "array", "items": {"type": "string"}},
                "data": {"type": "array", "items": {"type": "array", "items": {}}},
                "metadata": {"type": ["object", "null"]},
            },
            "required": ["headers", "data"],
        }

    def example_payload(self) -> dict[str, Any]:
        headers = self._default_headers(0)
        return {"headers": headers, "data": [["" for _ in headers]], "metadata": None}

    def component_props(self) -> dict[str, Any]:
        return {
            "headers": self.headers,
            "row_count": self.row_count,
            "row_limits": self.row_limits,
            "column_count": self.column_count,
            "column_limits": self.column_limits,
            "datatype": self.datatype,
            "max_height": self.max_height,
            "wrap": self.wrap,
            "line_breaks": self.line_breaks,
            "column_widths": self.column_widths,
            "buttons": self.buttons,
            "show_row_numbers": self.show_row_numbers,
            "max_chars": self.max_chars,
            "show_search": self.show_search,
            "pinned_columns": self.pinned_columns,
            "static_columns": self.static_columns,
            "latex_delimiters": self.latex_delimiters,
        }


DataFrame = Dataframe  # Gradio exports both spellings
