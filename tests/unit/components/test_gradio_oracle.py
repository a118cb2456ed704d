"""Every component's default value and conversions against real Gradio 6's (the oracle in the dev extra).

Each row builds the same component in both libraries and compares, for a table of values: the value the
page starts with, what a function receives for a wire value (``preprocess``; Gradio's side first goes
through its ``data_model`` as Gradio's server does) and what goes out for a function's return
(``postprocess``). Values are compared with their Python types (an ``int`` is not a ``float``: a function
doing ``range(n)`` sees the difference). Where both libraries refuse a value, the row passes: carpool's
refusal is its own error type, Gradio's is whatever its code raised.

Deliberate differences are not in the table but listed, with the reason, in ``KNOWN_DIFFERENCES``;
docs/gradio-compat.md says the same.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pytest

import carpool as cp
from carpool.components import FileStore

gr = pytest.importorskip("gradio")

KNOWN_DIFFERENCES = {
    "Number output of a numeric string": "Gradio passes '4' through to a number field; carpool refuses it",
    "Markdown output of a number": "Gradio fails on 3; carpool shows '3'",
    "Button output None": "Gradio shows the text 'None'; carpool keeps the label",
    "HTML default": "Gradio starts at None, carpool at '' (its templates render the value; both blank)",
    "Label output of its own wire form": "Gradio fails on {'label', 'confidences': [...]}; carpool shows it",
    "State default": "Gradio's config holds no State value; carpool's page never reads it either",
}


@dataclass(frozen=True, eq=False)  # hashed by identity: functools.cache builds each row once
class Row:
    name: str
    kwargs: dict[str, Any] = field(default_factory=dict)
    pre: tuple[Any, ...] = ()
    post: tuple[Any, ...] = ()
    default: bool = True  # compare the starting value (False: a KNOWN_DIFFERENCES entry says why not)

    def __str__(self) -> str:
        return f"{self.name}({', '.join(f'{k}={v!r}' for k, v in self.kwargs.items())})"


FRAME = pd.DataFrame({"a": [1, 2], "b": ["x", "y"]})
TABLE = {"headers": ["a", "b"], "data": [[1, "x"], [2, "y"]]}
ROWS = [
    Row("Textbox", pre=("", "hi", None), post=("x", 3, None, 1.5)),
    Row("Number", pre=(3, 2.5, None, 0), post=(3, 2.5, None)),
    Row("Number", {"precision": 0}, pre=(3, 2.5, None), post=(3, 2.5, None)),
    Row("Number", {"precision": 2}, pre=(3.14159,), post=(2.71828,)),
    Row("Number", {"value": 5}),
    Row("Slider", {"minimum": 0, "maximum": 10, "step": 1}, pre=(3, 2.5, None), post=(3, None, 2.5)),
    Row("Slider", {"minimum": 2, "maximum": 9, "precision": 0}, pre=(3.6,), post=(None, 4.4)),
    Row("Slider"),
    Row("Checkbox", pre=(True, False, None), post=(True, False, None)),
    Row("Checkbox", {"value": True}),
    Row("CheckboxGroup", {"choices": ["a", "b"]}, pre=(["a"], []), post=(["a"], "a", None, [])),
    Row("CheckboxGroup", {"choices": ["a", "b"], "type": "index"}, pre=(["b"], []), post=(["a"],)),
    Row("CheckboxGroup", {"choices": [("A", "a"), ("B", "b")]}, pre=(["a"],), post=(["a"],)),
    Row("Radio", {"choices": ["a", "b"]}, pre=("a", None), post=("a", None)),
    Row("Radio", {"choices": ["a", "b"], "type": "index"}, pre=("b", None), post=("b",)),
    Row("Radio", {"choices": ["a", "b"], "value": "a"}),
    Row("Dropdown", {"choices": ["a", "b"]}, pre=("a", None), post=("a", None)),
    Row(
        "Dropdown",
        {"choices": ["a", "b"], "multiselect": True},
        pre=(["a"], [], None),
        post=(["a"], "a", None),
    ),
    Row("Dropdown", {"choices": ["a", "b"], "type": "index"}, pre=("b", None), post=("b",)),
    Row("Dropdown", {"choices": ["a", "b"], "allow_custom_value": True}, pre=("zz",), post=("zz",)),
    Row("Dropdown", {"choices": [1, 2]}, pre=(1,), post=(2,)),
    Row("Dropdown", {"choices": [("One", 1), ("Two", 2)], "value": 2}, pre=(1,), post=(2,)),
    Row("JSON", pre=({"a": 1}, None, [1]), post=({"a": 1}, [1, 2], None, '{"a": 1}', 3)),
    Row("Label", post=("cat", {"cat": 0.7, "dog": 0.3}, 3, None, 0.5, {})),
    Row("Label", {"num_top_classes": 1}, post=({"cat": 0.7, "dog": 0.3},)),
    Row("Markdown", pre=("x",), post=("**x**", None, "\n    indented\n    text\n")),
    Row("HTML", pre=("x",), default=False, post=("<b>x</b>", None)),
    Row("Code", pre=("x = 1", None), post=("x = 1", None)),
    Row("Code", {"value": "print(1)", "language": "python"}),
    Row("ColorPicker", pre=("#ff0000", None), post=("#ff0000", None)),
    Row("DateTime", pre=("2024-01-01 10:00:00", None, 1704103200), post=("2024-01-01 10:00:00", None)),
    Row("DateTime", {"type": "string"}, pre=("2024-01-01 10:00:00",)),
    Row("DateTime", {"type": "datetime"}, pre=("2024-01-01 10:00:00",)),
    Row("DateTime", {"include_time": False}, pre=("2024-01-01",)),
    Row(
        "HighlightedText",
        post=(
            [("a", "X"), ("b", None)],
            {"text": "hello", "entities": [{"entity": "G", "start": 0, "end": 2}]},
            None,
            [("a", 0.5)],
        ),
    ),
    Row("HighlightedText", {"combine_adjacent": True}, post=([("a", "X"), ("b", "X"), ("c", None)],)),
    Row("Dataframe", pre=(TABLE,), post=(FRAME, [[1, 2], [3, 4]], np.array([[1.5, 2]]), None)),
    Row("Dataframe", {"type": "array"}, pre=(TABLE,)),
    Row("Dataframe", {"type": "numpy"}, pre=({"headers": ["a", "b"], "data": [[1, 2]]},)),
    Row("Dataframe", {"headers": ["x", "y"]}, post=([[1, 2]],)),
    Row("Dataframe", {"value": FRAME}),
    Row("Button", pre=("Run",), post=("Go",)),
    Row(
        "MultimodalTextbox", pre=({"text": "hi", "files": []},), post=({"text": "a", "files": []}, "a", None)
    ),
    Row("Chatbot", pre=([],), post=([], None)),
]


def normalised(value: Any) -> Any:
    """A comparable form that keeps Python types (``3`` and ``3.0`` differ) and DataFrames' contents."""
    if isinstance(value, pd.DataFrame):
        rows = value.astype(object).to_numpy().tolist()
        return (
            "DataFrame",
            [str(c) for c in value.columns],
            normalised(rows),
            [str(t) for t in value.dtypes],
        )
    if isinstance(value, np.ndarray):
        return ("ndarray", normalised(value.tolist()), str(value.dtype))
    if isinstance(value, list | tuple):
        return [normalised(item) for item in value]
    if isinstance(value, dict):
        return {key: normalised(item) for key, item in value.items()}
    if hasattr(value, "model_dump"):
        return normalised(value.model_dump())
    return (type(value).__name__, value)


