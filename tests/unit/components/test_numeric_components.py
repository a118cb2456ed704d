from __future__ import annotations

import math

import numpy as np
import pytest

from carpool.components import Number, Slider
from carpool.exceptions import InvalidInputError


def test_number_without_precision_passes_the_number_as_it_came_like_gradio() -> None:
    number = Number()
    assert number.preprocess(3) == 3 and isinstance(number.preprocess(3), int)  # range(n) works
    assert number.preprocess(2.5) == 2.5 and number.preprocess(None) is None
    assert isinstance(number.postprocess(4), int) and number.postprocess(np.float32(1.5)) == 1.5


def test_slider_precision_and_an_empty_output_like_gradio() -> None:
    slider = Slider(1, 10, precision=0)
    assert slider.preprocess(2.6) == 3 and isinstance(slider.preprocess(2.6), int)
    assert slider.postprocess(None) == 1 and Slider(2, 9).postprocess(None) == 2
    assert Slider(0, 1, step=0.1, precision=1).preprocess(0.34) == 0.3
    with pytest.raises(ValueError, match="precision"):
        Slider(precision=-1)


def test_number_precision_zero_gives_ints_and_rounds() -> None:
    number = Number(precision=0)
    assert number.preprocess(2.6) == 3 and isinstance(number.preprocess(2.6), int)
    assert number.postprocess(np.float32(1.2)) == 1
    assert isinstance(number.postprocess(np.float32(1.2)), int)


def test_number_precision_k_rounds_to_k_digits() -> None:
    assert Number(precision=2).preprocess(1.23456) == 1.23
    assert Number(precision=2).postprocess(1.23456) == 1.23


@pytest.mark.parametrize(("payload", "got"), [("3", "string"), (True, "boolean"), ([1], "array")])
def test_number_rejects_non_numbers(payload: object, got: str) -> None:
    with pytest.raises(InvalidInputError, match=f"expected a number, got {got}"):
        Number().preprocess(payload)


def test_number_rejects_non_finite_and_out_of_range_values() -> None:
    number = Number(minimum=0, maximum=10)
    with pytest.raises(InvalidInputError, match="finite"):
        number.preprocess(math.nan)
    with pytest.raises(InvalidInputError, match="below the minimum 0"):
        number.preprocess(-1)
    with pytest.raises(InvalidInputError, match="above the maximum 10"):
        number.preprocess(11)
    assert number.preprocess(10) == 10.0


def test_number_postprocess_rejects_non_numbers_and_infinity() -> None:
    with pytest.raises(TypeError, match="Number output expects a number, got str"):
        Number().postprocess("3")
    with pytest.raises(TypeError):
        Number().postprocess(True)
    with pytest.raises(ValueError, match="finite"):
        Number().postprocess(math.inf)
    assert Number().postprocess(None) is None


def test_number_schema_and_config() -> None:
    number = Number(5, precision=0, minimum=1, maximum=9)
    assert number.api_schema() == {"type": "number", "minimum": 1, "maximum": 9}
    props = number.get_config()["props"]
    assert (props["value"], props["precision"], props["minimum"], props["maximum"]) == (5, 0, 1, 9)
    assert number.preprocess(number.example_payload()) == 1


def test_number_rejects_negative_precision() -> None:
    with pytest.raises(ValueError, match="precision"):
        Number(precision=-1)


def test_slider_accepts_in_range_values_and_rejects_others_without_clamping() -> None:
    slider = Slider(0, 10)
    assert slider.preprocess(3) == 3 and slider.preprocess(2.5) == 2.5
    with pytest.raises(InvalidInputError, match="above the maximum 10"):
        slider.preprocess(10.5)
    with pytest.raises(InvalidInputError, match="below the minimum 0"):
        slider.preprocess(-0.1)
    with pytest.raises(InvalidInputError, match="expected a number, got null"):
        slider.preprocess(None)


@pytest.mark.parametrize(
    ("minimum", "maximum", "step"), [(0, 100, 1), (0, 1, 0.01), (0, 10, 0.1), (0, 1000, 10)]
)
def test_slider_default_step_is_about_a_hundredth_of_the_range(
    minimum: int, maximum: int, step: float
) -> None:
    assert Slider(minimum, maximum).step == pytest.approx(step)


def test_slider_default_value_is_the_minimum_and_config_carries_the_range() -> None:
    props = Slider(2, 8, step=2).get_config()["props"]
    assert (props["value"], props["minimum"], props["maximum"], props["step"]) == (2, 2, 8, 2)
    assert Slider(2, 8).api_schema() == {"type": "number", "minimum": 2, "maximum": 8}


def test_slider_rejects_an_inverted_range_and_says_what_a_non_positive_step_does() -> None:
    with pytest.raises(ValueError, match="above its maximum"):
        Slider(5, 1)
    with pytest.warns(UserWarning, match="step -1 is not positive; the slider moves in steps of 0.1"):
        slider = Slider(5, 30, step=-1)  # Gradio accepts it (one of its demos has it)
    assert slider.step == 0.1


def test_slider_postprocess_converts_numpy_scalars() -> None:
    assert Slider().postprocess(np.int32(4)) == 4
    with pytest.raises(TypeError, match="Slider output expects a number"):
        Slider().postprocess("4")


def test_slider_randomize_picks_a_value_on_the_step_grid_each_time_the_config_is_built() -> None:
    slider = Slider(minimum=-10.2, maximum=15, step=0.5, randomize=True)
    values = {slider.config_value() for _ in range(40)}
    assert len(values) > 1
    for value in values:
        assert -10.2 <= value <= 15
        assert abs(((value + 10.2) / 0.5) - round((value + 10.2) / 0.5)) < 1e-6
