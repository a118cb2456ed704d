"""Plot: matplotlib figures become images, Altair charts Vega-Lite specs; other figures say why not."""

from __future__ import annotations

import base64
import json
from typing import Any

import matplotlib
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from carpool.components import Plot, get_component
from carpool.exceptions import InvalidInputError


def test_a_matplotlib_figure_is_an_image_in_the_chosen_format_and_is_closed() -> None:
    figure = plt.figure()
    plt.plot([1, 2, 3])
    wire = Plot(render=False).postprocess(figure)
    assert wire["type"] == "matplotlib" and wire["plot"].startswith("data:image/webp;base64,")
    assert base64.b64decode(wire["plot"].split(",", 1)[1])[:4] == b"RIFF"
    assert not plt.fignum_exists(figure.number)
    plt.plot([3, 2, 1])
    png = Plot(format="png", render=False).postprocess(plt)  # the pyplot module: its current figure
    assert base64.b64decode(png["plot"].split(",", 1)[1])[:4] == b"\x89PNG"


def make_figure(module: str) -> Any:
    cls = type("Chart", (), {"to_json": lambda self: json.dumps({"mark": "bar"})})
    cls.__module__ = module
    return cls()


def test_an_altair_chart_goes_out_as_its_vega_lite_json() -> None:
    wire = Plot(render=False).postprocess(make_figure("altair.vegalite.v5.api"))
    assert wire == {"type": "altair", "plot": '{"mark": "bar"}'}


@pytest.mark.parametrize("module", ["plotly.graph_objs._figure", "bokeh.plotting"])
def test_plotly_and_bokeh_figures_are_refused_with_the_reason(module: str) -> None:
    with pytest.raises(TypeError, match="draws matplotlib and Altair figures only"):
        Plot(render=False).postprocess(make_figure(module))


def test_other_values_and_bad_inputs_are_refused() -> None:
    with pytest.raises(TypeError, match="Plot output expects a matplotlib figure"):
        Plot(render=False).postprocess([1, 2])
    with pytest.raises(InvalidInputError, match="Plot expects"):
        Plot(render=False).preprocess({"type": "plotly", "plot": "{}"})
    with pytest.raises(InvalidInputError, match="Plot expects"):
        Plot(render=False).preprocess(3)
    with pytest.raises(ValueError, match="Plot format"):
        Plot(format="gif", render=False)  # type: ignore[arg-type]
    assert Plot(render=False).preprocess({"type": "matplotlib", "plot": "data:"})["type"] == "matplotlib"


def test_the_plot_shortcut() -> None:
    assert isinstance(get_component("plot"), Plot)
