from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from carpool.app import Blocks
from carpool.components import BarPlot, LinePlot, ScatterPlot, get_component
from carpool.exceptions import InvalidInputError


def test_plot_output_is_gradios_plot_value_with_dates_in_epoch_milliseconds() -> None:
    frame = pd.DataFrame({"t": pd.to_datetime(["2024-01-01", None]), "v": [1.5, np.nan], "k": ["a", "b"]})
    assert LinePlot(x="t", y="v", render=False).postprocess(frame) == {
        "columns": ["t", "v", "k"],
        "data": [[1704067200000, 1.5, "a"], [None, None, "b"]],
        "datatypes": {"t": "temporal", "v": "quantitative", "k": "nominal"},
        "mark": "line",
    }


def test_each_plot_has_its_mark_and_passes_its_options_to_the_page() -> None:
    frame = pd.DataFrame({"x": [1], "y": [2]})
    assert BarPlot(render=False).postprocess(frame)["mark"] == "bar"
    assert ScatterPlot(render=False).postprocess(frame)["mark"] == "point"
    props = BarPlot(x="x", y="y", color="c", y_aggregate="mean", x_lim=[0, 5], render=False).props()
    assert (props["x"], props["y"], props["color"], props["y_aggregate"], props["x_lim"]) == (
        "x",
        "y",
        "c",
        "mean",
        [0, 5],
    )


def test_plot_rejects_what_it_cannot_draw() -> None:
    with pytest.raises(TypeError, match="LinePlot output expects a pandas DataFrame"):
        LinePlot(render=False).postprocess([[1, 2]])
    with pytest.raises(ValueError, match="y_aggregate"):
        BarPlot(y_aggregate="avg", render=False)
    with pytest.raises(InvalidInputError, match="ScatterPlot expects an object"):
        ScatterPlot(render=False).preprocess([1])


def test_plot_input_is_a_dataframe_and_options_without_effect_are_warned_about() -> None:
    frame = LinePlot(render=False).preprocess({"columns": ["a"], "data": [[1], [2]]})
    assert list(frame["a"]) == [1, 2]
    with pytest.warns(UserWarning, match="LinePlot ignores: show_fullscreen_button"):
        LinePlot(show_fullscreen_button=True, render=False)
    assert isinstance(get_component("barplot"), BarPlot)


def test_plot_value_function_with_inputs_reruns_on_load_and_on_input_changes() -> None:
    import carpool as cp

    def rows(n: float) -> pd.DataFrame:
        return pd.DataFrame({"x": list(range(int(n))), "y": list(range(int(n)))})

    with cp.Blocks() as demo:
        count = cp.Slider(1, 10, value=3)
        plot = LinePlot(rows, x="x", y="y", inputs=[count])
    dependency = demo.dependencies[-1]
    assert dependency.targets == [(0, "load"), (count.id, "change")]
    assert dependency.outputs == [plot] and dependency.fn is rows and dependency.api_name is None
    assert plot.config_value() is None


def test_select_and_double_click_listeners_tell_the_page_to_offer_them() -> None:
    with Blocks() as demo:
        plot = LinePlot(x="a", y="b")
        quiet = LinePlot(x="a", y="b")
        plot.select(lambda: None, None, plot)
        plot.double_click(lambda: None, None, plot)
    assert plot.get_config()["props"]["listens"] == ["double_click", "select"]
    assert quiet.get_config()["props"]["listens"] == []
    assert [target for dep in demo.dependencies for target in dep.targets] == [
        (plot.id, "select"),
        (plot.id, "double_click"),
    ]
