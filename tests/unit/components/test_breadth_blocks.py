"""BrowserState, Sidebar, TabbedInterface and Code.languages."""

from __future__ import annotations

import pytest

import carpool as cp
from carpool.components import BrowserState, Code, Sidebar


def test_browser_state_is_json_kept_under_its_storage_key() -> None:
    state = BrowserState(["", ""], storage_key="login", render=False)
    assert state.props()["storage_key"] == "login" and state.props()["value"] == ["", ""]
    assert state.props()["visible"] is False
    assert state.postprocess({"a": [1, 2]}) == {"a": [1, 2]} and state.preprocess([1]) == [1]
    assert BrowserState(render=False).storage_key != BrowserState(render=False).storage_key
    with pytest.raises(TypeError, match="BrowserState output must be JSON-able"):
        state.postprocess({1, 2})


def test_browser_state_says_it_does_not_encrypt() -> None:
    with pytest.warns(UserWarning, match=r"secret=\.\.\.\) is not used"):
        BrowserState(secret="s3cret", render=False)


def test_sidebar_is_a_layout_with_a_side_and_a_width() -> None:
    with cp.Blocks() as demo, Sidebar(position="right", width=280, open=False) as side:
        box = cp.Textbox()
    assert side.children == [box] and demo.blocks[side.id] is side
    assert side.props() | {"open": False, "position": "right", "width": "280px"} == side.props()
    with pytest.raises(ValueError, match="Sidebar position"):
        Sidebar(position="top", render=False)  # type: ignore[arg-type]


def test_tabbed_interface_puts_each_app_in_a_tab_and_keeps_their_endpoints() -> None:
    hello = cp.Interface(lambda name: "Hello " + name, "text", "text", api_name="predict")
    bye = cp.Interface(lambda name: "Bye " + name, "text", "text", api_name="predict")
    demo = cp.TabbedInterface([hello, bye], ["Hello", "Bye"])
    tabs = [block for block in demo.blocks.values() if isinstance(block, cp.Tab)]
    assert [tab.label for tab in tabs] == ["Hello", "Bye"]
    assert demo("x", api_name="predict") == "Hello x" and demo("x", api_name="predict_1") == "Bye x"
    with pytest.raises(ValueError, match="2 apps but 1 tab names"):
        cp.TabbedInterface([cp.Interface(str.upper, "text", "text"), cp.Blocks()], ["one"])


def test_code_lists_its_languages_and_refuses_others() -> None:
    assert "python" in Code.languages and None in Code.languages
    with pytest.raises(ValueError, match="Code language must be one of"):
        Code(language="cobol", render=False)
