"""ImageEditor in the page: a stroke is drawn on a layer and reaches the function as RGBA arrays."""

from __future__ import annotations

from typing import Any

import pytest
from browser_session import Web
from browser_support import button, component, field
from playwright.sync_api import expect

import carpool as cp

pytestmark = pytest.mark.browser


def test_a_stroke_on_a_sketchpad_reaches_the_function_and_clear_empties_it(web: Web) -> None:
    def inked(value: dict[str, Any] | None) -> str:
        if value is None:
            return "empty"
        mask = value["layers"][0][..., 3] > 0
        return f"{value['composite'].shape[1]}x{value['composite'].shape[0]} inked={bool(mask.any())}"

    with cp.Blocks() as demo:
        pad = cp.Sketchpad(canvas_size=(200, 100), label="Pad")
        out = cp.Textbox(label="Result")
        changes = cp.Number(0, label="Changes")
        pad.change(lambda n: n + 1, changes, changes)
        cp.Button("Check").click(inked, pad, out)
    page = web.page(web.launch(demo))

    canvas = component(page, pad.id).locator("canvas")
    box = canvas.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + 20, box["y"] + 20)
    page.mouse.down()
    page.mouse.move(box["x"] + 120, box["y"] + 60, steps=8)
    page.mouse.up()
    expect(field(page, "Changes")).to_have_value("1")  # the stroke was uploaded: the value changed
    button(page, "Check").click()
    expect(field(page, "Result")).to_have_value("200x100 inked=True")

    button(page, "Clear").click()
    button(page, "Check").click()
    expect(field(page, "Result")).to_have_value("empty")
