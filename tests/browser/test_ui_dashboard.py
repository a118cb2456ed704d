"""The dashboard app (examples/dashboard.py) in a browser, and the docs' screenshot of it.

Every run rewrites ``docs/dashboard.png`` from the page as it really renders (as the showcase test does
for ``docs/showcase.png``).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest
from browser_session import Web
from browser_support import BatchRecorder, button, component
from playwright.sync_api import expect

import carpool as cp

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
DASHBOARD = ROOT / "examples" / "dashboard.py"
SCREENSHOT = ROOT / "docs" / "dashboard.png"


def load_dashboard() -> ModuleType:
    spec = importlib.util.spec_from_file_location("carpool_dashboard_under_test", DASHBOARD)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_dashboard_forecasts_selects_renders_and_leaves_a_screenshot(web: Web) -> None:
    module = load_dashboard()
    demo: cp.Blocks = module.demo
    calls = BatchRecorder()
    explain = module.explain
    gate = web.gate()
    hold_second_call = True

    def recorded_explain(regions: list[str]) -> list[list[str]]:
        if calls.record(regions) == 1 and hold_second_call:
            gate.hold()  # the third call's events gather meanwhile
        return explain(regions)

    module.explain = recorded_explain  # each render run looks the card's function up anew
    page = web.page(web.launch(demo.queue()), viewport={"width": 1200, "height": 1000})
    table = component(page, module.table.id)
    expect(table.locator("tbody tr")).to_have_count(12)  # on load: North and East, 6 months ahead
    expect(component(page, module.lines.id).locator("canvas, svg").first).to_be_visible()

    page.get_by_label("West", exact=True).check()
    page.get_by_label("Months ahead", exact=True).fill("3")
    page.get_by_label("Months ahead", exact=True).press("Enter")
    button(page, "Forecast").click()
    expect(table.locator("tbody tr")).to_have_count(9)  # three regions, 3 months
    expect(table.locator("tbody tr").first.locator("td").first).to_have_text("North")

    table.locator("tbody tr").nth(6).locator("td").first.click()  # a West row
    expect(component(page, module.summary.id)).to_contain_text("West: 24 months")
    expect(component(page, module.months.id).locator("canvas, svg").first).to_be_visible()

    expect(button(page, "Explain West")).to_be_visible()  # the cards follow the regions
    button(page, "Explain North").click()
    expect(page.get_by_text("North grows by about")).to_be_visible()
    assert calls.calls == [["North"]]  # the batched function got a batch (of one), not a bare string
    button(page, "Explain West").click()
    assert gate.entered.wait(30)  # held: what is pressed now waits, and rides together
    other = web.page(page.url, viewport={"width": 1200, "height": 1000})
    button(other, "Explain East").click()
    button(page, "Explain North").click()
    for viewer in (page, other):  # both cards' events wait in the queue behind the held call
        expect(viewer.locator('[data-testid^="status-r"][data-state="queued"]')).to_have_count(1)
    gate.open()
    expect(other.get_by_text("East grows by about")).to_be_visible()
    expect(page.get_by_text("West grows by about")).to_be_visible()
    assert sorted(calls.calls[2]) == ["East", "North"], calls.calls  # two people, one call

    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    assert SCREENSHOT.stat().st_size > 10_000


def test_concurrent_forecasts_share_one_fit(monkeypatch: pytest.MonkeyPatch) -> None:
    module = load_dashboard()
    fits: list[int] = []
    fit = module._fit_trends

    def counted(series: list[object]) -> object:
        fits.append(len(series))
        return fit(series)

    monkeypatch.setattr(module, "_fit_trends", counted)
    tables, lines, bars = module.forecast([["North"], ["East", "West"]], [2, 1])
    assert fits == [3]  # one polyfit over every (request, region) series of the batch
    assert [len(t) for t in tables] == [2, 2] and set(bars[1].region) == {"East", "West"}
    assert set(lines[0].kind) == {"history", "forecast"}
