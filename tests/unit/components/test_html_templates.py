"""HTML with Gradio 6's templates: the module the page imports, props, events, server functions."""

from __future__ import annotations

import pytest

import carpool as cp
from carpool.components import HTML
from carpool.exceptions import InvalidInputError


def test_plain_html_stays_markup_and_has_no_module() -> None:
    html = HTML("<p>hi</p>", render=False)
    assert not html.templated and html.script_module() is None
    assert html.postprocess(3) == "3" and html.preprocess("<b>") == "<b>"
    with pytest.raises(InvalidInputError, match="HTML expects a string"):
        html.preprocess(3)


def test_a_templated_html_serves_its_templates_and_code_as_a_module() -> None:
    html = HTML(
        3,
        html_template="<b>${value} of ${max_stars}</b>",
        css_template="b { color: red; }",
        js_on_load="trigger('submit');",
        max_stars=5,
        render=False,
    )
    module = html.script_module() or ""
    assert "export function html(value, props)" in module and "const { max_stars } = props;" in module
    assert "return `<b>${value} of ${max_stars}</b>`;" in module and "trigger('submit');" in module
    props = html.props()
    assert props["templated"] and props["props"] == {"max_stars": 5} and props["value"] == 3
    assert html.postprocess({"any": ["json"]}) == {"any": ["json"]} and html.preprocess(4) == 4


def test_events_the_javascript_triggers_are_listener_methods() -> None:
    with cp.Blocks() as demo:
        keys = HTML(
            js_on_load="document.addEventListener('keydown', e => trigger('keypress', {key: e.key}));"
        )
        keys.keypress(lambda: None, None, None)
    assert demo.dependencies[0].targets == [(keys.id, "keypress")]
    assert not hasattr(keys, "add_child") and not hasattr(keys, "compute_cache")  # probes stay false


def test_server_functions_become_hidden_listeners_called_with_their_arguments() -> None:
    def add(a: int, b: int) -> int:
        return a + b

    with cp.Blocks() as demo:
        html = HTML(js_on_load="", server_functions=[add])
    (dependency,) = demo.dependencies
    assert html.props()["server_functions"] == {"add": dependency.index} and dependency.api_name is None
    assert dependency.engine_fn()([2, 3]) == 5
    assert demo.component_script(html.id) == html.script_module()


def test_what_carpool_cannot_do_yet_is_named() -> None:
    with pytest.raises(ValueError, match="@children"):
        HTML(html_template="<div>@children</div>", render=False)
    with pytest.raises(ValueError, match="upload"):
        HTML(js_on_load="const { path } = await upload(file);", render=False)
    with pytest.raises(TypeError, match="must be JSON-able"):
        HTML(html_template="${x}", x=object(), render=False)
