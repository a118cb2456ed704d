"""Plot in the page: a matplotlib figure shows as an image, an Altair spec as a Vega-Lite chart."""

from __future__ import annotations

import json

import matplotlib
import pytest
from browser_session import Web
from browser_support import button, component
from playwright.sync_api import expect

import carpool as cp

matplotlib.use("Agg")
import matplotlib.pyplot as plt

pytestmark = pytest.mark.browser

SPEC = {
    "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
    "data": {"values": [{"a": "x", "b": 1}, {"a": "y", "b": 3}]},
    "mark": "bar",
    "encoding": {"x": {"field": "a", "type": "nominal"}, "y": {"field": "b", "type": "quantitative"}},
}


def test_figures_from_matplotlib_and_altair_are_drawn(web: Web) -> None:
    def draw(points: float) -> object:
        figure = plt.figure(figsize=(3, 2))
        plt.plot(range(int(points)))
        return figure

    with cp.Blocks() as demo:
        points = cp.Number(5, label="Points")
        figure = cp.Plot(label="Figure")
        chart = cp.Plot({"type": "altair", "plot": json.dumps(SPEC)}, label="Chart")
        cp.Button("Draw").click(draw, points, figure)
    page = web.page(web.launch(demo))

    button(page, "Draw").click()
    image = component(page, figure.id).locator("img.cp-plot-image")
    expect(image).to_be_visible()
    page.wait_for_function("el => el.complete && el.naturalWidth > 50", arg=image.element_handle())
    expect(component(page, chart.id).locator("svg")).to_be_visible()
