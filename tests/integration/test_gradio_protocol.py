"""Gradio's wire protocol at the HTTP level: message shapes as real Gradio 6 sends them, and refusals.

The shapes were read off a real Gradio 6.31 app (``/config``, ``/gradio_api/info``, the sse_v3 frames);
the refusals are carpool's own statuses and error body, with FastAPI's ``detail`` beside it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from gradio_client_support import BatchProbe, gradio_demo, offline_hub

from carpool.server import RunningServer

ProgressUnit = pytest.importorskip("gradio_client.utils").ProgressUnit

API = "gradio_api/"


@pytest.fixture(scope="module")
def url(serve_per_module: Callable[..., RunningServer]) -> str:
    return serve_per_module(gradio_demo(BatchProbe())).local_url


def fn_index(http: httpx.Client, url: str, api_name: str) -> int:
    config = http.get(url + "config").json()
    return next(dep["id"] for dep in config["dependencies"] if dep["api_name"] == api_name)


def session_frames(http: httpx.Client, url: str, session: str) -> tuple[list[str], list[dict[str, Any]]]:
    """Every line of the session's stream (it ends by itself) and the messages in it."""
    with http.stream("GET", url + API + "queue/data", params={"session_hash": session}) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        lines = [line for line in response.iter_lines() if line]
    return lines, [json.loads(line[len("data:") :]) for line in lines]


def named_events(http: httpx.Client, stream_url: str) -> list[tuple[str, Any]]:
    events, name = [], ""
    with http.stream("GET", stream_url) as response:
        assert response.status_code == 200
        for line in response.iter_lines():
            if line.startswith("event: "):
                name = line[len("event: ") :]
            elif line.startswith("data: "):
                events.append((name, json.loads(line[len("data: ") :])))
    return events


# -- shapes -------------------------------------------------------------------------------------------


def test_config_carries_gradios_fields_and_keeps_carpools(url: str, http: httpx.Client) -> None:
    config = http.get(url + "config").json()
    assert config["protocol"] == "sse_v3" and config["api_prefix"] == "/gradio_api"
    assert config["carpool_protocol"] == "carpool/1" and "layout" in config  # carpool's page still reads it
    components = {c["id"]: c for c in config["components"]}
    kinds = {c["type"]: c for c in config["components"]}
    assert kinds["state"]["skip_api"] is True and kinds["textbox"]["skip_api"] is False
    assert (
        kinds["file"]["api_info"]["properties"]["meta"]["properties"]["_type"]["const"] == "gradio.FileData"
    )
    greet = next(dep for dep in config["dependencies"] if dep["api_name"] == "greet")
    assert greet["api_visibility"] == "public" and greet["backend_fn"] is True and greet["queue"] is True
    assert all(component_id in components for component_id in greet["inputs"] + greet["outputs"])


def test_info_has_gradios_named_endpoints(url: str, http: httpx.Client) -> None:
    info = http.get(url + API + "info").json()
    assert info["unnamed_endpoints"] == {}
    greet = info["named_endpoints"]["/greet"]
    first = greet["parameters"][0]
    assert first["python_type"] == {"type": "str", "description": ""} and first["component"] == "Textbox"
    assert {"label", "parameter_name", "parameter_has_default", "parameter_default", "type"} <= set(first)
    shout_file = info["named_endpoints"]["/shout_file"]["parameters"][0]
    assert shout_file["type"]["title"] == "FileData" and shout_file["python_type"]["type"] == "filepath"


def test_queue_join_and_data_speak_sse_v3(url: str, http: httpx.Client) -> None:
    count = fn_index(http, url, "count")
    joined = http.post(url + API + "queue/join", json={"data": [3], "fn_index": count, "session_hash": "v3"})
    event_id = joined.json()["event_id"]
    lines, messages = session_frames(http, url, "v3")
    assert all(line.startswith("data:") for line in lines)  # gradio_client fails on any other line
    kinds = [m["msg"] for m in messages]
    assert kinds[-1] == "close_stream" and "process_starts" in kinds
    estimation = next(m for m in messages if m["msg"] == "estimation")
    assert {"rank", "queue_size", "rank_eta"} <= set(estimation) and estimation["event_id"] == event_id
    partials = [m["output"]["data"] for m in messages if m["msg"] == "process_generating"]
    assert partials == [["0"], [[["append", [], "1"]]], [[["append", [], "2"]]]]  # edits after the first
    (done,) = [m for m in messages if m["msg"] == "process_completed"]
    assert done["success"] is True and done["output"]["data"] == ["012"]


def test_progress_reaches_the_client_as_progress_data(url: str, http: httpx.Client) -> None:
    steps = fn_index(http, url, "steps")
    http.post(url + API + "queue/join", json={"data": [3], "fn_index": steps, "session_hash": "progress"})
    _, messages = session_frames(http, url, "progress")
    reports = [m["progress_data"] for m in messages if m["msg"] == "progress"]
    assert reports, messages
    (unit,) = ProgressUnit.from_msg(reports[-1])  # gradio_client's own reader
    assert unit.desc == "stepping" and unit.length == 3 and unit.index == 2


