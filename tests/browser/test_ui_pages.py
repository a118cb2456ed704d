"""What a page shows and does besides running events: examples, cached examples, themes, layouts and the
"Use via API" panel (whose snippets must work when copied as they are)."""

from __future__ import annotations

import contextlib
import io
import json
import shlex
from typing import Any

import httpx
import pytest
from browser_session import Web
from browser_support import BatchRecorder, button, component, field, luminance
from playwright.sync_api import Page, Request, expect

import carpool as cp

pytestmark = pytest.mark.browser

EXAMPLES = [["carpool", 3], ["batching", 5], ["abc", 1]]


def trim_words_interface(recorder: BatchRecorder, **options: Any) -> cp.Interface:
    def trim_words(words: list[str], lengths: list[float]) -> list[list[str]]:
        recorder.record(words)
        return [[word[: int(n)] for word, n in zip(words, lengths, strict=True)]]

    inputs = [cp.Textbox(label="Word"), cp.Number(label="Length", value=3, precision=0)]
    return cp.Interface(
        trim_words, inputs, cp.Textbox(label="Trimmed"), batch=True, max_batch_size=16, **options
    )


def joins_of(page: Page) -> list[Request]:
    """A live list of the page's queue joins (requests that would run the function)."""
    joins: list[Request] = []
    page.on("request", lambda request: joins.append(request) if "queue/join" in request.url else None)
    return joins


def test_clicking_an_example_fills_the_inputs_without_running_the_function(web: Web) -> None:
    recorder = BatchRecorder()
    demo = trim_words_interface(recorder, examples=EXAMPLES)
    page = web.page(web.launch(demo.queue()))
    joins = joins_of(page)
    examples = demo.examples.id

    page.get_by_test_id(f"example-{examples}-1").click()
    expect(field(page, "Word")).to_have_value("batching")
    expect(field(page, "Length")).to_have_value("5")

    page.get_by_test_id(f"example-{examples}-2").focus()  # rows are keyboard accessible
    page.keyboard.press("Enter")
    expect(field(page, "Word")).to_have_value("abc")
    expect(field(page, "Length")).to_have_value("1")
    expect(field(page, "Trimmed")).to_have_value("")
    assert joins == []
    assert recorder.calls == []


def test_cached_examples_are_computed_at_launch_in_one_batch_and_shown_at_once_on_click(web: Web) -> None:
    recorder = BatchRecorder()
    demo = trim_words_interface(recorder, examples=EXAMPLES, cache_examples=True)
    url = web.launch(demo.queue())
    assert recorder.sizes == [3], "the examples were not cached through the batched function in one batch"
    page = web.page(url)
    joins = joins_of(page)

    page.get_by_test_id(f"example-{demo.examples.id}-1").click()
    # No waiting: the click handler fills the output synchronously from the cached value in the config.
    assert field(page, "Trimmed").input_value() == "batch"
    assert field(page, "Word").input_value() == "batching"
    page.get_by_test_id(f"example-{demo.examples.id}-0").click()
    assert field(page, "Trimmed").input_value() == "car"
    assert joins == []
    assert recorder.sizes == [3]


def page_colours(page: Page) -> tuple[float, float]:
    """(background, text) luminance of the page body."""
    background, text = page.evaluate(
        "() => { const s = getComputedStyle(document.body); return [s.backgroundColor, s.color]; }"
    )
    return luminance(background), luminance(text)


def test_dark_mode_renders_light_text_on_a_dark_background(web: Web) -> None:
    url = web.launch(trim_words_interface(BatchRecorder()).queue())
    dark = web.page(url, color_scheme="dark")
    light = web.page(url, color_scheme="light")
    forced = web.page(f"{url}?__theme=dark", color_scheme="light")

    for page in (dark, forced):
        background, text = page_colours(page)
        assert background < 0.2 < 0.7 < text, f"not dark: background {background:.2f}, text {text:.2f}"
        field_background = field(page, "Word").evaluate("el => getComputedStyle(el).backgroundColor")
        assert luminance(field_background) < 0.3, "an input kept a light background in dark mode"
    background, text = page_colours(light)
    assert text < 0.3 < 0.8 < background, f"not light: background {background:.2f}, text {text:.2f}"


