from __future__ import annotations

import pytest

from carpool.components import Dataset, Number, Textbox
from carpool.exceptions import InvalidInputError


def test_a_click_gives_the_row_its_index_or_both() -> None:
    samples = [["fox", 1], ["dog", 2]]
    values = Dataset(components=["textbox", Number(render=False)], samples=samples, render=False)
    assert values.preprocess(1) == ["dog", 2]
    assert (
        Dataset(components=["text", "number"], samples=samples, type="index", render=False).preprocess(1) == 1
    )
    both = Dataset(components=["text", "number"], samples=samples, type="tuple", render=False)
    assert both.preprocess(0) == (0, ["fox", 1])


def test_the_page_gets_wire_samples_headers_and_types() -> None:
    dataset = Dataset(components=[Textbox(label="Text", render=False)], samples=["a", "b"], render=False)
    props = dataset.get_config()["props"]
    assert props["samples"] == [["a"], ["b"]]
    assert props["headers"] == ["Text"] and props["component_types"] == ["textbox"]
    assert dataset.get_config()["type"] == "dataset"


def test_bad_samples_indices_and_types_are_clear_errors() -> None:
    with pytest.raises(ValueError, match="has 2 values for 1 components"):
        Dataset(components=["text"], samples=[["a", "b"]], render=False)
    dataset = Dataset(components=["text"], samples=[["a"]], render=False)
    for bad in (1, -1, True, "0"):
        with pytest.raises(InvalidInputError, match="the index of one of 1 samples"):
            dataset.preprocess(bad)
    with pytest.raises(ValueError, match="type must be 'values', 'index' or 'tuple'"):
        Dataset(type="rows", render=False)  # type: ignore[arg-type]


def test_returning_new_samples_replaces_the_rows() -> None:
    dataset = Dataset(components=["text"], samples=[["a"]], render=False)
    wire = dataset.postprocess_update(Dataset(samples=[["x"], ["y"]], render=False).update_props())
    assert wire["samples"] == [["x"], ["y"]]
    assert dataset.preprocess(1) == ["y"]
