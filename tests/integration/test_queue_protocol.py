"""The queue protocol over a live server: one SSE stream per session, cancels, disconnects, generators."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import httpx
from integration_support import Gate, engine_job, wait_until_final

from carpool.app import Blocks
from carpool.client import AsyncClient, Client
from carpool.components import Button, Number, Textbox
from carpool.core import JobState
from carpool.server import RunningServer


def gated_app(gate: Gate, seen: list[str]) -> Blocks:
    def shout(text: str) -> str:
        seen.append(text)
        if text == "block":
            gate.enter()
        return text.upper()

    def count(n: float) -> Iterator[str]:
        for i in range(int(n)):
            yield f"step {i + 1}"

    with Blocks() as demo:
        box, out, number = Textbox(), Textbox(), Number()
        Button("Shout").click(shout, box, out, api_name="shout")
        Button("Count").click(count, number, out, api_name="count")
    return demo


def read_stream(
    response: httpx.Response, until: Callable[[list[dict[str, Any]]], bool]
) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = []
    for line in response.iter_lines():
        if line.startswith("data: "):
            messages.append(json.loads(line[len("data: ") :]))
            if until(messages):
                break
    return messages


def completed(messages: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {m["event_id"]: m for m in messages if m["msg"] == "process_completed"}


def test_one_stream_carries_every_event_of_the_session(
    serve: Callable[..., RunningServer], http: httpx.Client
) -> None:
    gate, seen = Gate(), []
    gate.release.set()
    url = serve(gated_app(gate, seen)).local_url
    event_ids = [
        http.post(
            url + "queue/join", json={"data": [word], "api_name": "shout", "session_hash": "s1"}
        ).json()["event_id"]
        for word in ("a", "b", "c")
    ]
    # joined before the stream opened: the messages waited in the session's buffer
    with http.stream("GET", url + "queue/data", params={"session_hash": "s1"}) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        messages = read_stream(response, lambda ms: len(completed(ms)) == 3)
    finals = completed(messages)
    assert set(finals) == set(event_ids)
    assert {m["output"]["data"][0] for m in finals.values()} == {"A", "B", "C"}
    assert all(m["status"] == "completed" for m in finals.values())
    assert any(m["msg"] == "process_starts" for m in messages)


def test_a_client_that_disconnects_cancels_its_waiting_events(
    serve: Callable[..., RunningServer], http: httpx.Client
) -> None:
    gate, seen = Gate(), []
    server = serve(gated_app(gate, seen))
    url = server.local_url
    with Client(url) as other:
        blocker = other.submit("block", api_name="/shout")
        assert gate.started.wait(10)
        join = {"data": ["never"], "api_name": "shout", "session_hash": "leaver"}
        event_id = http.post(url + "queue/join", json=join).json()["event_id"]
        job = engine_job(server, event_id)
        with http.stream("GET", url + "queue/data", params={"session_hash": "leaver"}) as response:
            next(response.iter_lines())  # the stream is open; now the client goes away
        wait_until_final(server, job)
        assert job.state is JobState.CANCELLED
        gate.release.set()
        assert blocker.result(10) == "BLOCK"
    assert "never" not in seen


def test_cancel_only_works_for_the_session_that_joined(
    serve: Callable[..., RunningServer], http: httpx.Client
) -> None:
    gate, seen = Gate(), []
    url = serve(gated_app(gate, seen)).local_url
    with Client(url) as client:
        blocker = client.submit("block", api_name="/shout")
        assert gate.started.wait(10)
        waiting = client.submit("waiting", api_name="/shout")
        foreign = {"session_hash": "someone-else", "event_id": waiting.event_id}
        assert http.post(url + "queue/cancel", json=foreign).json() == {"cancelled": False}
        gate.release.set()
        assert (blocker.result(10), waiting.result(10)) == ("BLOCK", "WAITING")


def test_a_job_reports_position_while_waiting(serve: Callable[..., RunningServer]) -> None:
    gate, seen = Gate(), []
    url = serve(gated_app(gate, seen)).local_url
    with Client(url) as client:
        blocker = client.submit("block", api_name="/shout")
        assert gate.started.wait(10)
        waiting = client.submit("second", api_name="/shout")
        status = waiting.status()
        assert status["state"] == "waiting" and not waiting.done()
        gate.release.set()
        assert waiting.result(10) == "SECOND" and waiting.done()
        assert blocker.status()["state"] == "completed"


def test_a_generator_streams_each_output_to_the_job(serve: Callable[..., RunningServer]) -> None:
    gate, seen = Gate(), []
    url = serve(gated_app(gate, seen)).local_url
    with Client(url) as client:
        job = client.submit(3, api_name="/count")
        assert list(job) == ["step 1", "step 2", "step 3"]
        assert job.result(10) == "step 3"
        assert job.outputs() == ["step 1", "step 2", "step 3"]
        assert client.predict(2, api_name="/count") == "step 2"


async def test_the_async_client_multiplexes_jobs_over_one_stream(serve: Callable[..., RunningServer]) -> None:
    gate, seen = Gate(), []
    gate.release.set()
    server = serve(gated_app(gate, seen))
    async with AsyncClient(server.local_url) as client:
        jobs = [await client.submit(f"w{i}", api_name="/shout") for i in range(5)]
        assert [await job.result(10) for job in jobs] == [f"W{i}" for i in range(5)]
        assert await client.predict("last", api_name="/shout") == "LAST"
        assert [step async for step in await client.submit(2, api_name="/count")] == ["step 1", "step 2"]
