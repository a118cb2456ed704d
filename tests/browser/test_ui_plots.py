"""LinePlot, BarPlot and ScatterPlot draw a Vega-Lite chart (vendored, no eval) of a DataFrame output."""

from __future__ import annotations

import pandas as pd
import pytest
from browser_session import Web
from browser_support import button, component
from playwright.sync_api import expect

import carpool as cp

pytestmark = pytest.mark.browser


def test_plots_draw_the_dataframe_a_function_returns_without_console_errors(web: Web) -> None:
    days = pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03"])
    frame = pd.DataFrame({"day": days, "sales": [3, 5, 4], "shop": ["north", "south", "north"]})

    with cp.Blocks() as demo:
        line = cp.LinePlot(x="day", y="sales", color="shop", title="Sales")
        bars = cp.BarPlot(frame, x="shop", y="sales", y_aggregate="sum")
        points = cp.ScatterPlot(x="day", y="sales")
        cp.Button("Draw").click(lambda: (frame, frame), None, [line, points])
    page = web.page(web.launch(demo))
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))

    expect(component(page, bars.id).locator("svg .mark-rect path")).to_have_count(2)  # summed per shop
    button(page, "Draw").click()
    expect(component(page, line.id).locator("svg .mark-line path")).to_have_count(2)  # a line per shop
    expect(component(page, line.id).locator("svg")).to_contain_text("Sales")
    expect(component(page, points.id).locator("svg .mark-symbol path")).to_have_count(3)
    assert errors == []
