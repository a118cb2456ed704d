"""ImageSlider in the page: an uploaded image becomes a compared pair; the slider moves, also by update."""

from __future__ import annotations

from pathlib import Path

import PIL.Image
import PIL.ImageFilter
import pytest
from browser_session import Web
from browser_support import component, luminance
from playwright.sync_api import expect

import carpool as cp

pytestmark = pytest.mark.browser


def blurred_pair(pair: tuple[PIL.Image.Image | None, PIL.Image.Image | None] | None) -> object:
    if not pair or pair[0] is None:
        return pair
    return pair[0], pair[0].filter(PIL.ImageFilter.GaussianBlur(radius=4))


def test_an_upload_becomes_a_pair_the_slider_compares(web: Web, tmp_path: Path) -> None:
    source = tmp_path / "stripes.png"
    image = PIL.Image.new("RGB", (80, 40), (250, 250, 250))
    image.paste((10, 10, 10), (0, 0, 40, 40))
    image.save(source)
    with cp.Blocks() as demo:
        slider = cp.ImageSlider(label="compare", type="pil")
        position = cp.Slider(0, 100, 50, label="position")
        slider.upload(blurred_pair, slider, slider)
        position.change(lambda p: cp.ImageSlider(slider_position=p), position, slider, show_progress="hidden")
    page = web.page(web.launch(demo))
    block = component(page, slider.id)
    block.locator("input[type=file]").set_input_files(str(source))
    view = block.get_by_test_id("imageslider-view")
    expect(view.locator("img")).to_have_count(2)
    expect(view.locator("img").nth(1)).to_be_visible()
    expect(page.get_by_test_id("status-0")).to_have_attribute("data-state", "done")
    urls = view.locator("img").evaluate_all("(imgs) => imgs.map((i) => i.src)")
    assert len(set(urls)) == 2  # the blurred copy came back as the right image
    right = view.locator("img").nth(1)
    assert right.evaluate("(el) => el.style.clipPath") == "inset(0px 0px 0px 50%)"
    compare = block.get_by_role("slider")
    compare.focus()
    page.keyboard.press("Home")
    expect(right).to_have_css("clip-path", "inset(0px 0px 0px 0%)")
    page.get_by_label("position", exact=True).fill("25")
    page.get_by_label("position", exact=True).press("Enter")
    expect(right).to_have_css("clip-path", "inset(0px 0px 0px 25%)")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_an_output_pair_fits_a_phone(web: Web, tmp_path: Path, scheme: str) -> None:
    before, after = tmp_path / "before.png", tmp_path / "after.png"
    PIL.Image.new("RGB", (900, 500), (200, 40, 40)).save(before)
    PIL.Image.new("RGB", (900, 500), (40, 40, 200)).save(after)
    with cp.Blocks() as demo:
        slider = cp.ImageSlider((str(before), str(after)), label="pair", interactive=False)
    url = web.launch(demo, allowed_paths=[str(tmp_path)])
    page = web.page(url, viewport={"width": 390, "height": 800}, color_scheme=scheme)
    view = component(page, slider.id).get_by_test_id("imageslider-view")
    expect(view.locator("img").nth(1)).to_be_visible()
    box = view.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    expect(component(page, slider.id).get_by_role("link")).to_have_count(2)  # a download per image
    stage = luminance(view.evaluate("(el) => getComputedStyle(el).backgroundColor"))
    assert (stage > 0.5) if scheme == "light" else (stage < 0.3)