def test_a_failure_is_reported_as_gradio_reports_it(url: str, http: httpx.Client) -> None:
    refuse = fn_index(http, url, "refuse")
    http.post(url + API + "queue/join", json={"data": ["fish"], "fn_index": refuse, "session_hash": "err"})
    _, messages = session_frames(http, url, "err")
    (done,) = [m for m in messages if m["msg"] == "process_completed"]
    assert done["success"] is False and done["output"]["error"] == "no fish here"


def test_an_unexpected_exception_stays_on_the_server_without_show_error(url: str, http: httpx.Client) -> None:
    event_id = http.post(url + API + "call/crash", json={"data": ["x"]}).json()["event_id"]
    ((name, data),) = named_events(http, url + API + f"call/crash/{event_id}")
    assert name == "error" and "show_error=True" in data["error"] and "internal detail" not in data["error"]


def test_the_rest_call_api_in_two_steps(url: str, http: httpx.Client) -> None:
    event_id = http.post(url + API + "call/greet", json={"data": ["ab", 2]}).json()["event_id"]
    assert named_events(http, url + API + f"call/greet/{event_id}") == [("complete", ["hi abab"])]
    event_id = http.post(url + API + "call/count", json={"data": [2]}).json()["event_id"]
    events = named_events(http, url + API + f"call/count/{event_id}")
    assert events == [("generating", ["0"]), ("generating", ["01"]), ("complete", ["01"])]  # whole values
    event_id = http.post(url + API + "call/refuse", json={"data": ["cod"]}).json()["event_id"]
    ((name, data),) = named_events(http, url + API + f"call/refuse/{event_id}")
    assert name == "error" and data["error"] == "no cod here"


def test_an_upload_answers_paths_that_serve_the_file(url: str, http: httpx.Client) -> None:
    (path,) = http.post(url + API + "upload", files={"files": ("a.txt", b"bytes")}).json()
    assert path.endswith("/a.txt")
    assert http.get(url + API + "file=" + path).content == b"bytes"
    event_id = http.post(url + API + "call/shout_file", json={"data": [gradio_file(path)]}).json()["event_id"]
    assert named_events(http, url + API + f"call/shout_file/{event_id}") == [("complete", ["BYTES"])]


def gradio_file(path: str) -> dict[str, Any]:
    return {"path": path, "meta": {"_type": "gradio.FileData"}}


# -- bad input: the same 4xx family as carpool's protocol -------------------------------------------


