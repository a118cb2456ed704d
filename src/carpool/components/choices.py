"""Choice components: Checkbox, CheckboxGroup, Dropdown, Radio.

Choices are given as values (``["a", "b"]``) or ``(label, value)`` pairs; on the wire the front end gets
``[[label, value], ...]`` and sends back values. ``type="index"`` gives the function positions instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar, Final, Literal

import numpy as np

from carpool.components.base import Component, json_type_name
from carpool.components.events import Blurrable, Changeable, Focusable, Inputable, KeyUppable, Selectable
from carpool.exceptions import InvalidInputError

__all__ = ["FIRST_CHOICE", "Checkbox", "CheckboxGroup", "Dropdown", "Radio", "normalize_choices"]

ChoiceType = Literal["value", "index"]
Choice = tuple[str, Any]


def normalize_choices(choices: Sequence[Any] | None) -> list[Choice]:
    """``["a", ("B", 2)]`` -> ``[("a", "a"), ("B", 2)]``; labels are always strings."""
    normalized: list[Choice] = []
    for choice in choices or []:
        if isinstance(choice, tuple | list):
            if len(choice) != 2:
                raise ValueError(f"a choice pair must be (label, value), got {choice!r}")
            normalized.append((str(choice[0]), _scalar(choice[1])))
        else:
            normalized.append((str(choice), _scalar(choice)))
    return normalized


def _scalar(value: Any) -> Any:
    if isinstance(value, np.generic):
        value = value.item()
    if value is not None and not isinstance(value, str | int | float | bool):
        raise ValueError(f"a choice value must be a str or a number, got {type(value).__name__}")
    return value


class _ChoiceComponent(Component):
    """Shared checks of the components whose values come from ``choices``."""

    def _setup_choices(self, choices: Sequence[Any] | None, choice_type: ChoiceType) -> None:
        if choice_type not in ("value", "index"):
            raise ValueError(f"{type(self).__name__} type must be 'value' or 'index', got {choice_type!r}")
        self.choices = normalize_choices(choices)
        self.type = choice_type

    def _values(self) -> list[Any]:
        return [value for _, value in self.choices]

    def _index_of(self, payload: Any) -> int | None:
        # 1 == True in Python: a bool only matches a bool choice, a number only a number
        for index, value in enumerate(self._values()):
            if value == payload and isinstance(value, bool) == isinstance(payload, bool):
                return index
        return None

    def _pick(self, payload: Any, *, allow_custom: bool = False) -> Any:
        """One wire value -> the function's value (the value itself or its index)."""
        if not isinstance(payload, str | int | float):
            raise InvalidInputError(f"expected one of the choices, got {json_type_name(payload)}")
        index = self._index_of(payload)
        if index is None:
            if not allow_custom:
                raise InvalidInputError(f"{payload!r} is not one of the choices {self._values()!r}")
            return None if self.type == "index" else payload
        return index if self.type == "index" else payload

    def _output_scalar(self, value: Any) -> Any:
        if isinstance(value, np.generic):
            value = value.item()
        if not isinstance(value, str | int | float):
            kind = type(value).__name__
            raise TypeError(f"{type(self).__name__} output expects a choice value, got {kind}")
        return value

    def _enum_schema(self) -> dict[str, Any]:
        values = self._values()
        return {"enum": values} if values else {"type": ["string", "number"]}

    def wire_prop(self, name: str, value: Any) -> Any:
        if name == "choices":
            return [list(choice) for choice in normalize_choices(value)]
        return super().wire_prop(name, value)

    def _choice_props(self) -> dict[str, Any]:
        return {"choices": [list(choice) for choice in self.choices], "type": self.type}


class Checkbox(Changeable, Inputable, Selectable, Component):
    """A single tick box; the function receives a ``bool``."""

    block_type: ClassVar[str] = "checkbox"

    def __init__(self, value: bool = False, **common: Any) -> None:
        super().__init__(value, **common)

    def preprocess(self, payload: Any) -> bool | None:
        if payload is None:
            return None  # an API call that sends no value: Gradio passes None too
        if not isinstance(payload, bool):
            raise InvalidInputError(f"expected a boolean, got {json_type_name(payload)}")
        return payload

    def postprocess(self, value: Any) -> bool:
        if value is None:
            return False
        if not isinstance(value, bool | np.bool_):
            raise TypeError(f"Checkbox output expects a bool, got {type(value).__name__}")
        return bool(value)

    def api_schema(self) -> dict[str, Any]:
        return {"type": "boolean"}

    def example_payload(self) -> bool:
        return True


