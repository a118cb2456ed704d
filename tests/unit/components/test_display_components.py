from __future__ import annotations

import math

import numpy as np
import pytest

from carpool.components import JSON, Button, Label, State
from carpool.exceptions import InvalidInputError


def test_label_ranks_confidences_and_keeps_the_top_classes() -> None:
    label = Label(num_top_classes=2)
    wire = label.postprocess({"cat": 0.2, "dog": 0.7, "fox": np.float32(0.1)})
    assert wire == {
        "label": "dog",
        "confidences": [{"label": "dog", "confidence": 0.7}, {"label": "cat", "confidence": 0.2}],
    }


def test_label_shows_strings_and_numbers_as_the_label() -> None:
    assert Label().postprocess("cat") == {"label": "cat", "confidences": None}  # as Gradio sends it
    assert Label().postprocess(3) == {"label": "3", "confidences": None}
    assert Label().postprocess(None) == {} and Label().postprocess({}) == {}  # Gradio's empty label
    assert Label().preprocess({}) is None and Label().preprocess({"label": None}) is None
    assert Label().postprocess({"label": "done"}) == {"label": "done", "confidences": None}


def test_label_accepts_its_own_wire_form_back() -> None:
    wire = Label().postprocess({"a": 0.1, "b": 0.9})
    assert Label().postprocess(wire) == wire


def test_label_rejects_non_numeric_confidences() -> None:
    with pytest.raises(TypeError, match="confidence of 'cat' must be a number"):
        Label().postprocess({"cat": "high"})
    with pytest.raises(ValueError, match="confidences"):
        Label().postprocess({"label": "x", "confidences": [{"label": "x"}]})
    with pytest.raises(TypeError, match="Label output"):
        Label().postprocess([0.1])


def test_label_preprocess_returns_the_confidences_or_the_label() -> None:
    label = Label()
    assert label.preprocess({"label": "a", "confidences": [{"label": "a", "confidence": 1}]}) == {"a": 1.0}
    assert label.preprocess({"label": "a"}) == "a"
    with pytest.raises(InvalidInputError, match="got string"):
        label.preprocess("a")
    with pytest.raises(InvalidInputError, match="confidences"):
        label.preprocess({"label": "a", "confidences": [{"label": "a", "confidence": "x"}]})
    assert label.preprocess(label.example_payload()) == {"cat": 0.9}


def test_json_postprocess_converts_numpy_and_parses_json_text() -> None:
    component = JSON()
    value = {"a": np.arange(3), "b": (np.float64(1.5), {2: True})}
    assert component.postprocess(value) == {"a": [0, 1, 2], "b": [1.5, {"2": True}]}
    assert component.postprocess('{"x": [1]}') == {"x": [1]}
    assert component.postprocess("not json") == "not json"


def test_json_postprocess_rejects_unserializable_values() -> None:
    with pytest.raises(TypeError, match="object is not JSON serializable"):
        JSON().postprocess({"a": object()})
    with pytest.raises(ValueError, match="JSON cannot hold nan"):
        JSON().postprocess([math.nan])
    with pytest.raises(TypeError, match="key"):
        JSON().postprocess({(1, 2): 3})


def test_json_postprocess_numeric_arrays_become_python_numbers_of_their_kind() -> None:
    component = JSON()
    embedding = np.array([0.25, -1.5, 3.0], dtype=np.float32)
    assert component.postprocess(embedding) == [0.25, -1.5, 3.0]
    assert all(type(x) is float for x in component.postprocess(embedding))
    assert component.postprocess(np.array([[1, 2], [3, 4]], dtype=np.uint8)) == [[1, 2], [3, 4]]
    assert component.postprocess(np.array([True, False])) == [True, False]
    assert component.postprocess(np.float16(0.5)) == 0.5
    assert component.postprocess(np.array(["a", "b"])) == ["a", "b"]  # not numeric: the general path


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_json_postprocess_rejects_non_finite_floats_in_arrays_and_flat_lists(bad: float) -> None:
    with pytest.raises(ValueError, match=f"JSON cannot hold {bad}"):
        JSON().postprocess(np.array([[1.0, 2.0], [bad, 3.0]], dtype=np.float32))
    with pytest.raises(ValueError, match=f"JSON cannot hold {bad}"):
        JSON().postprocess([0.5, bad, 1.5])


def test_json_postprocess_flat_lists_come_back_as_new_lists_with_the_same_items() -> None:
    floats = [0.1, 0.2, 0.3]
    wire = JSON().postprocess(floats)
    assert wire == floats and wire is not floats
    assert JSON().postprocess(("a", 1, True, None)) == ["a", 1, True, None]
    # mixed or nested items still go item by item: numpy scalars inside a list are converted
    assert JSON().postprocess([1.5, np.float32(2.5), [np.int64(3)]]) == [1.5, 2.5, [3]]
    with pytest.raises(TypeError, match="object is not JSON serializable"):
        JSON().postprocess([1.0, object()])


def test_json_preprocess_passes_any_json_value() -> None:
    assert JSON().preprocess({"a": [1, None]}) == {"a": [1, None]}


def test_button_value_is_its_label_and_variant_is_checked() -> None:
    button = Button("Run", variant="primary", size="lg")
    props = button.get_config()["props"]
    assert (props["value"], props["variant"], props["size"]) == ("Run", "primary", "lg")
    assert button.preprocess("Run") == "Run"
    with pytest.raises(InvalidInputError):
        button.preprocess(1)
    with pytest.raises(ValueError, match="variant"):
        Button(variant="danger")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="size"):
        Button(size="xl")  # type: ignore[arg-type]


def test_state_gives_each_session_a_deep_copy_and_never_sends_its_value() -> None:
    state = State({"history": []})
    first, second = state.initial_value(), state.initial_value()
    first["history"].append(1)
    assert second == {"history": []} and state.value == {"history": []}
    assert State.stateful is True
    assert "value" not in state.get_config()["props"]
    assert state.get_config()["props"]["visible"] is False


def test_state_with_a_callable_value_calls_it_per_session() -> None:
    assert State(list).initial_value() == []


def test_json_display_options_reach_the_page() -> None:
    props = JSON([1, 2], show_indices=True, height=300, min_height="5em", buttons=[]).get_config()["props"]
    assert props["show_indices"] is True
    assert (props["height"], props["max_height"], props["min_height"]) == (300, 500, "5em")
    assert props["show_copy_button"] is False
    assert JSON().get_config()["props"]["show_copy_button"] is True  # Gradio shows it by default


def test_json_custom_buttons_warn_that_only_copy_is_shown() -> None:
    with pytest.warns(UserWarning, match=r"JSON\(buttons=...\) shows only 'copy'; not shown: 'Share'"):
        json_box = JSON(buttons=["copy", Button("Share")])
    assert json_box.get_config()["props"]["show_copy_button"] is True
