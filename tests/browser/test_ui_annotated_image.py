"""AnnotatedImage in the page: masks over the image, a legend whose entries highlight and select."""

from __future__ import annotations

import numpy as np
import pytest
from browser_session import Web
from browser_support import button, component, field, luminance
from playwright.sync_api import expect

import carpool as cp

pytestmark = pytest.mark.browser


def sections(count: float) -> tuple[np.ndarray, list[tuple[object, str]]]:
    image = np.full((60, 90, 3), 200, dtype=np.uint8)
    blob = np.zeros((60, 90))
    blob[20:40, 50:80] = 1.0
    found: list[tuple[object, str]] = [((5, 5, 40, 50), "apple"), (blob, "banana")]
    return image, found[: int(count)]


def test_a_legend_entry_highlights_its_mask_and_selects_it(web: Web) -> None:
    def picked(evt: cp.SelectData) -> str:
        return f"{evt.index}: {evt.value}"

    with cp.Blocks() as demo:
        count = cp.Number(2, label="count")
        shown = cp.AnnotatedImage(color_map={"banana": "#a89a00"}, label="sections")
        chosen = cp.Textbox(label="chosen")
        cp.Button("Find").click(sections, count, shown)
        shown.select(picked, None, chosen)
    page = web.page(web.launch(demo))
    button(page, "Find").click()
    view = component(page, shown.id).get_by_test_id("annotated-view")
    masks = view.locator(".cp-annotated-mask")
    expect(masks).to_have_count(2)
    assert "hue-rotate" in (masks.nth(0).get_attribute("style") or "")  # apple: no colour given
    assert "hue-rotate" not in (masks.nth(1).get_attribute("style") or "")  # banana: its own colour
    legend = component(page, shown.id).get_by_role("button", name="banana")
    legend.hover()
    expect(masks.nth(1)).to_have_class("cp-annotated-mask cp-active")
    expect(masks.nth(0)).to_have_class("cp-annotated-mask cp-inactive")
    legend.click()
    expect(field(page, "chosen")).to_have_value("1: banana")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_annotated_image_fits_a_phone(web: Web, scheme: str) -> None:
    with cp.Blocks() as demo:
        shown = cp.AnnotatedImage(sections(2), label="sections")
    page = web.page(web.launch(demo), viewport={"width": 390, "height": 800}, color_scheme=scheme)
    view = component(page, shown.id).get_by_test_id("annotated-view")
    expect(view.locator(".cp-annotated-mask")).to_have_count(2)
    box = view.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    chip = component(page, shown.id).get_by_role("button", name="apple")
    text = luminance(chip.evaluate("(el) => getComputedStyle(el).color"))
    assert (text < 0.4) if scheme == "light" else (text > 0.6)
