"""ParamViewer: a function's parameters shown as a list (name, type, default, description), as Gradio's."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Literal

from carpool.components.base import Component, json_type_name
from carpool.components.events import Changeable
from carpool.exceptions import InvalidInputError

__all__ = ["ParamViewer"]

_FIELDS = ("type", "description", "default")


def _parameter(name: Any, spec: Any) -> dict[str, Any]:
    if not isinstance(name, str) or not isinstance(spec, Mapping):
        raise TypeError(f"ParamViewer: parameter {name!r} must map to a dict of type/description/default")
    return {field: (None if spec.get(field) is None else str(spec.get(field))) for field in _FIELDS}


class ParamViewer(Changeable, Component):
    """``{name: {"type", "description", "default"}}``; descriptions are Markdown (sanitised in the page)."""

    block_type: ClassVar[str] = "paramviewer"

    def __init__(
        self,
        value: Mapping[str, Mapping[str, Any]] | None = None,
        language: Literal["python", "typescript"] = "python",
        linkify: list[str] | None = None,
        *,
        header: str | None = "Parameters",
        anchor_links: bool | str = False,
        max_height: int | str | None = None,
        **common: Any,
    ) -> None:
        if language not in ("python", "typescript"):
            raise ValueError(f"ParamViewer language must be 'python' or 'typescript', got {language!r}")
        self.language = language
        self.linkify = list(linkify or [])
        self.header = header
        self.anchor_links = anchor_links
        self.max_height = max_height
        super().__init__(value, **common)

    def preprocess(self, payload: Any) -> dict[str, dict[str, Any]] | None:
        if payload is None:
            return None
        if not isinstance(payload, dict):
            raise InvalidInputError(f"expected an object of parameters, got {json_type_name(payload)}")
        try:
            return {name: _parameter(name, spec) for name, spec in payload.items()}
        except TypeError as error:
            raise InvalidInputError(str(error)) from None

    def postprocess(self, value: Any) -> dict[str, dict[str, Any]] | None:
        if value is None:
            return None
        if not isinstance(value, Mapping):
            raise TypeError(f"ParamViewer shows a dict of parameters, got {type(value).__name__}")
        return {name: _parameter(name, spec) for name, spec in value.items()}

    def api_schema(self) -> dict[str, Any]:
        fields = {field: {"type": ["string", "null"]} for field in _FIELDS}
        return {"type": "object", "additionalProperties": {"type": "object", "properties": fields}}

    def example_payload(self) -> Any:
        return {"x": {"type": "int", "description": "a number", "default": "0"}}

    def component_props(self) -> dict[str, Any]:
        return {
            "language": self.language,
            "linkify": self.linkify,
            "header": self.header,
            "anchor_links": self.anchor_links,
            "max_height": self.max_height,
        }
