"""carpool.Info / Warning / Error on both wires: carpool's ``log`` messages and Gradio's own ``log``."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

import carpool as cp
from carpool.server import RunningServer

LogMessage = pytest.importorskip("gradio.server_messages").LogMessage


def noted(text: str) -> str:
    cp.Info(f"got {text}")
    cp.Warning("slow path", duration=None, title="Careful")
    return text.upper()


def refused(text: str) -> str:
    raise cp.Error(f"no {text}", duration=3, title="Refused")


@pytest.fixture(scope="module")
def url(serve_per_module: Callable[..., RunningServer]) -> str:
    with cp.Blocks() as demo:
        box, out = cp.Textbox(), cp.Textbox()
        cp.Button("go").click(noted, box, out, api_name="noted")
        cp.Button("no").click(refused, box, out, api_name="refused")
    return serve_per_module(demo).local_url


def stream(
    http: httpx.Client, url: str, session: str, *, until: str = "process_completed"
) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = []
    with http.stream("GET", url + "queue/data", params={"session_hash": session}) as response:
        for line in response.iter_lines():
            if line.startswith("data:"):
                messages.append(json.loads(line[len("data:") :]))
                if messages[-1]["msg"] == until:
                    break
    return messages


def test_notes_reach_carpools_stream_as_log_messages_before_the_result(url: str, http: httpx.Client) -> None:
    http.post(url + "queue/join", json={"data": ["x"], "api_name": "noted", "session_hash": "c1"})
    messages = stream(http, url, "c1")
    logs = [m for m in messages if m["msg"] == "log"]
    assert [(m["level"], m["log"], m["title"], m["duration"], m["visible"]) for m in logs] == [
        ("info", "got x", "Info", 10, True),
        ("warning", "slow path", "Careful", None, True),
    ]
    assert messages[-1]["output"]["data"] == ["X"]


def test_notes_reach_gradio_clients_in_gradios_own_log_shape(url: str, http: httpx.Client) -> None:
    config = http.get(url + "config").json()
    noted_index = next(d["id"] for d in config["dependencies"] if d["api_name"] == "noted")
    join = {"data": ["y"], "fn_index": noted_index, "session_hash": "g1"}
    http.post(url + "gradio_api/queue/join", json=join)
    messages = stream(http, url + "gradio_api/", "g1", until="close_stream")
    logs = [m for m in messages if m["msg"] == "log"]
    assert len(logs) == 2
    for message in logs:  # Gradio's own pydantic model of the message accepts it as sent
        assert LogMessage(**message).model_dump() == {**message, "msg": LogMessage(**message).msg}
    assert (logs[1]["log"], logs[1]["level"], logs[1]["title"]) == ("slow path", "warning", "Careful")


def test_an_errors_title_and_duration_reach_both_wires(url: str, http: httpx.Client) -> None:
    http.post(url + "queue/join", json={"data": ["fish"], "api_name": "refused", "session_hash": "c2"})
    error = stream(http, url, "c2")[-1]["error"]
    assert (error["message"], error["title"], error["duration"], error["visible"]) == (
        "no fish",
        "Refused",
        3,
        True,
    )
    config = http.get(url + "config").json()
    refused_index = next(d["id"] for d in config["dependencies"] if d["api_name"] == "refused")
    join = {"data": ["cod"], "fn_index": refused_index, "session_hash": "g2"}
    http.post(url + "gradio_api/queue/join", json=join)
    done = next(m for m in stream(http, url + "gradio_api/", "g2") if m["msg"] == "process_completed")
    assert done["success"] is False
    assert done["output"] == {"error": "no cod", "duration": 3, "visible": True, "title": "Refused"}
