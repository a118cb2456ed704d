"""Continuous batching over HTTP: a ``Stepwise`` listener behind the queue protocol of a live server."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx

from carpool.app import Blocks
from carpool.client import Client
from carpool.components import Button, Number, Textbox
from carpool.core import Done, Stepwise
from carpool.server import RunningServer


class EchoDecoder:
    """Each item spells its text one letter per step; a step costs a little, like a decode step."""

    def __init__(self) -> None:
        self.running_sets: list[int] = []
        self.lock = threading.Lock()

    def join(self, texts: list[str], repeats: list[float]) -> list[dict[str, Any]]:
        return [{"target": text * int(n), "out": ""} for text, n in zip(texts, repeats, strict=True)]

    def step(self, states: list[dict[str, Any]]) -> list[Any]:
        with self.lock:
            self.running_sets.append(len(states))
        time.sleep(0.01)
        outputs: list[Any] = []
        for state in states:
            state["out"] = state["target"][: len(state["out"]) + 1]
            outputs.append(Done(state["out"]) if state["out"] == state["target"] else state["out"])
        return outputs


def decoder_app(decoder: EchoDecoder) -> Blocks:
    with Blocks() as demo:
        text, repeats, out = Textbox(), Number(), Textbox()
        Button("Go").click(
            Stepwise(decoder.join, decoder.step),
            [text, repeats],
            out,
            batch=True,
            max_batch_size=3,
            api_name="decode",
        )
    return demo


def join(http: httpx.Client, url: str, session: str, text: str, repeats: int) -> str:
    body = {"data": [text, repeats], "api_name": "decode", "session_hash": session}
    response = http.post(url + "queue/join", json=body)
    assert response.status_code == 200, response.text
    return str(response.json()["event_id"])


def stream(
    http: httpx.Client, url: str, session: str, until: Callable[[list[dict[str, Any]]], bool]
) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = []
    with http.stream("GET", url + "queue/data", params={"session_hash": session}) as response:
        for line in response.iter_lines():
            if line.startswith("data: "):
                messages.append(json.loads(line[len("data: ") :]))
                if until(messages):
                    break
    return messages


def finals(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [m for m in messages if m["msg"] == "process_completed"]


def test_events_join_the_running_set_and_stream_their_own_outputs(
    serve: Callable[..., RunningServer], http: httpx.Client
) -> None:
    decoder = EchoDecoder()
    url = serve(decoder_app(decoder)).local_url
    lengths = {"s0": ("a", 3), "s1": ("bb", 5), "s2": ("c", 1), "s3": ("dd", 2), "s4": ("e", 6)}
    for session, (text, repeats) in lengths.items():
        join(http, url, session, text, repeats)
    for session, (text, repeats) in lengths.items():
        messages = stream(http, url, session, lambda ms: bool(finals(ms)))
        final = finals(messages)[0]
        assert final["status"] == "completed" and final["output"]["data"] == [text * repeats]
        partials = [m["output"]["data"][0] for m in messages if m["msg"] == "process_generating"]
        assert partials == [(text * repeats)[: i + 1] for i in range(len(partials))]  # its own, in order
    assert max(decoder.running_sets) == 3  # never more than max_batch_size, and it did batch
    metrics = http.get(url + "metrics").text
    assert 'carpool_steps_total{endpoint="decode"}' in metrics
    assert 'carpool_step_joins_total{endpoint="decode"} 5.0' in metrics
    assert 'carpool_step_leaves_total{endpoint="decode"} 5.0' in metrics
    assert "carpool_running_set_size_bucket" in metrics


def test_the_running_set_survives_a_member_that_disconnects(
    serve: Callable[..., RunningServer], http: httpx.Client
) -> None:
    decoder = EchoDecoder()
    server = serve(decoder_app(decoder))
    url = server.local_url
    join(http, url, "leaver", "x", 400)  # runs ~4 s unless cancelled
    join(http, url, "stayer", "y", 30)
    # the leaver reads one partial output, then goes away mid-answer
    stream(http, url, "leaver", lambda ms: any(m["msg"] == "process_generating" for m in ms))
    messages = stream(http, url, "stayer", lambda ms: bool(finals(ms)))
    assert finals(messages)[0]["output"]["data"] == ["y" * 30]
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and server.app.state.carpool.engine.stats().cancelled < 1:
        time.sleep(0.02)
    stats = server.app.state.carpool.engine.stats()
    assert stats.cancelled == 1 and stats.completed == 1 and stats.in_flight == 0


def test_a_bad_step_result_is_a_clear_error_for_that_step_only(
    serve: Callable[..., RunningServer], http: httpx.Client
) -> None:
    def join_texts(texts: list[str]) -> list[str]:
        return list(texts)

    def step(states: list[str]) -> list[Any]:
        return [] if "short" in states else [Done(s.upper()) for s in states]

    with Blocks() as demo:
        text, out = Textbox(), Textbox()
        Button().click(Stepwise(join_texts, step, name="shouter"), text, out, batch=True, api_name="shout")
    url = serve(demo).local_url
    for session, word in (("bad", "short"), ("good", "fine")):
        http.post(url + "queue/join", json={"data": [word], "api_name": "shout", "session_hash": session})
    bad = finals(stream(http, url, "bad", lambda ms: bool(finals(ms))))[0]
    good = finals(stream(http, url, "good", lambda ms: bool(finals(ms))))[0]
    assert bad["status"] == "failed" and bad["error"]["type"] == "batch_shape"
    assert good["status"] == "completed" and good["output"]["data"] == ["FINE"]


def test_the_plain_api_and_the_python_client_get_the_final_answer(
    serve: Callable[..., RunningServer], http: httpx.Client
) -> None:
    url = serve(decoder_app(EchoDecoder())).local_url
    response = http.post(url + "api/decode", json={"data": ["ab", 3]})
    assert response.status_code == 200, response.text
    assert response.json()["data"] == ["ababab"]
    with Client(url) as client:
        jobs = [client.submit(text, 2, api_name="/decode") for text in ("x", "yy", "z")]
        assert [job.result(30) for job in jobs] == ["xx", "yyyy", "zz"]
