"""Dataset: a table of samples the user clicks, as Gradio's (the examples table as a component of its own).

``components`` say how each column is shown (a component or a shortcut name; they are templates: a
click does not fill them), ``samples`` are the rows. The page sends the clicked row's index; the
function receives, by ``type``, the row's values (``"values"``, default), its index (``"index"``) or
both (``"tuple"``). ``return Dataset(samples=[...])`` replaces the rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Literal

from carpool.components.base import Component
from carpool.components.events import Clickable, Selectable
from carpool.components.shortcuts import get_component
from carpool.exceptions import InvalidInputError

__all__ = ["Dataset"]

DatasetType = Literal["values", "index", "tuple"]


class Dataset(Clickable, Selectable, Component):
    block_type: ClassVar[str] = "dataset"

    def __init__(
        self,
        *,
        label: str | None = "Dataset",
        components: Sequence[Component | str] | None = None,
        samples: Sequence[Sequence[Any]] | None = None,
        headers: Sequence[str] | None = None,
        type: DatasetType = "values",
        samples_per_page: int = 10,
        **common: Any,
    ) -> None:
        if type not in ("values", "index", "tuple"):
            raise ValueError(f"Dataset type must be 'values', 'index' or 'tuple', got {type!r}")
        self.components = [get_component(c) for c in components or []]
        self.samples = self._rows(samples)
        self.headers = list(headers) if headers is not None else None
        self.type = type
        self.samples_per_page = samples_per_page
        super().__init__(None, label=label, **common)

    def _rows(self, samples: Sequence[Sequence[Any]] | None) -> list[list[Any]]:
        rows = [list(row) if isinstance(row, list | tuple) else [row] for row in samples or []]
        width = len(self.components)
        for row in rows:
            # a Dataset built only as an update (``Dataset(samples=...)``) has no components to check
            if self.components and len(row) != width:
                raise ValueError(f"Dataset sample {row!r:.100} has {len(row)} values for {width} components")
        return rows

    def preprocess(self, payload: Any) -> Any:
        if payload is None:
            return None
        if isinstance(payload, bool) or not isinstance(payload, int) or not 0 <= payload < len(self.samples):
            raise InvalidInputError(
                f"expected the index of one of {len(self.samples)} samples, got {payload!r:.50}"
            )
        if self.type == "index":
            return payload
        row = self.samples[payload]
        return (payload, row) if self.type == "tuple" else row

    def postprocess(self, value: Any) -> int | None:
        if value is None or (isinstance(value, int) and not isinstance(value, bool)):
            return value
        raise TypeError(f"a Dataset's value is the index of a sample, got {type(value).__name__}")

    def api_schema(self) -> dict[str, Any]:
        return {"type": ["integer", "null"], "description": "the index of a sample"}

    def example_payload(self) -> Any:
        return 0

    def _wire_samples(self, rows: list[list[Any]]) -> list[list[Any]]:
        return [[c.postprocess(v) for c, v in zip(self.components, row, strict=True)] for row in rows]

    def component_props(self) -> dict[str, Any]:
        return {
            "components": [c.id for c in self.components],
            "component_types": [c.block_type for c in self.components],
            "headers": self.headers or [getattr(c, "label", None) for c in self.components],
            "samples": self._wire_samples(self.samples),
            "samples_per_page": self.samples_per_page,
            "type": self.type,
        }

    def postprocess_update(self, update_: Mapping[str, Any]) -> dict[str, Any]:
        """``Dataset(samples=[...])`` returned: the new rows, kept so the next click picks from them (for
        every session, unlike Gradio's per-session update)."""
        wire = super().postprocess_update({k: v for k, v in update_.items() if k != "samples"})
        if "samples" in update_:
            self.samples = self._rows(update_["samples"])
            wire["samples"] = self._wire_samples(self.samples)
        return wire
