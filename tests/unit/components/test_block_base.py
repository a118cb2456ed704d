from __future__ import annotations

import json

import pytest
from component_fakes import FakeBlocks

from carpool import _context
from carpool.components import Button, Component, Number, Textbox, is_update, update
from carpool.components.base import json_type_name


def test_blocks_get_distinct_increasing_ids() -> None:
    first, second = Textbox(), Textbox()
    assert 0 < first.id < second.id


def test_block_created_inside_a_container_adds_itself_and_registers(blocks: FakeBlocks) -> None:
    box = Textbox(label="word")
    assert blocks.children == [box]
    assert blocks.blocks == {box.id: box}
    assert box.parent is blocks


def test_block_created_outside_any_container_is_not_placed_until_rendered() -> None:
    box = Textbox()
    root = FakeBlocks()
    assert box.parent is None
    with _context.open_container(root):
        box.render()
        box.render()  # idempotent in the same container
    assert root.children == [box]


def test_render_false_keeps_the_block_out_of_the_open_container(blocks: FakeBlocks) -> None:
    Textbox(render=False)
    assert blocks.children == []


def test_render_outside_a_container_raises_a_clear_error() -> None:
    with pytest.raises(RuntimeError, match=r"inside a `with carpool\.Blocks"):
        Textbox().render()


def test_get_config_has_id_type_and_jsonable_props() -> None:
    box = Textbox("hi", label="word", elem_classes="big", scale=2)
    config = box.get_config()
    assert config["id"] == box.id and config["type"] == "textbox"
    props = config["props"]
    assert props["label"] == "word" and props["value"] == "hi" and props["scale"] == 2
    assert props["elem_classes"] == ["big"] and props["visible"] is True and props["show_label"] is True
    json.dumps(config)


def test_callable_value_is_called_when_the_config_is_built() -> None:
    calls = iter(["one", "two"])
    box = Textbox(lambda: next(calls))
    assert box.get_config()["props"]["value"] == "one"
    assert box.get_config()["props"]["value"] == "two"


def test_update_props_holds_only_the_arguments_given_explicitly() -> None:
    assert Textbox(visible=False).update_props() == {"__type__": "update", "visible": False}
    assert Textbox("x", lines=3).update_props() == {"__type__": "update", "value": "x", "lines": 3}
    assert Button("Go", render=False).update_props() == {"__type__": "update", "value": "Go"}


def test_update_builds_an_update_dict_and_is_update_recognises_both_forms() -> None:
    assert update(value=3, visible=True) == {"__type__": "update", "value": 3, "visible": True}
    assert is_update(update(visible=False))
    assert is_update(Textbox(visible=False))
    assert not is_update({"visible": False})
    assert not is_update("text")


def test_postprocess_update_converts_value_with_the_target_component() -> None:
    number = Number(precision=0)
    wire = number.postprocess_update(update(value=2.6, visible=False, elem_classes="x"))
    assert wire == {"__type__": "update", "value": 3, "visible": False, "elem_classes": ["x"]}


def test_postprocess_update_raises_on_a_bad_value() -> None:
    with pytest.raises(TypeError, match="Number output expects a number"):
        Number().postprocess_update(update(value=[1]))


def test_listener_registers_trigger_fn_io_and_passes_options_through(blocks: FakeBlocks) -> None:
    box, out, run = Textbox(), Textbox(), Button("Run")

    def fn(text: str) -> str:
        return text

    result = run.click(
        fn, box, out, api_name="trim", batch=True, max_batch_size=16, concurrency_id="gpu", unknown_x=1
    )
    assert result is blocks.events[0]
    assert result.triggers == [(run, "click")]
    assert (result.fn, result.inputs, result.outputs) == (fn, box, out)
    assert result.options == {
        "api_name": "trim",
        "batch": True,
        "max_batch_size": 16,
        "concurrency_id": "gpu",
        "unknown_x": 1,
    }


def test_listener_with_fn_none_registers_a_cancel_only_event(blocks: FakeBlocks) -> None:
    stop = Button("Stop")
    stop.click(None, None, None, cancels=["ev"])
    assert blocks.events[0].fn is None and blocks.events[0].options == {"cancels": ["ev"]}


def test_listener_without_fn_is_a_decorator_returning_the_function(blocks: FakeBlocks) -> None:
    box = Textbox()

    @box.submit(inputs=box, outputs=box)
    def shout(text: str) -> str:
        return text.upper()

    assert shout("a") == "A"
    assert blocks.events[0].triggers == [(box, "submit")] and blocks.events[0].fn is shout


def test_listener_outside_blocks_raises_a_clear_error() -> None:
    with pytest.raises(RuntimeError, match=r"Button\.click\(\.\.\.\) must be called inside"):
        Button().click(print)


def test_each_component_offers_its_gradio_event_names(blocks: FakeBlocks) -> None:
    box = Textbox()
    for event in ("change", "input", "submit", "focus", "blur", "select"):
        getattr(box, event)(print)
    assert [e.triggers[0][1] for e in blocks.events] == [
        "change",
        "input",
        "submit",
        "focus",
        "blur",
        "select",
    ]
    assert not hasattr(Number(), "click")


def test_base_component_is_an_identity_converter() -> None:
    component = Component(5)
    assert component.preprocess([1]) == [1] and component.postprocess("x") == "x"
    assert component.stateful is False


@pytest.mark.parametrize(
    ("value", "name"),
    [
        (None, "null"),
        (True, "boolean"),
        (1, "number"),
        (1.5, "number"),
        ("s", "string"),
        ([], "array"),
        ({}, "object"),
        (b"x", "bytes"),
    ],
)
def test_json_type_name_names_wire_types(value: object, name: str) -> None:
    assert json_type_name(value) == name
