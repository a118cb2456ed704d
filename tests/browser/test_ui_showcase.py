"""The showcase app (examples/showcase.py) in a browser, and the README's screenshot of it.

Every run rewrites ``docs/showcase.png`` from the page as it really renders, so the picture in the README
never drifts from the product.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest
from browser_session import Web
from browser_support import button, status
from playwright.sync_api import expect

import carpool as cp

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
SHOWCASE = ROOT / "examples" / "showcase.py"
SCREENSHOT = ROOT / "docs" / "showcase.png"


def load_showcase() -> ModuleType:
    spec = importlib.util.spec_from_file_location("carpool_showcase_under_test", SHOWCASE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def dependency_of(demo: cp.Blocks, fn_name: str) -> int:
    return next(dep.index for dep in demo.dependencies if getattr(dep.fn, "__name__", None) == fn_name)


def test_the_showcase_tones_an_example_image_and_leaves_a_screenshot_for_the_readme(web: Web) -> None:
    demo: cp.Blocks = load_showcase().demo
    page = web.page(web.launch(demo.queue()), viewport={"width": 1200, "height": 860})

    page.get_by_role("tab", name="Image filter").click()
    image_panel = page.get_by_role("tabpanel", name="Image filter")
    image_panel.locator(".cp-example-row").first.click()
    button(page, "Apply sepia").click()
    expect(status(page, dependency_of(demo, "sepia"))).to_have_attribute("data-state", "done")
    shown = image_panel.locator(".cp-media-view img")
    expect(shown).to_have_count(2)  # the example image as input, and the sepia output
    for img in shown.all():
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=img.element_handle())

    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    assert SCREENSHOT.stat().st_size > 10_000