class CheckboxGroup(Changeable, Inputable, Selectable, _ChoiceComponent):
    """Several tick boxes; the function receives the list of ticked values (or their indices)."""

    block_type: ClassVar[str] = "checkboxgroup"

    def __init__(
        self,
        choices: Sequence[Any] | None = None,
        *,
        value: Sequence[Any] | None = None,
        type: ChoiceType = "value",
        **common: Any,
    ) -> None:
        self._setup_choices(choices, type)
        super().__init__(list(value or []), **common)

    def preprocess(self, payload: Any) -> list[Any]:
        if payload is None:
            return []
        if not isinstance(payload, list):
            raise InvalidInputError(f"expected an array of choices, got {json_type_name(payload)}")
        return [self._pick(item) for item in payload]

    def postprocess(self, value: Any) -> list[Any]:
        if value is None:
            return []
        items = value if isinstance(value, list | tuple | set) else [value]
        return [self._output_scalar(item) for item in items]

    def api_schema(self) -> dict[str, Any]:
        return {"type": "array", "items": self._enum_schema()}

    def example_payload(self) -> list[Any]:
        return self._values()[:1]

    def component_props(self) -> dict[str, Any]:
        return self._choice_props()


class _FirstChoice:
    def __repr__(self) -> str:
        return "FIRST_CHOICE"


# Dropdown's default value: the first choice (single select), nothing (multiselect). None means nothing.
FIRST_CHOICE: Final = _FirstChoice()


class Dropdown(Changeable, Inputable, Selectable, Focusable, Blurrable, KeyUppable, _ChoiceComponent):
    """A drop-down list: one value, or a list with ``multiselect=True``."""

    block_type: ClassVar[str] = "dropdown"

    def __init__(
        self,
        choices: Sequence[Any] | None = None,
        *,
        value: Any = FIRST_CHOICE,
        type: ChoiceType = "value",
        multiselect: bool | None = None,
        allow_custom_value: bool = False,
        max_choices: int | None = None,
        filterable: bool = True,
        **common: Any,
    ) -> None:
        self._setup_choices(choices, type)
        self.multiselect = bool(multiselect)
        self.allow_custom_value = allow_custom_value
        self.max_choices = max_choices
        self.filterable = filterable
        if isinstance(value, _FirstChoice):
            value = [] if self.multiselect else (self.choices[0][1] if self.choices else None)
        super().__init__(value, **common)

    def preprocess(self, payload: Any) -> Any:
        if not self.multiselect:
            return None if payload is None else self._pick(payload, allow_custom=self.allow_custom_value)
        if payload is None:
            return None  # as Gradio: no selection sent is None, an empty selection is []
        if not isinstance(payload, list):
            raise InvalidInputError(f"expected an array of choices, got {json_type_name(payload)}")
        if self.max_choices is not None and len(payload) > self.max_choices:
            raise InvalidInputError(f"{len(payload)} choices selected; at most {self.max_choices} allowed")
        return [self._pick(item, allow_custom=self.allow_custom_value) for item in payload]

    def postprocess(self, value: Any) -> Any:
        if not self.multiselect:
            return None if value is None else self._output_scalar(value)
        if value is None:
            return None
        items = value if isinstance(value, list | tuple | set) else [value]
        return [self._output_scalar(item) for item in items]

    def api_schema(self) -> dict[str, Any]:
        item = {"type": ["string", "number"]} if self.allow_custom_value else self._enum_schema()
        return {"type": "array", "items": item} if self.multiselect else item

    def example_payload(self) -> Any:
        first = self._values()[:1]
        return first if self.multiselect else (first[0] if first else "")

    def component_props(self) -> dict[str, Any]:
        return {
            **self._choice_props(),
            "multiselect": self.multiselect,
            "allow_custom_value": self.allow_custom_value,
            "max_choices": self.max_choices,
            "filterable": self.filterable,
        }


class Radio(Changeable, Inputable, Selectable, _ChoiceComponent):
    """Radio buttons: exactly one of the choices (or none)."""

    block_type: ClassVar[str] = "radio"

    def __init__(
        self,
        choices: Sequence[Any] | None = None,
        *,
        value: Any = None,
        type: ChoiceType = "value",
        **common: Any,
    ) -> None:
        self._setup_choices(choices, type)
        super().__init__(value, **common)

    def preprocess(self, payload: Any) -> Any:
        return None if payload is None else self._pick(payload)

    def postprocess(self, value: Any) -> Any:
        return None if value is None else self._output_scalar(value)

    def api_schema(self) -> dict[str, Any]:
        return self._enum_schema()

    def example_payload(self) -> Any:
        values = self._values()
        return values[0] if values else None

    def component_props(self) -> dict[str, Any]:
        return self._choice_props()