REFUSED = ("refused",)


def outcome(run: Any) -> Any:
    try:
        return normalised(run())
    except Exception:  # both libraries refusing counts as the same answer; what they raise differs
        return REFUSED


def gradio_preprocess(component: Any, payload: Any) -> Any:
    model = getattr(component, "data_model", None)
    if model is not None and payload is not None:
        payload = model.model_validate(payload)  # what Gradio's server does before preprocess
    return component.preprocess(payload)


@functools.cache
def build(row: Row) -> tuple[Any, Any]:
    """Both components, built once per row (conversions do not change them)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with gr.Blocks():
            theirs = getattr(gr, row.name)(**row.kwargs)
        with cp.Blocks():
            ours = getattr(cp, row.name)(**row.kwargs)
    return theirs, ours


def cases() -> Iterator[Any]:
    for row in ROWS:
        if row.default:
            yield pytest.param(row, "default", None, id=f"{row}-default")
        for i, payload in enumerate(row.pre):
            yield pytest.param(row, "preprocess", payload, id=f"{row}-pre{i}")
        for i, value in enumerate(row.post):
            yield pytest.param(row, "postprocess", value, id=f"{row}-post{i}")


@pytest.mark.parametrize(("row", "kind", "value"), list(cases()))
def test_same_as_gradio(store: FileStore, row: Row, kind: str, value: Any) -> None:
    theirs, ours = build(row)
    if kind == "default":
        expected = outcome(lambda: theirs.get_config().get("value"))
        got = outcome(ours.config_value)
    elif kind == "preprocess":
        expected = outcome(lambda: gradio_preprocess(theirs, value))
        got = outcome(lambda: ours.preprocess(value))
    else:
        expected = outcome(lambda: theirs.postprocess(value))
        got = outcome(lambda: ours.postprocess(value))
    assert got == expected, f"{row} {kind} {value!r}"


def test_the_table_covers_every_conversion_kind() -> None:
    # a guard against the table shrinking into something that cannot fail
    assert sum(len(row.pre) for row in ROWS) >= 40 and sum(len(row.post) for row in ROWS) >= 50
