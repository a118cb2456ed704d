from __future__ import annotations

import carpool.components as cc
from carpool.app import Blocks, Interface
from carpool.app._backend import Binder


def greet(name: str, times: float) -> str:
    return ("hi " + name) * int(times)


def _by_type(config: dict, kind: str) -> list[dict]:
    return [c for c in config["components"] if c["type"] == kind]


def _find(tree: dict, block_id: int) -> dict | None:
    if tree["id"] == block_id:
        return tree
    for child in tree.get("children", []):
        found = _find(child, block_id)
        if found is not None:
            return found
    return None


def test_interface_lays_out_inputs_and_outputs_side_by_side() -> None:
    demo = Interface(greet, ["text", cc.Slider(1, 5, label="times")], "text", title="Greeter")
    config = demo.config()
    name, times = demo.input_components
    (out,) = demo.output_components
    row = next(
        node for node in config["layout"]["children"] if "children" in node and len(node["children"]) == 2
    )
    left, right = row["children"]
    left_ids = [child["id"] for child in left["children"]]
    assert left_ids[:2] == [name.id, times.id]
    assert right["children"][0]["id"] == out.id  # then the Flag button's row
    assert config["title"] == "Greeter"
    assert any(c["props"]["value"] == "# Greeter" for c in _by_type(config, "markdown"))


def test_interface_has_submit_clear_and_stop_buttons() -> None:
    demo = Interface(greet, ["text", "number"], "text")
    buttons = {c["props"]["value"]: c for c in _by_type(demo.config(), "button")}
    assert set(buttons) == {"Submit", "Clear", "Stop", "Flag"}  # Flag: flagging_mode="manual", as Gradio
    deps = demo.config()["dependencies"]
    submit = next(d for d in deps if d["api_name"] == "greet")  # named after the function, as Gradio 6
    assert [buttons["Submit"]["id"], "click"] in submit["targets"]
    name = demo.input_components[0]
    assert [name.id, "submit"] in submit["targets"]  # Enter in a text field submits too
    stop = next(d for d in deps if [buttons["Stop"]["id"], "click"] in d["targets"])
    assert stop["cancels"] == [submit["id"]] and stop["backend_fn"] is False


def test_clear_resets_inputs_and_outputs_to_their_initial_values() -> None:
    demo = Interface(greet, [cc.Textbox("start", render=False), "number"], "text")
    clear_id = next(c["id"] for c in _by_type(demo.config(), "button") if c["props"]["value"] == "Clear")
    clear = next(d for d in demo.dependencies if (clear_id, "click") in d.targets)
    assert clear.api_name is None and not clear.queue
    assert clear.outputs == demo.all_inputs + demo.output_components
    fn = clear.engine_fn()
    assert fn() == ("start", None, None)  # an empty Textbox is None, as in Gradio


def test_interface_options_reach_the_listener() -> None:
    demo = Interface(greet, ["text", "number"], "text", batch=True, max_batch_size=16, batch_timeout=0.5)
    (config,) = [c for c in demo.listener_configs() if c.listener_id == "greet"]
    assert config.batch and config.max_batch_size == 16 and config.batch_timeout == 0.5


def test_live_interface_runs_on_change_without_a_submit_button() -> None:
    demo = Interface(greet, ["text", "number"], "text", live=True)
    config = demo.config()
    assert "Submit" not in {c["props"]["value"] for c in _by_type(config, "button")}
    submit = demo.endpoint("predict")
    assert submit.targets == [(c.id, "change") for c in demo.input_components]
    assert submit.options.trigger_mode == "always_last"


def test_additional_inputs_sit_in_a_closed_accordion_and_are_passed_last() -> None:
    demo = Interface(greet, "text", "text", additional_inputs=[cc.Number(2, render=False)])
    (accordion,) = _by_type(demo.config(), "accordion")
    assert accordion["props"]["open"] is False
    node = _find(demo.config()["layout"], accordion["id"])
    assert node is not None and node["children"] == [{"id": demo.additional_inputs[0].id}]
    assert demo.endpoint("predict").inputs == demo.all_inputs
    assert demo("bob", 2) == "hi bobhi bob"


def test_interface_api_name_can_be_changed_or_hidden() -> None:
    named = Interface(greet, ["text", "number"], "text", api_name="hello")
    assert named.endpoint("hello").fn is greet and named.endpoint("predict").fn is greet  # the alias
    assert Interface(greet, ["text", "number"], "text", api_name=None).endpoint("greet").fn is greet
    hidden = Interface(greet, ["text", "number"], "text", api_name=False)
    assert hidden.api_info() == {"endpoints": {}}


def test_the_predict_alias_gives_way_to_a_real_endpoint_of_that_name() -> None:
    with Blocks() as demo:
        Interface(greet, ["text", "number"], "text")
        text = cc.Textbox()
        text.submit(str.upper, text, text, api_name="predict")
    assert demo.endpoint("predict").fn is str.upper and demo.endpoint("greet").fn is greet
    assert "alias_of" not in demo.api_info()["endpoints"]["predict"]


def test_interface_flagging_options_leave_the_endpoint_alone() -> None:
    demo = Interface(greet, ["text", "number"], "text", allow_flagging="never", flagging_mode="manual")
    assert demo.endpoint("predict").fn is greet and demo.flagging_mode == "manual"


def test_interface_binder_is_not_needed_for_a_plain_function() -> None:
    demo = Interface(greet, ["text", "number"], "text")
    assert not Binder(demo.endpoint("predict").plan, batch=False, input_keys=None).needed
    assert demo.endpoint("predict").engine_fn() is greet


def test_unlabelled_interface_components_take_parameter_names_and_output() -> None:
    demo = Interface(greet, ["text", cc.Number(label="how many")], ["text", "json"])
    assert [c.label for c in demo.input_components] == ["name", "how many"]
    assert [c.label for c in demo.output_components] == ["output 0", "output 1"]
    single = Interface(greet, ["text", "number"], "text")
    assert single.output_components[0].label == "output"


def test_batch_timeout_defaults_to_auto_and_zero_still_never_waits() -> None:
    """The default is the policy the benchmarks found never behind (docs/batching.md)."""

    def echo(texts: list[str]) -> list[list[str]]:
        return [texts]

    with Blocks() as demo:
        box = cc.Textbox()
        cc.Button().click(echo, box, box, batch=True, api_name="auto")
        cc.Button().click(echo, box, box, batch=True, batch_timeout=0, api_name="zero")
    assert demo.endpoint("auto").listener_config(None).batch_timeout == "auto"
    assert demo.endpoint("zero").listener_config(None).batch_timeout == 0
    interface = Interface(echo, "textbox", "textbox", batch=True)
    assert interface.endpoint("predict").listener_config(None).batch_timeout == "auto"
