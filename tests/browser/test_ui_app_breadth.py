"""App-level breadth seen in Gradio's demos: JSON's list indices, and what later features add here."""

from __future__ import annotations

import pytest
from browser_session import Web
from browser_support import button, component
from playwright.sync_api import expect

import carpool as cp

pytestmark = pytest.mark.browser


def test_json_with_show_indices_numbers_list_items_and_copies_plain_json(web: Web) -> None:
    with cp.Blocks() as demo:
        plain = cp.JSON({"a": [1]}, label="Plain")
        indexed = cp.JSON(label="Indexed", show_indices=True, buttons=[])
        cp.Button("Fill").click(lambda: {"scores": [0.5, {"x": [True]}]}, None, indexed)
    page = web.page(web.launch(demo))
    expect(component(page, plain.id).locator("pre")).to_have_text('{\n  "a": [\n    1\n  ]\n}')
    button(page, "Fill").click()
    shown = component(page, indexed.id)
    expect(shown.locator("pre")).to_contain_text(
        '"scores": [\n    0: 0.5,\n    1: {\n      "x": [\n        0: true'
    )
    expect(shown.get_by_role("button", name="Copy JSON")).to_be_hidden()
