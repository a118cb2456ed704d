"""``Blocks.render()``: one app placed inside another (layout, listeners, API names, chains, load events)."""

from __future__ import annotations

import pytest

import carpool as cp
from carpool.app._config import layout_tree


def test_a_rendered_app_lands_in_the_open_container_with_its_listeners_renumbered() -> None:
    inner = cp.Blocks()
    with inner:
        name = cp.Textbox(label="name")
        with cp.Row() as row:
            greet = cp.Button("Greet")
        out = cp.Textbox()
        shown = greet.click(lambda n: f"hi {n}", name, out, api_name="greet")
        shown.then(lambda: None, None, None, api_name="after")
        inner.load(lambda: "loaded", None, out, api_name=False)

    with cp.Blocks() as outer:
        top = cp.Button("Top")
        top.click(lambda: "x", None, None, api_name="greet")
        with cp.Tab("Inner") as tab:
            inner.render()

    assert [d.index for d in outer.dependencies] == [0, 1, 2, 3]
    assert [d.api_name for d in outer.dependencies] == ["greet", "greet_1", "after", None]
    assert outer.dependencies[2].options.trigger_after == 1  # the chain follows the renumbering
    assert outer.dependencies[3].targets == [(0, "load")]  # the inner app's load fires with the page's
    assert all(d.registry is outer for d in outer.dependencies)
    tree = layout_tree(outer)
    (tabs,) = [child for child in tree["children"] if child["id"] != top.id]
    (tab_node,) = tabs["children"]
    assert tab_node["id"] == tab.id
    assert [c["id"] for c in tab_node["children"]] == [name.id, row.id, out.id]
    assert outer.endpoint("greet_1").fn is not None and outer("bob", api_name="greet_1") == "hi bob"


def test_an_interface_built_inside_an_app_is_part_of_it() -> None:
    with cp.Blocks() as demo:
        cp.Markdown("title")
        cp.Interface(str.upper, "text", "text", api_name="shout")
    assert demo("abc", api_name="shout") == "ABC"
    assert len(layout_tree(demo)["children"]) == 2


def test_a_chat_interface_built_outside_renders_into_an_app() -> None:
    chat = cp.ChatInterface(lambda message, history: message[::-1], api_name="chat")
    with cp.Blocks() as demo:
        chat.render()
    assert demo.endpoint("chat").chat and demo("abc", [], api_name="chat")[0] == "cba"


def test_render_outside_an_app_or_twice_is_an_error() -> None:
    inner = cp.Blocks()
    with inner:
        cp.Textbox()
    with pytest.raises(RuntimeError, match="inside another app"):
        inner.render()
    with cp.Blocks():
        inner.render()
    with pytest.raises(RuntimeError, match="already rendered"), cp.Blocks():
        inner.render()
    with pytest.raises(RuntimeError, match="its own"), inner:
        inner.render()


def test_load_is_a_decorator_without_a_function() -> None:
    with cp.Blocks() as demo:
        box = cp.Textbox()

        @demo.load(outputs=box)
        def greet() -> str:
            return "hello"

    (dependency,) = demo.dependencies
    assert dependency.fn is greet and dependency.targets == [(0, "load")] and dependency.outputs == [box]
