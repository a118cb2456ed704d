from __future__ import annotations

from typing import Any

import pytest

import carpool.app._progress as progress_module
from carpool.app import Progress, Request
from carpool.app._signature import Slot, call_plan


def test_request_from_context_exposes_headers_case_insensitively() -> None:
    request = Request.from_context(
        {
            "headers": {"Authorization": "t"},
            "client": ["1.2.3.4", "80"],
            "session_hash": "s",
            "username": "u",
            "query_params": {"a": "b"},
        }
    )
    assert request.headers["authorization"] == "t" and "AUTHORIZATION" in request.headers
    assert request.client is not None and request.client.host == "1.2.3.4" and request.client.port == 80
    assert (request.session_hash, request.username, request.query_params) == ("s", "u", {"a": "b"})


def test_request_from_no_context_is_empty() -> None:
    request = Request.from_context(None)
    assert request.client is None and dict(request.headers) == {} and request.username is None


@pytest.fixture
def reports(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(progress_module, "report_progress", lambda **kw: calls.append(kw))
    return calls


def test_progress_call_forms_map_to_fractions_or_counts(reports: list[dict[str, Any]]) -> None:
    progress = Progress()
    progress(0.25, desc="a")
    progress((2, 8))
    progress(3, total=9, unit="files")
    assert reports == [
        {"progress": 0.25, "desc": "a", "unit": "steps"},
        {"desc": None, "index": 2, "length": 8, "unit": "steps"},
        {"desc": None, "index": 3, "length": 9, "unit": "files"},
    ]


def test_progress_tqdm_yields_every_item_and_reports_the_end(reports: list[dict[str, Any]]) -> None:
    items = list(Progress().tqdm(range(1000), desc="d"))
    assert items == list(range(1000))
    assert reports[0]["index"] == 0 and reports[-1] == {
        "desc": "d",
        "index": 1000,
        "length": 1000,
        "unit": "steps",
    }
    assert len(reports) < 20  # throttled, not one message per item


def test_call_plan_places_injected_values_where_the_function_declares_them() -> None:
    def fn(a: str, request: Request, b: int = 1, *, progress: Progress = Progress()) -> None: ...

    plan = call_plan(fn)
    assert plan.input_names == ("a", "b") and plan.required_inputs == 1
    args, kwargs = plan.arguments(["x", 2], {Slot.REQUEST: "R", Slot.PROGRESS: "P"})
    assert args == ["x", "R", 2] and kwargs == {"progress": "P"}
    args, kwargs = plan.arguments([], {Slot.REQUEST: "R", Slot.PROGRESS: "P"})
    assert args == [] and kwargs == {"request": "R", "progress": "P"}


def test_string_annotations_of_request_are_recognised() -> None:
    def fn(x: str, req: "gr.Request | None" = None) -> None: ...  # noqa: F821, UP037

    assert call_plan(fn).input_names == ("x",)