def assert_refused(response: httpx.Response, status: int, type_: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["error"]["type"] == type_ and body["detail"]
    return body


@pytest.mark.parametrize(
    ("body", "why"),
    [
        (b"{not json", "not JSON"),
        (b"[1, 2]", "not an object"),
        (b'{"data": "x", "fn_index": 0, "session_hash": "s"}', "data not a list"),
        (b'{"data": [], "fn_index": 0}', "no session_hash"),
        (b'{"data": [], "session_hash": "s"}', "no endpoint"),
        (b'{"data": [], "fn_index": "0", "session_hash": "s"}', "fn_index not an integer"),
    ],
)
def test_a_malformed_join_is_a_400(url: str, http: httpx.Client, body: bytes, why: str) -> None:
    reply = http.post(url + API + "queue/join", content=body, headers={"content-type": "application/json"})
    assert_refused(reply, 400, "bad_request")


def test_an_unknown_endpoint_or_fn_index_is_a_404(url: str, http: httpx.Client) -> None:
    for target in ({"fn_index": 999}, {"fn_index": -1}, {"api_name": "nope"}):
        join = {"data": [], "session_hash": "s", **target}
        assert_refused(http.post(url + API + "queue/join", json=join), 404, "unknown_endpoint")
    assert_refused(http.post(url + API + "call/nope", json={"data": []}), 404, "unknown_endpoint")


def test_a_wrong_number_of_inputs_is_a_422_gradio_client_can_name(url: str, http: httpx.Client) -> None:
    join = {"data": ["a", 1, "extra"], "fn_index": fn_index(http, url, "greet"), "session_hash": "s"}
    body = assert_refused(http.post(url + API + "queue/join", json=join), 422, "invalid_input")
    (record,) = body["detail"]
    assert record["__type__"] == "validate" and record["is_valid"] is False and record["message"]


@pytest.mark.parametrize(
    "path",
    [
        "/etc/passwd",
        "../../../etc/passwd",
        "/tmp/gradio/0123456789abcdef/x.txt",
        "/carpool/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/x.txt",  # the form of a minted path, but never minted
        "http://127.0.0.1:1/gradio_api/file=/etc/passwd",
        "https://example.com/x.png",
    ],
)
def test_a_file_this_server_did_not_mint_is_refused(url: str, http: httpx.Client, path: str) -> None:
    shout_file = fn_index(http, url, "shout_file")
    join = {"data": [gradio_file(path)], "fn_index": shout_file, "session_hash": "s"}
    assert_refused(http.post(url + API + "queue/join", json=join), 422, "invalid_input")
    assert_refused(
        http.post(url + API + "call/shout_file", json={"data": [gradio_file(path)]}), 422, "invalid_input"
    )
    served = http.get(url + API + "file=" + path)  # (httpx resolves "../" itself: then no route matches)
    assert served.status_code == 404 and served.json()["error"]["type"] == "not_found"
    assert b"root:" not in served.content


def test_streams_and_calls_that_do_not_exist_are_404(url: str, http: httpx.Client) -> None:
    assert_refused(http.get(url + API + "queue/data", params={"session_hash": "never"}), 404, "not_found")
    assert_refused(http.get(url + API + "call/greet/no-such-event"), 404, "not_found")
    assert_refused(http.get(url + API + "queue/data"), 400, "bad_request")  # no session_hash


def test_malformed_cancels_calls_and_uploads_are_400(url: str, http: httpx.Client) -> None:
    assert_refused(http.post(url + API + "cancel", json={"session_hash": "s"}), 400, "bad_request")
    assert_refused(http.post(url + API + "call/greet", json={"data": "ab"}), 400, "bad_request")
    assert_refused(
        http.post(url + API + "call/greet", content=b"[", headers={"content-type": "application/json"}),
        400,
        "bad_request",
    )
    assert_refused(http.post(url + API + "upload", json={"files": []}), 400, "bad_request")


def test_cancel_of_another_sessions_event_does_nothing(url: str, http: httpx.Client) -> None:
    slow = fn_index(http, url, "slow_count")
    event_id = http.post(
        url + API + "queue/join", json={"data": [2], "fn_index": slow, "session_hash": "owner"}
    ).json()["event_id"]
    http.post(url + API + "cancel", json={"session_hash": "thief", "event_id": event_id, "fn_index": slow})
    _, messages = session_frames(http, url, "owner")
    (done,) = [m for m in messages if m["msg"] == "process_completed"]
    assert done["success"] is True and done["output"]["data"] == ["1"]


def test_heartbeats_keep_a_waiting_stream_alive_and_gradio_client_skips_them(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from gradio_client import Client
    from test_mount import Served

    from carpool.server import create_app

    offline_hub(monkeypatch)
    served = Served(create_app(gradio_demo(BatchProbe()), heartbeat_interval=0.1))
    try:
        base = served.url + "/"
        with httpx.Client(timeout=30) as http:
            slow = fn_index(http, base, "slow_count")
            http.post(base + API + "queue/join", json={"data": [2], "fn_index": slow, "session_hash": "hb"})
            lines, messages = session_frames(http, base, "hb")
        assert all(line.startswith("data:") for line in lines)
        assert {"msg": "heartbeat"} in messages and messages[-1]["msg"] == "close_stream"
        client = Client(base, verbose=False, download_files=str(tmp_path))
        assert client.predict(2, api_name="/slow_count") == "1"
        client.close()
    finally:
        served.close()


def test_the_heartbeat_route_streams_alive_until_the_server_stops(
    serve: Callable[..., RunningServer],
) -> None:
    import asyncio
    import threading
    import time

    from carpool.server.gradio._heartbeat import _alive

    server = serve(gradio_demo(BatchProbe()))
    ended = threading.Event()
    alive: list[str] = []

    def listen() -> None:
        with (
            httpx.Client(timeout=30) as http,
            http.stream("GET", server.local_url + API + "heartbeat/tab1") as reply,
        ):
            assert reply.status_code == 200 and reply.headers["content-type"].startswith("text/event-stream")
            alive.extend(line for line in reply.iter_lines() if line.startswith("data:"))
        ended.set()

    listener = threading.Thread(target=listen, daemon=True)
    listener.start()
    deadline = time.monotonic() + 20
    while not alive and time.monotonic() < deadline:
        time.sleep(0.05)
    assert alive == ["data: ALIVE"]  # at once; the next one 15 s later
    refused = httpx.get(server.local_url + API + "heartbeat/bad%20hash", timeout=10)
    assert refused.status_code == 400 and refused.json()["error"]["type"] == "bad_request"
    started = time.monotonic()
    server.close(timeout=20)
    assert ended.wait(10) and time.monotonic() - started < 10  # the open stream does not hold shutdown up

    async def three_beats() -> list[bytes]:
        stopped, beats = asyncio.Event(), []
        async for beat in _alive(stopped, 0.01):
            beats.append(beat)
            if len(beats) == 3:
                stopped.set()
        return beats

    assert asyncio.run(three_beats()) == [b"data: ALIVE\n\n"] * 3
