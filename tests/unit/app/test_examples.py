from __future__ import annotations

from pathlib import Path

import PIL.Image
import pytest

import carpool.components as cc
from carpool.app import Blocks, Examples, Interface
from carpool.components import FileStore, use_file_store


def test_examples_are_a_block_with_samples_in_wire_form() -> None:
    with Blocks() as demo:
        word, n = cc.Textbox(label="word"), cc.Number(precision=0, label="n")
        examples = Examples([["abc", 1.7], ["de"]], [word, n], examples_per_page=5)
    (config,) = [c for c in demo.config()["components"] if c["type"] == "examples"]
    assert config["id"] == examples.id
    props = config["props"]
    assert props["samples"] == [["abc", 2], ["de", None]]
    assert props["inputs"] == [word.id, n.id] and props["outputs"] == []
    assert props["headers"] == ["word", "n"] and props["examples_per_page"] == 5
    assert props["cached_outputs"] is None
    assert {"id": examples.id} in demo.config()["layout"]["children"]
    assert demo.dependencies == []  # no fn: a click only fills the inputs


def test_run_on_click_without_cache_runs_the_function_on_the_examples_click() -> None:
    with Blocks() as demo:
        word, out = cc.Textbox(), cc.Textbox()
        examples = Examples(["a", "b"], word, out, fn=str.upper, run_on_click=True)
    (dep,) = demo.dependencies
    assert dep.targets == [(examples.id, "click")] and dep.api_name is None
    assert examples.samples() == [["a"], ["b"]]


def test_a_value_list_for_a_single_list_valued_input_is_one_example() -> None:
    with Blocks():
        group = cc.CheckboxGroup(["x", "y"])
        examples = Examples([["x", "y"], ["x"]], group)
    assert examples.examples == [[["x", "y"]], ["x"]]


def test_an_example_with_too_many_values_uses_the_first_ones_and_warns() -> None:
    with Blocks(), pytest.warns(UserWarning, match="3 values but there are 2 inputs: only the first 2"):
        a, b = cc.Textbox(), cc.Textbox()
        examples = Examples([["1", "2", "3"]], [a, b])
    assert examples.examples == [["1", "2"]]


def test_files_named_inside_example_values_are_served_and_a_missing_one_leaves_its_cell_empty(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    first, second = tmp_path / "1.png", tmp_path / "2.png"
    for path in (first, second):
        PIL.Image.new("RGB", (2, 2), "red").save(path)
    store = FileStore()
    store.allowed_paths = []  # as if the demo's files were outside the temp dir (they usually are)
    with use_file_store(store), Blocks() as demo:
        gallery, picture = cc.Gallery(), cc.Image()
        Examples([[[str(first), str(second)], str(tmp_path / "gone.png")]], [gallery, picture])
        config = demo.config()  # the page renders although one example file is missing
    (examples,) = [c for c in config["components"] if c["type"] == "examples"]
    ((shown, missing),) = examples["props"]["samples"]
    assert [item["image"]["orig_name"] for item in shown] == ["1.png", "2.png"]
    assert missing is None
    assert "cannot be shown" in caplog.text
    store.close()


def test_caching_needs_a_function() -> None:
    with Blocks(), pytest.raises(ValueError, match="needs fn"):
        Examples(["a"], cc.Textbox(), cache_examples=True)


def test_examples_outside_blocks_are_an_error() -> None:
    with pytest.raises(RuntimeError, match="inside"):
        Examples(["a"], cc.Textbox(render=False))


def test_interface_examples_sit_under_the_inputs_and_reuse_the_submit_listener() -> None:
    demo = Interface(str.upper, "text", "text", examples=["a", "b"], cache_examples=True)
    assert demo.examples.run is demo.endpoint("predict")
    column = demo.input_column
    assert column.children[-1] is demo.examples
    hidden = [d for d in demo.dependencies if d.api_name is None and d.backend_fn]
    assert demo.examples.cached_output_dependency in hidden
