"""The value schemas Gradio's clients read from ``/config`` and ``/gradio_api/info``."""

from __future__ import annotations

from typing import Any

import pytest

import carpool as cp
from carpool.server.gradio._info import gradio_schema

utils = pytest.importorskip("gradio_client.utils")


def test_a_list_of_types_becomes_any_of_with_the_constraints_on_each_branch() -> None:
    schema = {"type": ["string", "null"], "pattern": "#[0-9a-f]{6}", "description": "a colour"}
    assert gradio_schema(schema) == {
        "description": "a colour",
        "anyOf": [{"type": "string", "pattern": "#[0-9a-f]{6}"}, {"type": "null"}],
    }


@pytest.mark.parametrize(
    ("component", "python_type"),
    [
        (lambda: cp.ColorPicker(), "str | None"),
        (lambda: cp.DateTime(), "str | None"),
        (
            lambda: cp.Label(),
            "dict(label: str | None, confidences: list[dict(label: str, confidence: float)])",
        ),
        (
            lambda: cp.HighlightedText(),
            "list[dict(token: str, class_or_confidence: str | float | None)] | None",
        ),
        (lambda: cp.Dataframe(), "dict(headers: list[str], data: list[list[Any]], metadata: dict() | None)"),
        (lambda: cp.Chatbot(), None),  # an array schema without items tripped it
    ],
)
def test_gradio_clients_type_printer_reads_our_schemas(component: Any, python_type: str | None) -> None:
    # gradio_client's printer failed on "type": [..., "null"] for these before
    with cp.Blocks():
        block = component()
    printed = utils.json_schema_to_python_type(gradio_schema(block.api_schema()))
    assert printed == python_type if python_type is not None else printed.startswith("list[dict(role: ")