def test_rows_columns_tabs_accordions_and_groups_render_and_respond(web: Web) -> None:
    with cp.Blocks() as demo:
        with cp.Row():
            with cp.Column():
                cp.Textbox(label="Left")
            with cp.Column():
                cp.Textbox(label="Right")
        with cp.Tab("First"):
            cp.Markdown("Body of the first tab")
        with cp.Tab("Second"):
            cp.Markdown("Body of the second tab")
        with cp.Accordion("More options", open=False):
            cp.Textbox(label="Inside")
        with cp.Group() as group:
            cp.Textbox(label="Grouped")
    page = web.page(web.launch(demo.queue()))

    left, right = field(page, "Left").bounding_box(), field(page, "Right").bounding_box()
    assert left is not None and right is not None
    assert left["x"] + left["width"] <= right["x"] and abs(left["y"] - right["y"]) < 2, "row not side by side"
    page.set_viewport_size({"width": 390, "height": 844})  # a phone: the row's columns stack
    left, right = field(page, "Left").bounding_box(), field(page, "Right").bounding_box()
    assert left is not None and right is not None
    assert right["y"] >= left["y"] + left["height"], "row did not stack at phone width"

    first_tab, second_tab = page.get_by_role("tab", name="First"), page.get_by_role("tab", name="Second")
    expect(first_tab).to_have_attribute("aria-selected", "true")
    expect(page.get_by_text("Body of the first tab")).to_be_visible()
    expect(page.get_by_text("Body of the second tab")).to_be_hidden()
    second_tab.click()
    expect(second_tab).to_have_attribute("aria-selected", "true")
    expect(page.get_by_text("Body of the second tab")).to_be_visible()
    expect(page.get_by_text("Body of the first tab")).to_be_hidden()

    expect(field(page, "Inside")).to_be_hidden()
    page.get_by_text("More options").click()
    expect(field(page, "Inside")).to_be_visible()
    expect(component(page, group.id).get_by_label("Grouped", exact=True)).to_be_visible()


def snippet(page: Page, copy_testid: str) -> str:
    """The code next to a Copy button of the API panel."""
    block = page.locator(".cp-code", has=page.get_by_test_id(copy_testid))
    return block.locator("pre").inner_text()


def run_curl_snippet(code: str) -> Any:
    """Do what the curl snippet says (method, URL, headers, body) with httpx; returns the JSON reply."""
    words = shlex.split(code.replace("\\\n", " "))
    assert words[:3] == ["curl", "-X", "POST"], code
    url, headers, body = words[3], {}, None
    for flag, value in zip(words[4::2], words[5::2], strict=True):
        if flag == "-H":
            name, _, header = value.partition(":")
            headers[name.strip()] = header.strip()
        elif flag == "-d":
            body = value
    response = httpx.post(url, headers=headers, content=body, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def run_python_snippet(code: str) -> str:
    """Run the Python snippet as a user would paste it; returns what it printed."""
    printed, namespace = io.StringIO(), dict[str, Any]()
    try:
        with contextlib.redirect_stdout(printed):
            exec(code, namespace)
    finally:
        client = namespace.get("client")
        if client is not None:
            client.close()
    return printed.getvalue().strip()


def test_the_api_panel_lists_the_endpoint_with_snippets_that_work_as_copied(web: Web) -> None:
    demo = trim_words_interface(BatchRecorder(), api_name="trim_words")
    page = web.page(web.launch(demo.queue()))

    page.get_by_test_id("open-api").click()
    panel = page.get_by_test_id("api-panel")
    expect(panel).to_be_visible()
    endpoint = panel.get_by_test_id("api-endpoint-trim_words")
    expect(endpoint).to_contain_text("/trim_words")
    expect(endpoint.get_by_role("cell", name="Word", exact=True)).to_be_visible()
    expect(endpoint.get_by_role("cell", name="Length", exact=True)).to_be_visible()

    python_code = snippet(page, "copy-python-trim_words")
    curl_code = snippet(page, "copy-curl-trim_words")
    assert 'api_name="/trim_words"' in python_code
    reply = run_curl_snippet(curl_code)
    sent = json.loads(shlex.split(curl_code.replace("\\\n", " "))[-1])["data"]
    assert reply == {"data": [sent[0][: int(sent[1])]]}
    assert run_python_snippet(python_code) == sent[0][: int(sent[1])]

    button(page, "Close API panel").click()
    expect(panel).to_be_hidden()
