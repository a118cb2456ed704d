"""Numeric components: Number and Slider."""

from __future__ import annotations

import math
import random
import sys
import warnings
from typing import Any, ClassVar

import numpy as np

from carpool.components.base import Component, json_type_name
from carpool.components.events import (
    Blurrable,
    Changeable,
    Focusable,
    Inputable,
    Releasable,
    Submittable,
)
from carpool.exceptions import InvalidInputError

__all__ = ["Number", "Slider"]

_LARGEST_FLOAT = int(sys.float_info.max)


def _wire_number(payload: Any) -> float | int:
    """A JSON number (never a bool, NaN or infinity) or InvalidInputError."""
    if isinstance(payload, bool) or not isinstance(payload, int | float):
        raise InvalidInputError(f"expected a number, got {json_type_name(payload)}")
    if isinstance(payload, float) and not math.isfinite(payload):
        raise InvalidInputError(f"expected a finite number, got {payload}")
    if isinstance(payload, int) and abs(payload) > _LARGEST_FLOAT:  # JSON allows 400 digits; floats do not
        raise InvalidInputError(
            f"expected a number of at most {_LARGEST_FLOAT:.3g} in size, got {len(str(payload))} digits"
        )
    return payload


def _python_number(component: Component, value: Any) -> float | int:
    """A function's numeric return (Python or numpy scalar) as a plain int/float."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | float | np.integer | np.floating):
        raise TypeError(f"{type(component).__name__} output expects a number, got {type(value).__name__}")
    number = value.item() if isinstance(value, np.generic) else value
    if isinstance(number, float) and not math.isfinite(number):
        raise ValueError(f"{type(component).__name__} output must be a finite number, got {number}")
    return number


def _check_range(value: float, minimum: float | None, maximum: float | None) -> None:
    if minimum is not None and value < minimum:
        raise InvalidInputError(f"value {value} is below the minimum {minimum}")
    if maximum is not None and value > maximum:
        raise InvalidInputError(f"value {value} is above the maximum {maximum}")


def _round_to_precision(number: float, precision: int | None) -> float | int:
    """Gradio's rounding: None keeps the number as it came (an int stays an int, so ``range(n)`` works),
    0 makes an int, k rounds to k decimals."""
    if precision is None:
        return number
    if precision == 0:
        return round(number)  # an int: round() without ndigits
    return round(float(number), precision)


def _range_schema(schema: dict[str, Any], minimum: float | None, maximum: float | None) -> dict[str, Any]:
    if minimum is not None:
        schema["minimum"] = minimum
    if maximum is not None:
        schema["maximum"] = maximum
    return schema


class Number(Changeable, Inputable, Submittable, Focusable, Blurrable, Component):
    """A number field. ``precision=0`` gives the function an ``int``, ``precision=k`` a float rounded to k.

    As in Gradio, ``value=None`` without a ``placeholder`` shows (and sends) 0 on the page, so a function
    doing ``int(n)`` works on the first click; a field the user empties sends ``None``.
    """

    block_type: ClassVar[str] = "number"

    def __init__(
        self,
        value: float | None = None,
        *,
        precision: int | None = None,
        minimum: float | None = None,
        maximum: float | None = None,
        step: float = 1,
        placeholder: str | None = None,
        **common: Any,
    ) -> None:
        if precision is not None and precision < 0:
            raise ValueError(f"precision must be None or >= 0, got {precision}")
        self.precision = precision
        self.placeholder = placeholder
        self.minimum = minimum
        self.maximum = maximum
        self.step = step
        super().__init__(value, **common)

    def _round(self, number: float) -> float | int:
        return _round_to_precision(number, self.precision)

    def preprocess(self, payload: Any) -> float | int | None:
        if payload is None:
            return None
        number = _wire_number(payload)
        _check_range(number, self.minimum, self.maximum)
        return self._round(number)

    def postprocess(self, value: Any) -> float | int | None:
        return None if value is None else self._round(_python_number(self, value))

    def api_schema(self) -> dict[str, Any]:
        return _range_schema({"type": "number"}, self.minimum, self.maximum)

    def example_payload(self) -> float:
        return self.minimum if self.minimum is not None else 3

    def component_props(self) -> dict[str, Any]:
        bounds = {"minimum": self.minimum, "maximum": self.maximum, "step": self.step}
        return {"precision": self.precision, "placeholder": self.placeholder, **bounds}


def _default_step(minimum: float, maximum: float) -> float:
    """About a hundredth of the range, rounded down to a power of ten (0..100 -> 1, 0..1 -> 0.01)."""
    span = maximum - minimum
    return 1 if span <= 0 else 10 ** math.floor(math.log10(span) - 2 + 1e-9)


class Slider(Changeable, Inputable, Releasable, Component):
    """A number in [minimum, maximum]; a value outside the range is rejected, not clamped."""

    block_type: ClassVar[str] = "slider"

    def __init__(
        self,
        minimum: float = 0,
        maximum: float = 100,
        value: float | None = None,
        *,
        step: float | None = None,
        precision: int | None = None,
        randomize: bool = False,
        **common: Any,
    ) -> None:
        if precision is not None and precision < 0:
            raise ValueError(f"precision must be None or >= 0, got {precision}")
        self.precision = precision
        if minimum > maximum:
            raise ValueError(f"Slider minimum {minimum} is above its maximum {maximum}")
        self.minimum = minimum
        self.maximum = maximum
        self.step = _default_step(minimum, maximum) if step is None else step
        if self.step <= 0:  # Gradio takes it; a slider cannot move by it, so say what it does instead
            warnings.warn(
                f"Slider step {self.step} is not positive; the slider moves in steps of "
                f"{_default_step(minimum, maximum)}",
                UserWarning,
                stacklevel=3,
            )
            self.step = _default_step(minimum, maximum)
        self.randomize = randomize
        initial = self.random_value if randomize else minimum if value is None else value
        super().__init__(initial, **common)

    def random_value(self) -> float:
        """A random value on the step grid (``randomize=True``: a new one each time a page loads)."""
        steps = int((self.maximum - self.minimum) / self.step)
        value = self.minimum + random.randint(0, steps) * self.step
        decimals = max(str(self.step)[::-1].find("."), 0)
        return round(value, decimals) if decimals else value

    def preprocess(self, payload: Any) -> float | int:
        number = _wire_number(payload)
        _check_range(number, self.minimum, self.maximum)
        return _round_to_precision(number, self.precision)

    def postprocess(self, value: Any) -> float | int:
        # as in Gradio, no value shows the slider at its minimum
        number = self.minimum if value is None else _python_number(self, value)
        return _round_to_precision(number, self.precision)

    def api_schema(self) -> dict[str, Any]:
        return _range_schema({"type": "number"}, self.minimum, self.maximum)

    def example_payload(self) -> float:
        return self.minimum

    def component_props(self) -> dict[str, Any]:
        return {
            "minimum": self.minimum,
            "maximum": self.maximum,
            "step": self.step,
            "precision": self.precision,
        }
