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
    assert Label().postprocess("cat") == {"label": "cat"}
    assert Label().postprocess(3) == {"label": "3"}
    assert Label().postprocess(None) is None
    assert Label().postprocess({"label": "done"}) == {"label": "done"}


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
