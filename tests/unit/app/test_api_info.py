from __future__ import annotations

import carpool.components as cc
from carpool.app import Blocks, Interface


def trim_word(word: str, n: float) -> str:
    return word[: int(n)]


def test_api_info_lists_typed_parameters_and_returns() -> None:
    demo = Interface(trim_word, [cc.Textbox(label="word", render=False), "number"], "text", batch=False)
    info = demo.api_info()
    assert list(info["endpoints"]) == ["trim_word", "predict"]  # named after the function, as Gradio 6
    assert info["endpoints"]["predict"] == {
        **info["endpoints"]["trim_word"],
        "api_name": "predict",
        "alias_of": "trim_word",
    }
    endpoint = info["endpoints"]["trim_word"]
    assert endpoint["batch"] is False and endpoint["generator"] is False
    word, n = endpoint["parameters"]
    assert word["label"] == "word" and word["parameter_name"] == "word"
    assert word["component"] == "textbox" and word["python_type"] == "str"
    assert word["schema"] == {"type": "string"} and isinstance(word["example"], str)
    assert n["parameter_name"] == "n" and n["python_type"] == "float"
    (ret,) = endpoint["returns"]
    assert ret["component"] == "textbox" and ret["python_type"] == "str"


def test_api_info_leaves_out_hidden_and_frontend_only_listeners() -> None:
    with Blocks() as demo:
        text = cc.Textbox()
        text.change(lambda x: x, text, text, api_name="shown")
        text.submit(lambda x: x, text, text, api_name="hidden", show_api=False)
        text.blur(lambda x: x, text, text, api_name=False)
        cc.Button().click(None)
    assert list(demo.api_info()["endpoints"]) == ["shown"]
    # hidden from the docs, yet still callable by name
    assert demo.endpoint("hidden").api_name == "hidden"


def test_state_parameters_are_marked_stateful() -> None:
    with Blocks() as demo:
        state, text = cc.State(0), cc.Textbox()
        text.submit(lambda x, s: (x, s), [text, state], [text, state], api_name="f")
    params = demo.api_info()["endpoints"]["f"]["parameters"]
    assert [p["stateful"] for p in params] == [False, True]
