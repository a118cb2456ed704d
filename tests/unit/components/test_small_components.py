"""ColorPicker, DateTime, Code, HighlightedText, ClearButton and DuplicateButton."""

from __future__ import annotations

import datetime

import pytest

import carpool as cp
from carpool.components import Code, ColorPicker, DateTime, HighlightedText, get_component
from carpool.exceptions import InvalidInputError


def test_colorpicker_passes_hex_colours_and_none() -> None:
    picker = ColorPicker()
    assert picker.preprocess("#ff8800") == "#ff8800" and picker.preprocess("#abc") == "#abc"
    assert picker.preprocess(None) is None and picker.postprocess(None) is None


@pytest.mark.parametrize("payload", ["red", "#12345", 3])
def test_colorpicker_rejects_what_is_not_a_hex_colour(payload: object) -> None:
    with pytest.raises(InvalidInputError, match="ColorPicker expects a hex colour"):
        ColorPicker().preprocess(payload)


def test_datetime_gives_a_timestamp_datetime_or_string_by_type() -> None:
    text = "2024-01-02 03:04:05"
    moment = datetime.datetime(2024, 1, 2, 3, 4, 5)
    assert DateTime().preprocess(text) == moment.timestamp()
    assert DateTime(type="datetime").preprocess(text) == moment
    assert DateTime(type="string").preprocess(text) == text
    assert DateTime().preprocess("2024-01-02") == datetime.datetime(2024, 1, 2).timestamp()
    assert DateTime().preprocess(None) is None


def test_datetime_output_of_timestamps_and_datetimes_is_text() -> None:
    moment = datetime.datetime(2024, 1, 2, 3, 4, 5)
    assert DateTime().postprocess(moment.timestamp()) == "2024-01-02 03:04:05"
    assert DateTime(include_time=False).postprocess(moment) == "2024-01-02"
    assert DateTime(timezone="UTC").postprocess(0) == "1970-01-01 00:00:00"
    with pytest.raises(TypeError, match="DateTime output"):
        DateTime().postprocess([1])


@pytest.mark.parametrize("payload", ["yesterday", 5])
def test_datetime_rejects_unparseable_values(payload: object) -> None:
    with pytest.raises(InvalidInputError, match="DateTime expects"):
        DateTime().preprocess(payload)


def test_code_passes_text_and_reads_a_path_tuple(tmp_path: object) -> None:
    path = f"{tmp_path}/a.py"
    with open(path, "w") as handle:
        handle.write("x = 1\n")
    code = Code(language="python")
    assert code.preprocess("y = 2") == "y = 2" and code.postprocess((path,)) == "x = 1\n"
    assert code.props()["language"] == "python"
    with pytest.raises(InvalidInputError):
        code.preprocess(3)


def test_highlightedtext_pairs_and_entities_become_tokens() -> None:
    box = HighlightedText(combine_adjacent=True)
    assert box.postprocess([("a", "x"), ("b", "x"), ("c", None)]) == [
        {"token": "ab", "class_or_confidence": "x"},
        {"token": "c", "class_or_confidence": None},
    ]
    entities = {"text": "hello world", "entities": [{"entity": "X", "start": 0, "end": 5}]}
    assert [t["token"] for t in HighlightedText().postprocess(entities)] == ["", "hello", " world"]
    with pytest.raises(TypeError, match="pairs"):
        HighlightedText().postprocess(["abc"])
    with pytest.raises(InvalidInputError, match="HighlightedText expects"):
        HighlightedText().preprocess([1])


def test_clear_button_empties_its_components() -> None:
    with cp.Blocks() as demo:
        name = cp.Textbox("x")
        table = cp.Dataframe()
        clear = cp.ClearButton([name, table])
    dependency = demo.dependencies[-1]
    assert dependency.targets == [(clear.id, "click")] and dependency.api_name is None
    assert dependency.fn is not None and dependency.fn() == (None, None)


def test_duplicate_button_is_a_button() -> None:
    with cp.Blocks():
        button = cp.DuplicateButton()
    assert button.get_config()["type"] == "button" and button.value == "Duplicate Space"


def test_shortcuts_of_the_small_components() -> None:
    assert isinstance(get_component("colorpicker"), ColorPicker)
    assert isinstance(get_component("code"), Code)
    assert isinstance(get_component("highlight"), HighlightedText)
