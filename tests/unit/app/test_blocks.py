from __future__ import annotations

import pytest

import carpool.components as cc
from carpool.app import Blocks, Dependency, on
from carpool.exceptions import UnknownEndpointError


def trim_words(words: str, lens: float) -> str:
    return words[: int(lens)]


def test_api_name_defaults_to_the_function_name_and_is_deduplicated() -> None:
    with Blocks():
        text, out = cc.Textbox(), cc.Textbox()
        button = cc.Button()
        first = button.click(trim_words, [text, text], out)
        second = button.click(trim_words, [text, text], out)
        third = text.submit(trim_words, [text, text], out)
    assert [first.api_name, second.api_name, third.api_name] == ["trim_words", "trim_words_1", "trim_words_2"]


def test_explicit_lambda_and_hidden_api_names() -> None:
    with Blocks() as demo:
        text = cc.Textbox()
        named = text.change(lambda x: x, text, text, api_name="/echo")
        anonymous = text.change(lambda x: x, text, text)
        hidden = text.change(lambda x: x, text, text, api_name=False)
        no_fn = text.change(None, None, None)
    assert named.api_name == "echo"
    assert anonymous.api_name == "lambda"
    assert hidden.api_name is None and not hidden.show_api
    assert no_fn.api_name is None and no_fn.listener_id is None
    assert hidden.listener_id == f"fn_{hidden.index}"
    assert demo.endpoint("/echo") is named


def test_endpoint_by_index_and_unknown_names() -> None:
    with Blocks() as demo:
        text = cc.Textbox()
        dep = text.change(trim_words, [text, text], text)
    assert demo.endpoint(0) is dep
    with pytest.raises(UnknownEndpointError):
        demo.endpoint("nope")
    with pytest.raises(UnknownEndpointError):
        demo.endpoint(3)
    with pytest.raises(UnknownEndpointError):
        demo.endpoint(True)  # type: ignore[arg-type]


def test_config_has_components_layout_tree_and_dependency_targets() -> None:
    with Blocks(title="t") as demo:
        with cc.Row() as row:
            word = cc.Textbox(label="word")
            n = cc.Number(precision=0)
        out = cc.Textbox(label="out")
        run = cc.Button("Run")
        ev = run.click(trim_words, [word, n], out, batch=True, max_batch_size=16)
        demo.load(lambda: "x", None, out)
    config = demo.config()
    assert config["protocol"] == "carpool/1"
    assert config["title"] == "t"
    assert {c["id"] for c in config["components"]} == {row.id, word.id, n.id, out.id, run.id}
    assert config["layout"] == {
        "id": 0,
        "children": [
            {"id": row.id, "children": [{"id": word.id}, {"id": n.id}]},
            {"id": out.id},
            {"id": run.id},
        ],
    }
    first, load = config["dependencies"]
    assert first["id"] == ev.index == 0
    assert first["targets"] == [[run.id, "click"]]
    assert first["inputs"] == [word.id, n.id] and first["outputs"] == [out.id]
    assert first["batch"] is True and first["max_batch_size"] == 16
    assert first["backend_fn"] is True and first["queue"] is True
    assert first["trigger_mode"] == "once" and first["show_progress"] == "full"
    assert first["types"] == {"generator": False, "cancel": False}
    assert load["targets"] == [[0, "load"]]


def test_trigger_mode_defaults_depend_on_the_event() -> None:
    with Blocks():
        text = cc.Textbox()
        on_change = text.change(trim_words, [text, text], text)
        on_input = text.input(trim_words, [text, text], text)
        on_submit = text.submit(trim_words, [text, text], text)
        explicit = text.change(trim_words, [text, text], text, trigger_mode="multiple")
    assert on_change.options.trigger_mode == "always_last"
    assert on_input.options.trigger_mode == "always_last"
    assert on_submit.options.trigger_mode == "once"
    assert explicit.options.trigger_mode == "multiple"


def test_chaining_records_the_dependency_it_runs_after() -> None:
    with Blocks() as demo:
        text = cc.Textbox()
        first = text.submit(lambda x: x, text, text)
        then = first.then(lambda x: x, text, text)
        success = then.success(lambda x: x, text, text)
        failure = first.failure(lambda: None)
    assert isinstance(then, Dependency)
    configs = demo.config()["dependencies"]
    assert configs[then.index]["trigger_after"] == first.index
    assert configs[then.index]["targets"] == []
    assert configs[success.index]["trigger_after"] == then.index
    assert configs[success.index]["trigger_only_on_success"] is True
    assert configs[failure.index]["trigger_only_on_failure"] is True
    assert configs[first.index]["trigger_after"] is None


def test_chaining_works_after_the_with_block_closed() -> None:
    with Blocks() as demo:
        text = cc.Textbox()
        first = text.submit(lambda x: x, text, text)
    later = first.then(lambda x: x, text, text)
    assert demo.dependencies[-1] is later


def test_cancels_lists_dependency_indexes_and_marks_cancel_only_listeners() -> None:
    with Blocks() as demo:
        text = cc.Textbox()
        run, stop = cc.Button("Run"), cc.Button("Stop")
        ev = run.click(trim_words, [text, text], text)
        cancel = stop.click(None, None, None, cancels=[ev])
    config = demo.config()["dependencies"][cancel.index]
    assert config["cancels"] == [ev.index]
    assert config["backend_fn"] is False
    assert config["types"]["cancel"] is True
    assert [c.listener_id for c in demo.listener_configs()] == ["trim_words"]


