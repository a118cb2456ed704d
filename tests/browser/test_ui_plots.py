"""LinePlot, BarPlot and ScatterPlot draw a Vega-Lite chart (vendored, no eval) of a DataFrame output."""

from __future__ import annotations

import re

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


def test_brushing_a_range_selects_it_and_a_double_click_resets_the_zoom(web: Web) -> None:
    frame = pd.DataFrame({"weight": [1.0, 2.0, 3.0, 4.0, 5.0], "height": [2, 4, 3, 5, 4]})

    def zoom(selection: cp.SelectData) -> tuple[cp.LinePlot, str]:
        low, high = selection.index
        return cp.LinePlot(x_lim=(low, high)), f"{low:.1f}-{high:.1f}"

    with cp.Blocks() as demo:
        plot = cp.LinePlot(frame, x="weight", y="height")
        shown = cp.Textbox(label="Range")
        plot.select(zoom, None, [plot, shown])
        plot.double_click(lambda: (cp.LinePlot(x_lim=None), "reset"), None, [plot, shown])
    page = web.page(web.launch(demo))
    area = component(page, plot.id).locator("svg .mark-line path")
    expect(area).to_have_count(1)
    box = component(page, plot.id).locator("svg").bounding_box()
    assert box is not None
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] * 0.35, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.65, y, steps=5)
    page.mouse.up()
    expect(page.get_by_label("Range")).to_have_value(re.compile(r"^\d\.\d-\d\.\d$"))
    low, high = (float(v) for v in page.get_by_label("Range").input_value().split("-"))
    assert 1.0 < low < high < 5.0
    component(page, plot.id).locator("svg").dblclick(position={"x": box["width"] / 2, "y": box["height"] / 2})
    expect(page.get_by_label("Range")).to_have_value("reset")
