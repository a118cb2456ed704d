from __future__ import annotations

import datetime

import numpy as np
import pandas as pd
import pytest

from carpool.app import Blocks
from carpool.components import Dataframe, get_component
from carpool.exceptions import InvalidInputError


def test_dataframe_default_value_has_three_numbered_columns_and_no_rows() -> None:
    empty = {"headers": ["1", "2", "3"], "data": [], "metadata": None}
    assert Dataframe(render=False).config_value() == empty


def test_dataframe_headers_name_the_columns_of_a_list_output() -> None:
    wire = Dataframe(headers=["a", "b"], render=False).postprocess([[1, 2], [3, 4]])
    assert wire == {"headers": ["a", "b"], "data": [[1, 2], [3, 4]], "metadata": None}


def test_dataframe_pandas_output_keeps_its_columns_and_makes_cells_json() -> None:
    frame = pd.DataFrame({"x": [1.5, np.nan], "when": pd.to_datetime(["2024-01-01", None])})
    wire = Dataframe(headers=["ignored"], render=False).postprocess(frame)
    assert wire["headers"] == ["x", "when"]
    assert wire["data"] == [[1.5, "2024-01-01 00:00:00"], [None, None]]


def test_dataframe_numpy_flat_list_and_dict_outputs() -> None:
    df = Dataframe(render=False)
    assert df.postprocess(np.array([[1, 2]]))["data"] == [[1, 2]]
    assert df.postprocess(np.array([[1, 2]]))["headers"] == ["1", "2"]
    assert df.postprocess([1, 2])["data"] == [[1], [2]]
    assert df.postprocess({"headers": ["q"], "data": [[7]]})["headers"] == ["q"]


def test_dataframe_styler_output_shows_its_data() -> None:
    styler = pd.DataFrame({"v": [1, 2]}).style
    assert Dataframe(render=False).postprocess(styler)["data"] == [[1], [2]]


def test_dataframe_csv_path_output(tmp_path: object) -> None:
    path = f"{tmp_path}/table.csv"
    pd.DataFrame({"a": [1], "b": ["x"]}).to_csv(path, index=False)
    wire = Dataframe(render=False).postprocess(path)
    assert wire == {"headers": ["a", "b"], "data": [[1, "x"]], "metadata": None}


def test_dataframe_rejects_outputs_it_cannot_show() -> None:
    with pytest.raises(TypeError, match="Dataframe output expects"):
        Dataframe(render=False).postprocess(42)
    with pytest.raises(ValueError, match='"data"'):
        Dataframe(render=False).postprocess({"headers": ["a"]})


def test_dataframe_preprocess_by_type() -> None:
    payload = {"headers": ["a", "b"], "data": [[1, "x"], [2, "y"]], "metadata": None}
    frame = Dataframe(render=False).preprocess(payload)
    assert isinstance(frame, pd.DataFrame) and list(frame.columns) == ["a", "b"]
    assert frame["a"].tolist() == [1, 2]
    assert Dataframe(type="array", render=False).preprocess(payload) == [[1, "x"], [2, "y"]]
    column = {"headers": ["a"], "data": [[1], [2]]}
    assert Dataframe(type="numpy", render=False).preprocess(column).shape == (2, 1)


def test_dataframe_preprocess_of_null_is_an_empty_frame_with_the_headers() -> None:
    frame = Dataframe(headers=["a", "b"], render=False).preprocess(None)
    assert frame.empty and list(frame.columns) == ["a", "b"]


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ("abc", "got string"),
        ({"headers": ["a"]}, "Dataframe expects an object"),
        ({"headers": ["a"], "data": [1]}, "row 0 must be an array"),
        ({"headers": ["a"], "data": [[1], [1, 2]]}, "same number of cells"),
        ({"headers": ["a", "b"], "data": [[1]]}, "headers must be an array of 1"),
    ],
)
def test_dataframe_rejects_bad_wire_values(payload: object, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        Dataframe(render=False).preprocess(payload)


def test_dataframe_rejects_unknown_options() -> None:
    with pytest.raises(ValueError, match="datatype 'float'"):
        Dataframe(datatype=["str", "float"], render=False)
    with pytest.raises(ValueError, match="type must be"):
        Dataframe(type="excel", render=False)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="row_count"):
        Dataframe(row_count=-1, render=False)


def test_dataframe_props_accept_gradio_count_tuples() -> None:
    props = Dataframe(row_count=(4, "dynamic"), col_count=(2, "fixed"), render=False).props()
    assert props["row_count"] == 4 and props["column_count"] == 2


def test_dataframe_shortcuts() -> None:
    assert isinstance(get_component("dataframe"), Dataframe)
    numpy_table = get_component("numpy")
    assert isinstance(numpy_table, Dataframe) and numpy_table.type == "numpy"


def test_dataframe_cell_of_a_date_is_its_text() -> None:
    wire = Dataframe(render=False).postprocess([[datetime.date(2024, 5, 1)]])
    assert wire["data"] == [["2024-05-01"]]


def test_dataframe_has_gradios_edit_event() -> None:
    with Blocks() as demo:
        table = Dataframe(interactive=True)
        table.edit(lambda: None, None, None)
    assert demo.dependencies[0].targets == [(table.id, "edit")]