def test_cancelling_a_listener_of_another_app_is_rejected() -> None:
    with Blocks():
        text = cc.Textbox()
        foreign = text.change(lambda x: x, text, text)
    with Blocks(), pytest.raises(ValueError, match="not an event listener of this app"):
        cc.Button().click(None, cancels=[foreign])


def test_on_registers_one_listener_for_several_triggers() -> None:
    with Blocks() as demo:
        text, out = cc.Textbox(), cc.Textbox()
        button = cc.Button()
        dep = on([text.submit, button.click, (out, "change"), demo.load], trim_words, [text, text], out)
    assert dep.targets == [(text.id, "submit"), (button.id, "click"), (out.id, "change"), (0, "load")]


def test_on_without_triggers_listens_to_changes_of_the_inputs() -> None:
    with Blocks():
        a, b, out = cc.Textbox(), cc.Number(), cc.Textbox()
        dep = on(None, trim_words, [a, b], out)
    assert dep.targets == [(a.id, "change"), (b.id, "change")]
    assert dep.options.trigger_mode == "always_last"


def test_on_without_fn_is_a_decorator_that_registers_and_returns_the_function() -> None:
    with Blocks() as demo:
        text, out = cc.Textbox(), cc.Textbox()
        button = cc.Button()

        @on(triggers=[text.submit, button.click], inputs=text, outputs=out)
        def greet(name: str) -> str:
            return "Hello " + name

    assert greet("Ada") == "Hello Ada"
    assert demo.dependencies[-1].fn is greet
    assert demo.dependencies[-1].targets == [(text.id, "submit"), (button.id, "click")]


def test_on_outside_blocks_is_an_error() -> None:
    with pytest.raises(RuntimeError, match="inside"):
        on(None, trim_words)


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("max_batch_size", 0),
        ("batch_timeout", -1),
        ("batch_timeout", "soon"),
        ("concurrency_limit", 0),
        ("trigger_mode", "sometimes"),
        ("show_progress", "loud"),
        ("every", 0),
    ],
)
def test_bad_listener_options_fail_at_registration(option: str, value: object) -> None:
    with Blocks():
        text = cc.Textbox()
        with pytest.raises(ValueError, match=option):
            text.change(lambda x: x, text, text, **{option: value})


def test_unknown_listener_options_are_a_type_error() -> None:
    with Blocks():
        text = cc.Textbox()
        with pytest.raises(TypeError, match="batchsize"):
            text.change(lambda x: x, text, text, batchsize=3)


def test_inputs_given_as_a_set_are_passed_as_a_dict() -> None:
    with Blocks() as demo:
        a, b, out = cc.Textbox(label="a"), cc.Textbox(label="b"), cc.Textbox()
        dep = out.change(lambda data: data[a] + data[b], {b, a}, out)
    assert dep.inputs_as_dict and dep.inputs == [a, b]
    assert demo("x", "y") == "xy"


def test_listener_configs_resolve_the_default_concurrency_limit() -> None:
    with Blocks() as demo:
        text = cc.Textbox()
        default = text.change(trim_words, [text, text], text, batch=True, max_batch_size=8)
        unlimited = text.submit(trim_words, [text, text], text, concurrency_limit=None)
        shared = text.input(trim_words, [text, text], text, concurrency_limit=3, concurrency_id="gpu")
        unqueued = text.blur(trim_words, [text, text], text, queue=False)
    demo.queue(default_concurrency_limit=2, max_size=10)
    configs = {c.listener_id: c for c in demo.listener_configs()}
    assert configs[default.api_name].concurrency_limit == 2
    assert configs[default.api_name].batch and configs[default.api_name].max_batch_size == 8
    assert configs[unlimited.api_name].concurrency_limit is None
    assert configs[shared.api_name].concurrency_limit == 3
    assert configs[shared.api_name].concurrency_id == "gpu"
    assert configs[unqueued.api_name].concurrency_limit is None
    assert demo.queue_settings.max_size == 10


def test_queue_returns_the_app_and_validates() -> None:
    demo = Blocks()
    assert demo.queue() is demo
    with pytest.raises(ValueError):
        demo.queue(max_size=0)


def test_listener_outside_blocks_is_an_error() -> None:
    button = cc.Button(render=False)
    with pytest.raises(RuntimeError):
        button.click(lambda: None)


def test_a_function_that_cannot_take_its_inputs_warns_at_registration() -> None:
    with Blocks():
        text = cc.Textbox()
        with pytest.warns(UserWarning, match="requires 2 input"):
            text.change(trim_words, text, text)


def test_clear_forgets_the_layout_and_listeners_built_so_far() -> None:
    with Blocks() as demo:
        old = cc.Textbox()
        cc.Button().click(lambda s: s, old, old, api_name="echo")
    with demo.clear():
        new = cc.Textbox()
        cc.Button().click(lambda s: s, new, new, api_name="echo")
    assert [child.id for child in demo.children] == [new.id, new.id + 1]
    assert old.id not in demo.blocks
    assert [dep.api_name for dep in demo.dependencies] == ["echo"]  # the name is free again
    assert demo.endpoint(0).inputs == [new]


def test_unload_registers_a_hidden_listener_on_the_app_and_state_takes_its_callbacks() -> None:
    with Blocks() as demo:
        kept = cc.State([], delete_callback=print)
        dependency = demo.unload(lambda: None)
    assert dependency.targets == [(0, "unload")] and dependency.api_name is None
    assert kept.delete_callback is print
    with pytest.raises(TypeError, match=r"delete_callback=...\) must be callable"):
        cc.State(delete_callback="rm -rf", render=False)  # type: ignore[arg-type]
    with pytest.warns(UserWarning, match=r"time_to_live=...\) is not applied"):
        cc.State(time_to_live=60, render=False)
