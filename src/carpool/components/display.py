"""Label (classification results), JSON, Button and State."""

from __future__ import annotations

import copy
import json
import math
import warnings
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, Literal

import numpy as np

from carpool.components.base import Block, Component, json_type_name
from carpool.components.events import Changeable, Clickable, Selectable
from carpool.components.text import OptionalText, text_output
from carpool.exceptions import InvalidInputError

__all__ = ["JSON", "Button", "Json", "Label", "State", "to_jsonable"]

ButtonVariant = Literal["primary", "secondary", "stop", "huge"]
ButtonSize = Literal["sm", "md", "lg"]


# Item types that are JSON as they are (exact types: a subclass takes the general path).
_JSON_SCALARS = frozenset({str, int, bool, type(None)})


def to_jsonable(value: Any) -> Any:
    """``value`` with numpy arrays/scalars, tuples and sets turned into JSON types; TypeError otherwise."""
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"JSON cannot hold {value}")
        return value
    if isinstance(value, np.ndarray) and value.dtype.kind in "biuf":
        # A numeric array: one vectorised finiteness check, and tolist() already gives Python numbers
        # (an embedding's 384 floats cost ~4 us this way, ~80 us item by item).
        if value.dtype.kind == "f" and not np.isfinite(value).all():
            raise ValueError(f"JSON cannot hold {float(value[~np.isfinite(value)].flat[0])}")
        return value.tolist()
    if isinstance(value, np.generic | np.ndarray):
        return to_jsonable(value.tolist())
    if type(value) in (list, tuple) and _flat_json_sequence(value):
        return list(value)
    if isinstance(value, Mapping):
        return {_json_key(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_jsonable(item) for item in value]
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _flat_json_sequence(items: list[Any] | tuple[Any, ...]) -> bool:
    """True when every item is already JSON: a fast path for flat lists such as an embedding's floats."""
    kinds = set(map(type, items))
    if kinds <= _JSON_SCALARS:
        return True
    return kinds == {float} and all(map(math.isfinite, items))


def _json_key(key: Any) -> str:
    if isinstance(key, str):
        return key
    if isinstance(key, int | float | bool | np.generic):
        return str(key)
    raise TypeError(f"a JSON object key must be a str or a number, got {type(key).__name__}")


def _json_copy_button(buttons: list[Any] | None) -> bool:
    """Gradio's JSON shows its copy button unless ``buttons`` leaves "copy" out; custom buttons warn."""
    if buttons is None:
        return True
    custom = [button for button in buttons if button != "copy"]
    if custom:
        names = ", ".join(repr(getattr(button, "value", button)) for button in custom)
        warnings.warn(f"JSON(buttons=...) shows only 'copy'; not shown: {names}", stacklevel=4)
    return "copy" in buttons


class JSON(Changeable, Component):
    """Any JSON value, shown as an expandable tree. A ``str`` output is parsed as JSON text."""

    block_type: ClassVar[str] = "json"

    def __init__(
        self,
        value: Any = None,
        *,
        open: bool = False,
        show_indices: bool = False,
        height: int | str | None = None,
        max_height: int | str | None = 500,
        min_height: int | str | None = None,
        buttons: list[Any] | None = None,
        **common: Any,
    ) -> None:
        self.open = open
        self.show_indices = show_indices
        self.height = height
        self.max_height = max_height
        self.min_height = min_height
        self.show_copy_button = _json_copy_button(buttons)
        super().__init__(value, **common)

    def preprocess(self, payload: Any) -> Any:
        return payload

    def postprocess(self, value: Any) -> Any:
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                return value  # plain text: shown as a JSON string
        return to_jsonable(value)

    def api_schema(self) -> dict[str, Any]:
        return {}

    def example_payload(self) -> Any:
        return {"key": "value"}

    def component_props(self) -> dict[str, Any]:
        sizes = {"height": self.height, "max_height": self.max_height, "min_height": self.min_height}
        return {
            "open": self.open,
            "show_indices": self.show_indices,
            "show_copy_button": self.show_copy_button,
            **sizes,
        }


Json = JSON  # Gradio's other name for it


def _confidence(label: Any, confidence: Any) -> dict[str, Any]:
    if isinstance(confidence, bool) or not isinstance(confidence, int | float | np.integer | np.floating):
        raise TypeError(f"Label confidence of {label!r} must be a number, got {type(confidence).__name__}")
    return {"label": str(label), "confidence": float(confidence)}


class Label(Changeable, Selectable, Component):
    """A classification result: a dict ``{class: confidence}`` shows the top classes; a str shows itself."""

    block_type: ClassVar[str] = "label"

    def __init__(
        self,
        value: Any = None,
        *,
        num_top_classes: int | None = None,
        color: str | None = None,
        **common: Any,
    ) -> None:
        self.num_top_classes = num_top_classes
        self.color = color
        super().__init__(value, **common)

    def postprocess(self, value: Any) -> dict[str, Any]:
        if value is None or (isinstance(value, Mapping) and not value):
            return {}  # Gradio's empty label
        if isinstance(value, Mapping) and _is_wire_label(value):
            if value.get("confidences") is None:
                return {"label": value["label"], "confidences": None}
            return self.postprocess({c["label"]: c["confidence"] for c in value["confidences"]})
        if isinstance(value, Mapping):
            ranked = sorted(
                (_confidence(k, v) for k, v in value.items()), key=lambda c: c["confidence"], reverse=True
            )
            top = ranked[: self.num_top_classes] if self.num_top_classes is not None else ranked
            return {"label": top[0]["label"] if top else None, "confidences": top}
        return {"label": text_output(self, value), "confidences": None}  # Gradio's wire form

    def preprocess(self, payload: Any) -> Any:
        if payload is None or payload == {}:
            return None
        if not isinstance(payload, dict) or not isinstance(payload.get("label"), str | type(None)):
            got = json_type_name(payload)
            raise InvalidInputError(f'expected an object {{"label", "confidences"}}, got {got}')
        confidences = payload.get("confidences")
        if confidences is None:
            return payload.get("label")
        if not isinstance(confidences, list) or not all(_is_confidence(c) for c in confidences):
            raise InvalidInputError('"confidences" must be an array of {"label": str, "confidence": number}')
        return {c["label"]: float(c["confidence"]) for c in confidences}

    def api_schema(self) -> dict[str, Any]:
        confidence = {
            "type": "object",
            "properties": {"label": {"type": "string"}, "confidence": {"type": "number"}},
            "required": ["label", "confidence"],
        }
        return {
            "type": "object",
            "properties": {
                "label": {"type": ["string", "null"]},
                "confidences": {"type": "array", "items": confidence},
            },
        }

    def example_payload(self) -> dict[str, Any]:
        return {"label": "cat", "confidences": [{"label": "cat", "confidence": 0.9}]}

    def component_props(self) -> dict[str, Any]:
        return {"num_top_classes": self.num_top_classes, "color": self.color}


def _is_wire_label(value: Mapping[Any, Any]) -> bool:
    """Already in wire form: ``{"label": str}`` or ``{"label", "confidences": [...]}``."""
    if "confidences" in value and value["confidences"] is None:  # Gradio's form of a bare label
        return set(value) == {"label", "confidences"} and isinstance(value["label"], str)
    if "confidences" in value:
        confidences = value["confidences"]
        if not isinstance(confidences, list) or not all(_is_confidence(c) for c in confidences):
            raise ValueError('Label "confidences" must be a list of {"label": str, "confidence": number}')
        return True
    return set(value) == {"label"} and isinstance(value["label"], str)


def _is_confidence(item: Any) -> bool:
    return (
        isinstance(item, dict)
        and isinstance(item.get("label"), str)
        and isinstance(item.get("confidence"), int | float)
        and not isinstance(item.get("confidence"), bool)
    )


class Button(Clickable, OptionalText):
    """A button; its ``value`` is its text (and what the function receives if it is an input)."""

    block_type: ClassVar[str] = "button"

    def __init__(
        self,
        value: str = "Run",
        *,
        variant: ButtonVariant = "secondary",
        size: ButtonSize | None = None,
        icon: str | None = None,
        link: str | None = None,
        **common: Any,
    ) -> None:
        if variant not in ("primary", "secondary", "stop", "huge"):
            raise ValueError(f"Button variant must be 'primary', 'secondary' or 'stop', got {variant!r}")
        if size not in (None, "sm", "md", "lg"):
            raise ValueError(f"Button size must be 'sm', 'md' or 'lg', got {size!r}")
        self.variant = variant
        self.size = size
        self.icon = icon
        self.link = link
        super().__init__(value, **common)

    def example_payload(self) -> str:
        return str(self.value)

    def component_props(self) -> dict[str, Any]:
        return {"variant": self.variant, "size": self.size, "icon": self.icon, "link": self.link}


class State(Changeable, Component):
    """A per-session value that lives on the server, never sent to the browser.

    Each session starts with a deep copy of ``value``; a function's output to a State replaces that
    session's value. The app layer keeps the values (see ``initial_value``). ``.change`` listeners run
    when a function's output changes the value (also by changing it in place). ``delete_callback`` is
    called with a session's value when that session's page closes.
    """

    block_type: ClassVar[str] = "state"
    stateful: ClassVar[bool] = True

    def __init__(
        self,
        value: Any = None,
        *,
        render: bool = True,
        time_to_live: float | None = None,
        delete_callback: Callable[[Any], None] | None = None,
        key: int | str | tuple[int | str, ...] | None = None,
    ) -> None:
        if delete_callback is not None and not callable(delete_callback):
            raise TypeError(f"State(delete_callback=...) must be callable, got {delete_callback!r}")
        if time_to_live is not None:
            warnings.warn(
                "State(time_to_live=...) is not applied: a session's value stays until its page closes",
                UserWarning,
                stacklevel=3,
            )
        self.time_to_live = time_to_live
        self.delete_callback = delete_callback
        super().__init__(value, visible=False, render=render, key=key)

    def initial_value(self) -> Any:
        """A fresh deep copy of the default value for a new session (a callable value is called)."""
        return self.value() if callable(self.value) else copy.deepcopy(self.value)

    def props(self) -> dict[str, Any]:
        # the value may be a model or a secret: it never leaves the server
        return Block.props(self)

    def example_payload(self) -> Any:
        return None
