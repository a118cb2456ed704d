"""HighlightedText: text whose spans carry a category (or a confidence), shown as coloured marks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from carpool.components.base import Component, json_type_name
from carpool.components.events import Changeable, Selectable
from carpool.exceptions import InvalidInputError

__all__ = ["HighlightedText"]


class HighlightedText(Changeable, Selectable, Component):
    """A function returns ``[(token, category_or_None), ...]`` or ``{"text", "entities": [{"entity" |
    "entity_group", "start", "end"}]}`` (a NER pipeline's output); the wire is
    ``[{"token", "class_or_confidence"}]``."""

    block_type: ClassVar[str] = "highlightedtext"

    def __init__(
        self,
        value: Any = None,
        *,
        color_map: dict[str, str] | None = None,
        show_legend: bool = False,
        show_inline_category: bool = True,
        combine_adjacent: bool = False,
        adjacent_separator: str = "",
        show_whitespaces: bool = True,
        rtl: bool = False,
        **common: Any,
    ) -> None:
        self.color_map = color_map
        self.show_legend = show_legend
        self.show_inline_category = show_inline_category
        self.combine_adjacent = combine_adjacent
        self.adjacent_separator = adjacent_separator
        self.show_whitespaces = show_whitespaces
        self.rtl = rtl
        super().__init__(value, **common)

    def postprocess(self, value: Any) -> list[dict[str, Any]] | None:
        if value is None:
            return None
        pairs = _entity_pairs(value) if isinstance(value, Mapping) else [_pair(item) for item in value]
        if self.combine_adjacent:
            pairs = self._combined(pairs)
        return [{"token": token, "class_or_confidence": label} for token, label in pairs]

    def _combined(self, pairs: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
        combined: list[tuple[str, Any]] = []
        for token, label in pairs:
            if combined and label is not None and combined[-1][1] == label:
                combined[-1] = (combined[-1][0] + self.adjacent_separator + token, label)
            else:
                combined.append((token, label))
        return combined

    def preprocess(self, payload: Any) -> list[dict[str, Any]] | None:
        if payload is None:
            return None
        if not isinstance(payload, list) or not all(
            isinstance(item, dict) and isinstance(item.get("token"), str) for item in payload
        ):
            got = json_type_name(payload)
            raise InvalidInputError(f'HighlightedText expects an array of {{"token", ...}}, got {got}')
        return payload

    def api_schema(self) -> dict[str, Any]:
        item = {
            "type": "object",
            "properties": {
                "token": {"type": "string"},
                "class_or_confidence": {"type": ["string", "number", "null"]},
            },
            "required": ["token"],
        }
        return {"type": ["array", "null"], "items": item}

    def example_payload(self) -> list[dict[str, Any]]:
        return [{"token": "Hello", "class_or_confidence": "greeting"}]

    def component_props(self) -> dict[str, Any]:
        return {
            "color_map": self.color_map,
            "show_legend": self.show_legend,
            "show_inline_category": self.show_inline_category,
            "show_whitespaces": self.show_whitespaces,
            "rtl": self.rtl,
        }


def _pair(item: Any) -> tuple[str, Any]:
    if isinstance(item, list | tuple) and len(item) == 2:
        token, label = item
        if isinstance(label, bool) or not isinstance(label, str | int | float | type(None)):
            raise TypeError(
                f"HighlightedText label must be a str, a number or None, got {type(label).__name__}"
            )
        return str(token), label
    raise TypeError(f"HighlightedText output items must be (token, label) pairs, got {item!r:.60}")


def _entity_pairs(value: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """``{"text", "entities"}`` as (token, label) pairs, unlabelled text between the entities."""
    text = str(value.get("text", ""))
    pairs: list[tuple[str, Any]] = []
    cursor = 0
    for entity in sorted(value.get("entities") or [], key=lambda e: e["start"]):
        label = entity.get("entity_group", entity.get("entity"))
        pairs.append((text[cursor : entity["start"]], None))
        pairs.append((text[entity["start"] : entity["end"]], label))
        cursor = entity["end"]
    pairs.append((text[cursor:], None))
    return pairs
