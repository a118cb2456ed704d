from __future__ import annotations

import pytest

from carpool.components import Checkbox, CheckboxGroup, Dropdown, Radio
from carpool.components.choices import normalize_choices
from carpool.exceptions import InvalidInputError


def test_normalize_choices_accepts_values_and_label_value_pairs() -> None:
    assert normalize_choices(["a", ("B", 2), [3, 3.5]]) == [("a", "a"), ("B", 2), ("3", 3.5)]
    with pytest.raises(ValueError, match="label, value"):
        normalize_choices([("a", 1, 2)])
    with pytest.raises(ValueError, match="str or a number"):
        normalize_choices([object()])


def test_checkbox_takes_booleans_only() -> None:
    box = Checkbox()
    assert box.preprocess(True) is True and box.preprocess(None) is None
    with pytest.raises(InvalidInputError, match="expected a boolean, got number"):
        box.preprocess(1)
    with pytest.raises(TypeError, match="Checkbox output expects a bool"):
        box.postprocess("yes")
    assert box.api_schema() == {"type": "boolean"}


def test_checkbox_group_returns_values_or_indices() -> None:
    group = CheckboxGroup(["a", ("Bee", "b"), "c"])
    assert group.preprocess(["b", "a"]) == ["b", "a"]
    assert CheckboxGroup(["a", "b", "c"], type="index").preprocess(["c", "a"]) == [2, 0]
    assert group.preprocess(None) == []


def test_checkbox_group_rejects_non_lists_and_unknown_choices() -> None:
    group = CheckboxGroup(["a", "b"])
    with pytest.raises(InvalidInputError, match="expected an array of choices, got string"):
        group.preprocess("a")
    with pytest.raises(InvalidInputError, match="'z' is not one of the choices"):
        group.preprocess(["a", "z"])


def test_checkbox_group_postprocess_wraps_a_single_value_and_config_lists_pairs() -> None:
    group = CheckboxGroup(["a", ("Bee", "b")], value=["a"])
    assert group.postprocess("b") == ["b"] and group.postprocess(None) == []
    props = group.get_config()["props"]
    assert props["choices"] == [["a", "a"], ["Bee", "b"]] and props["value"] == ["a"]
    assert group.api_schema() == {"type": "array", "items": {"enum": ["a", "b"]}}


def test_dropdown_defaults_to_the_first_choice_unless_none_is_given() -> None:
    assert Dropdown(["x", "y"]).value == "x"
    assert Dropdown(["x", "y"], value=None).value is None
    assert Dropdown(["x", "y"], multiselect=True).value == []
    assert "value" not in Dropdown(["x"]).update_props()


def test_dropdown_single_select_checks_choices_and_custom_values() -> None:
    dropdown = Dropdown(["x", ("Why", "y")])
    assert dropdown.preprocess("y") == "y" and dropdown.preprocess(None) is None
    with pytest.raises(InvalidInputError, match="not one of the choices"):
        dropdown.preprocess("z")
    with pytest.raises(InvalidInputError, match="got array"):
        dropdown.preprocess(["x"])
    custom = Dropdown(["x"], allow_custom_value=True)
    assert custom.preprocess("anything") == "anything"
    assert Dropdown(["x"], allow_custom_value=True, type="index").preprocess("other") is None


def test_dropdown_multiselect_checks_each_item_and_max_choices() -> None:
    dropdown = Dropdown(["a", "b", "c"], multiselect=True, max_choices=2, type="index")
    assert dropdown.preprocess(["c", "b"]) == [2, 1]
    with pytest.raises(InvalidInputError, match="at most 2"):
        dropdown.preprocess(["a", "b", "c"])
    with pytest.raises(InvalidInputError, match="expected an array"):
        dropdown.preprocess("a")
    assert dropdown.postprocess("a") == ["a"]
    assert dropdown.api_schema() == {"type": "array", "items": {"enum": ["a", "b", "c"]}}


def test_dropdown_update_choices_are_sent_as_label_value_pairs() -> None:
    wire = Dropdown(["a"]).postprocess_update({"choices": ["p", ("Q", "q")], "value": "q"})
    assert wire == {"__type__": "update", "choices": [["p", "p"], ["Q", "q"]], "value": "q"}


def test_dropdown_postprocess_rejects_non_scalar_values() -> None:
    with pytest.raises(TypeError, match="Dropdown output expects a choice value, got dict"):
        Dropdown(["a"]).postprocess({"a": 1})


def test_radio_matches_numbers_and_booleans_by_type() -> None:
    radio = Radio([1, 2, True])
    assert radio.preprocess(1) == 1 and radio.preprocess(True) is True
    assert Radio([1, 2, True], type="index").preprocess(True) == 2
    with pytest.raises(InvalidInputError, match="not one of the choices"):
        Radio([1, 2]).preprocess(True)
    with pytest.raises(InvalidInputError, match="not one of the choices"):
        Radio(["1"]).preprocess(1)


def test_radio_schema_example_and_unknown_type() -> None:
    radio = Radio(["a", "b"])
    assert radio.api_schema() == {"enum": ["a", "b"]}
    assert radio.preprocess(radio.example_payload()) == "a"
    with pytest.raises(ValueError, match="'value' or 'index'"):
        Radio(["a"], type="position")  # type: ignore[arg-type]
