"""ColorPicker, DateTime, Code and HighlightedText in the page, and ClearButton emptying them."""

from __future__ import annotations

import pytest
from browser_session import Web
from browser_support import button, component, field
from playwright.sync_api import expect

import carpool as cp

pytestmark = pytest.mark.browser


def test_picked_values_reach_the_function_and_clear_empties_them(web: Web) -> None:
    def describe(color: str | None, when: float | None, source: str) -> list[tuple[str, str | None]]:
        return [(str(color), "color"), (" ", None), (str(when is not None), "dated"), (source, "code")]

    with cp.Blocks() as demo:
        color = cp.ColorPicker(label="Colour")
        when = cp.DateTime(label="When")
        source = cp.Code("x = 1", language="python", label="Source")
        out = cp.HighlightedText(label="Summary")
        cp.Button("Describe").click(describe, [color, when, source], out)
        cp.ClearButton([when, out])
    page = web.page(web.launch(demo))

    field(page, "Colour").fill("#ff8800")
    field(page, "When").fill("2024-01-02 03:04:05")
    button(page, "Describe").click()
    summary = component(page, out.id)
    expect(summary.locator("mark").first).to_contain_text("#ff8800")
    expect(summary.locator("mark").nth(1)).to_contain_text("True")
    expect(summary.locator("mark").nth(2)).to_contain_text("x = 1")

    button(page, "Clear").click()
    expect(field(page, "When")).to_have_value("")
    expect(summary.locator("mark")).to_have_count(0)
