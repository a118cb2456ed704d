"""A caller's deadline over HTTP: ``"timeout"`` in the body, the ``X-Carpool-Timeout`` header, and the
Python clients' ``timeout=``. A request still waiting at its deadline gets 504 ``expired`` and never runs."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from integration_support import Gate

import carpool as cp
from carpool.client import AsyncClient, Client
from carpool.protocol import TIMEOUT_HEADER
from carpool.server import RunningServer


def gated_app(gate: Gate, seen: list[str]) -> cp.Blocks:
    def shout(text: str) -> str:
        seen.append(text)
        if text == "block":
            gate.enter()
        return text.upper()

    with cp.Blocks() as demo:
        box, out = cp.Textbox(), cp.Textbox()
        cp.Button("Shout").click(shout, box, out, api_name="shout")  # one call at a time
    return demo


@pytest.fixture
def busy(serve: Callable[..., RunningServer]) -> Iterator[tuple[str, list[str]]]:
    """A server whose one slot is held by a blocked call: anything sent now waits in the queue."""
    gate, seen = Gate(), []
    url = serve(gated_app(gate, seen)).local_url
    holder = threading.Thread(
        target=httpx.post, args=(url + "api/shout",), kwargs={"json": {"data": ["block"]}, "timeout": 30}
    )
    holder.start()
    assert gate.started.wait(10)
    try:
        yield url, seen
    finally:
        gate.release.set()
        holder.join(30)


def _expired(response: httpx.Response) -> bool:
    return response.status_code == 504 and response.json()["error"]["type"] == "expired"


def test_a_waiting_api_call_past_its_body_timeout_gets_504_and_never_runs(
    busy: tuple[str, list[str]], http: httpx.Client
) -> None:
    url, seen = busy
    assert _expired(http.post(url + "api/shout", json={"data": ["body"], "timeout": 0.2}))
    assert _expired(http.post(url + "api/shout", json={"data": ["header"]}, headers={TIMEOUT_HEADER: "0.2"}))
    both_body = {"data": ["both"], "timeout": 60}
    both = http.post(url + "api/shout", json=both_body, headers={TIMEOUT_HEADER: "0.2"})
    assert _expired(both)  # the earlier of the two deadlines wins
    batched = http.post(url + "api/shout", json={"data": [["b1", "b2"]], "batched": True, "timeout": 0.2})
    assert _expired(batched)
    assert seen == ["block"]


def test_a_streamed_call_past_its_timeout_ends_with_an_expired_error_event(
    busy: tuple[str, list[str]], http: httpx.Client
) -> None:
    url, seen = busy
    body = {"data": ["streamed"], "stream": True, "timeout": 0.2}
    with http.stream("POST", url + "api/shout", json=body) as response:
        text = "".join(response.iter_text())
    assert "event: error" in text and '"type":"expired"' in text
    assert seen == ["block"]


def test_the_python_clients_timeout_expires_a_waiting_call_and_job(busy: tuple[str, list[str]]) -> None:
    url, seen = busy
    with Client(url) as client:
        with pytest.raises(cp.EventExpiredError):
            client.predict("sync predict", api_name="/shout", timeout=0.2)
        with pytest.raises(cp.EventExpiredError):
            client.submit("sync submit", api_name="/shout", timeout=0.2).result(timeout=20)
        with pytest.raises(cp.EventExpiredError):
            list(client.stream("sync stream", api_name="/shout", timeout=0.2))
        with pytest.raises(cp.EventExpiredError):  # every sample failed: the call fails as one
            client.predict_batch(["sync batch"], api_name="/shout", timeout=0.2)

    async def through_async_client() -> None:
        async with AsyncClient(url) as client:
            with pytest.raises(cp.EventExpiredError):
                await client.predict("async predict", api_name="/shout", timeout=0.2)
            job = await client.submit("async submit", api_name="/shout", timeout=0.2)
            with pytest.raises(cp.EventExpiredError):
                await job.result(timeout=20)

    asyncio.run(through_async_client())
    assert seen == ["block"]


def test_a_call_within_its_timeout_runs_normally(serve: Callable[..., RunningServer]) -> None:
    gate, seen = Gate(), []
    url = serve(gated_app(gate, seen)).local_url
    with Client(url) as client:
        assert client.predict("quick", api_name="/shout", timeout=30) == "QUICK"
        assert client.submit("job", api_name="/shout", timeout=30).result(timeout=20) == "JOB"
    reply = httpx.post(url + "api/shout", json={"data": ["h"]}, headers={TIMEOUT_HEADER: "30"}, timeout=30)
    assert reply.json() == {"data": ["H"]}
    assert seen == ["quick", "job", "h"]


BAD_BODY_TIMEOUTS = [-1, 0, "5", True, [1], 1e9, 86_401]
BAD_HEADERS = ["abc", "", "nan", "inf", "-2", "0", "1e12"]


def test_a_bad_timeout_is_a_422_naming_it_and_nothing_runs(serve: Callable[..., RunningServer]) -> None:
    gate, seen = Gate(), []
    url = serve(gated_app(gate, seen)).local_url
    replies: list[httpx.Response] = []
    with httpx.Client(timeout=30) as http:
        for value in BAD_BODY_TIMEOUTS:
            replies.append(http.post(url + "api/shout", json={"data": ["x"], "timeout": value}))
        replies.append(
            http.post(
                url + "api/shout",
                content=b'{"data": ["x"], "timeout": NaN}',
                headers={"Content-Type": "application/json"},
            )
        )
        for header in BAD_HEADERS:
            headers = {TIMEOUT_HEADER: header}
            replies.append(http.post(url + "api/shout", json={"data": ["x"]}, headers=headers))
        join = {"data": ["x"], "api_name": "shout", "session_hash": "deadline-test", "timeout": -5}
        replies.append(http.post(url + "queue/join", json=join))
        streamed = {"data": ["x"], "stream": True, "timeout": 0}
        replies.append(http.post(url + "api/shout", json=streamed))
    for reply in replies:
        error: dict[str, Any] = reply.json()["error"]
        assert reply.status_code == 422 and error["type"] == "invalid_input", reply.text
        assert error["parameter"] == "timeout" and "timeout" in error["message"].lower()
    with Client(url) as client, pytest.raises(cp.InvalidInputError, match="timeout"):
        client.predict("x", api_name="/shout", timeout=-1)
    assert seen == []


def test_a_null_timeout_means_none(serve: Callable[..., RunningServer], http: httpx.Client) -> None:
    gate, seen = Gate(), []
    url = serve(gated_app(gate, seen)).local_url
    assert http.post(url + "api/shout", json={"data": ["n"], "timeout": None}).json() == {"data": ["N"]}


def test_a_gradio_client_sets_the_deadline_with_the_header(
    busy: tuple[str, list[str]], monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    gradio_client = pytest.importorskip("gradio_client")
    from gradio_client_support import offline_hub

    offline_hub(monkeypatch)
    url, seen = busy
    client = gradio_client.Client(
        url, verbose=False, headers={TIMEOUT_HEADER: "0.2"}, download_files=str(tmp_path)
    )
    try:
        with pytest.raises(gradio_client.exceptions.AppError, match="deadline"):
            client.submit("gradio late", api_name="/shout").result(timeout=20)
    finally:
        client.close()
    assert seen == ["block"]
