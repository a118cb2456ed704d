"""``POST /api/{name}`` asked to stream: partials as server-sent events, and the clients' ``stream``."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from integration_support import assert_partials_of, on_server_loop

from carpool.app import Blocks
from carpool.client import AsyncClient, Client
from carpool.components import Button, Textbox
from carpool.exceptions import AppError, Error, InvalidInputError
from carpool.server import RunningServer

SSE = {"Accept": "text/event-stream"}


class Speller:
    """A generator endpoint that waits between letters until the test says go: no sleeps."""

    def __init__(self) -> None:
        self.go = threading.Event()
        self.closed = threading.Event()  # the generator was closed (finished or cancelled)

    async def hang(self, word: str) -> AsyncIterator[str]:
        """Yields once, then waits far longer than any test: only a cancellation ends it early."""
        try:
            yield word
            await asyncio.sleep(120)
        finally:
            self.closed.set()

    def spell(self, word: str) -> Iterator[str]:
        try:
            for end in range(1, len(word) + 1):
                yield word[:end]
                if word.startswith("wait") and not self.go.wait(20):
                    return
        finally:
            self.closed.set()


def app(speller: Speller) -> Blocks:
    def shout(word: str) -> str:
        if word == "bad":
            raise Error("no bad words")
        return word.upper()

    def fail_midway(word: str) -> Iterator[str]:
        yield word
        raise Error(f"broke after {word}")

    with Blocks() as demo:
        word, out = Textbox(), Textbox()
        button = Button()
        button.click(speller.spell, word, out, api_name="spell")
        button.click(speller.hang, word, out, api_name="hang")
        button.click(shout, word, out, api_name="shout")
        button.click(fail_midway, word, out, api_name="fail_midway")
    return demo


@pytest.fixture
def url(serve: Callable[..., RunningServer]) -> str:
    return serve(app(Speller())).local_url


def events(response: httpx.Response) -> Iterator[tuple[str, Any]]:
    """(event name, parsed data) of each server-sent event, as they arrive."""
    name, data = "message", []
    for line in response.iter_lines():
        if line.startswith("event:"):
            name = line.split(":", 1)[1].strip()
        elif line.startswith("data:"):
            data.append(line.split(":", 1)[1].strip())
        elif not line and data:
            yield name, json.loads("\n".join(data))
            name, data = "message", []


def streamed(http: httpx.Client, url: str, api: str, body: dict[str, Any], **kw: Any) -> list[Any]:
    with http.stream("POST", f"{url}api/{api}", json=body, **kw) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        return list(events(response))


def test_accept_event_stream_streams_each_partial_then_the_final_output(url: str, http: httpx.Client) -> None:
    got = streamed(http, url, "spell", {"data": ["abc"]}, headers=SSE)
    assert got[-1] == ("complete", {"data": ["abc"]})
    every = [("generating", {"data": [word]}) for word in ("a", "ab", "abc")]
    assert_partials_of(got[:-1], every)


def test_partials_arrive_while_the_function_still_runs(serve: Callable[..., RunningServer]) -> None:
    speller = Speller()
    url = serve(app(speller)).local_url
    with (
        httpx.Client(timeout=30) as http,
        http.stream("POST", url + "api/spell", json={"data": ["wait"]}, headers=SSE) as response,
    ):
        stream = events(response)
        assert next(stream) == ("generating", {"data": ["w"]})
        assert not speller.closed.is_set()  # the first partial came before the generator went on
        speller.go.set()
        rest = list(stream)
        assert rest[-1] == ("complete", {"data": ["wait"]})
        assert_partials_of(rest[:-1], [("generating", {"data": [word]}) for word in ("wa", "wai", "wait")])


def test_stream_true_in_the_body_streams_without_an_accept_header(url: str, http: httpx.Client) -> None:
    got = streamed(http, url, "spell", {"data": ["ab"], "stream": True})
    assert got[-1] == ("complete", {"data": ["ab"]})


def test_a_function_that_returns_streams_only_its_final_output(url: str, http: httpx.Client) -> None:
    assert streamed(http, url, "shout", {"data": ["hi"], "stream": True}) == [("complete", {"data": ["HI"]})]


def test_without_asking_to_stream_the_answer_stays_json(url: str, http: httpx.Client) -> None:
    response = http.post(url + "api/spell", json={"data": ["abc"]})
    assert response.headers["content-type"].startswith("application/json")
    assert response.json() == {"data": ["abc"]}
    explicit_no = http.post(url + "api/spell", json={"data": ["abc"], "stream": False}, headers=SSE)
    assert explicit_no.json() == {"data": ["abc"]}


def test_a_failure_is_an_error_event_with_the_json_error_body(url: str, http: httpx.Client) -> None:
    got = streamed(http, url, "fail_midway", {"data": ["x"]}, headers=SSE)
    error = {"error": {"type": "app_error", "message": "broke after x", "parameter": None}}
    assert got == [("generating", {"data": ["x"]}), ("error", error)]
    plain = http.post(url + "api/shout", json={"data": ["bad"]})
    streamed_error = streamed(http, url, "shout", {"data": ["bad"]}, headers=SSE)
    assert streamed_error == [("error", plain.json())]


@pytest.mark.parametrize(
    ("body", "status", "kind"),
    [
        ({"data": ["x"], "stream": "yes"}, 400, "bad_request"),
        ({"data": [["x"]], "batched": True, "stream": True}, 400, "bad_request"),
        ({"data": ["x", "y"], "stream": True}, 422, "invalid_input"),
    ],
)
def test_bad_streamed_calls_are_refused_before_the_stream_starts(
    url: str, http: httpx.Client, body: dict[str, Any], status: int, kind: str
) -> None:
    response = http.post(url + "api/spell", json=body, headers=SSE)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["error"]["type"] == kind


def test_a_streamed_call_to_an_unknown_endpoint_is_a_404(url: str, http: httpx.Client) -> None:
    response = http.post(url + "api/nope", json={"data": ["x"]}, headers=SSE)
    assert response.status_code == 404 and response.json()["error"]["type"] == "unknown_endpoint"


def test_client_stream_yields_partials_then_the_final_output_once(url: str) -> None:
    with Client(url) as client:
        assert_partials_of(list(client.stream("abc", api_name="/spell")), ["a", "ab", "abc"])
        assert list(client.stream("hi", api_name="/shout")) == ["HI"]
        with pytest.raises(AppError, match="broke after x"):
            list(client.stream("x", api_name="/fail_midway"))
        with pytest.raises(InvalidInputError):
            list(client.stream("x", "y", api_name="/spell"))


def test_async_client_streams_with_async_for(url: str) -> None:
    async def collect() -> list[str]:
        async with AsyncClient(url) as client:
            return [partial async for partial in client.stream("abcd", api_name="/spell")]

    assert_partials_of(asyncio.run(collect()), ["a", "ab", "abc", "abcd"])


def test_leaving_a_stream_early_cancels_the_event(
    serve: Callable[..., RunningServer], http: httpx.Client
) -> None:
    speller = Speller()
    url = serve(app(speller)).local_url
    with Client(url) as client:
        partials = client.stream("w", api_name="/hang")
        assert next(partials) == "w"
        partials.close()  # the caller stops reading: the connection closes
    assert speller.closed.wait(20)  # the engine cancelled the event: its generator was closed
    metrics = http.get(url + "metrics").text
    assert 'carpool_events_total{endpoint="hang",outcome="cancelled"} 1' in metrics


def test_streamed_calls_ride_in_the_same_batches_as_everyone(
    serve: Callable[..., RunningServer], http: httpx.Client
) -> None:
    sizes: list[int] = []
    first_running, release = threading.Event(), threading.Event()

    def count_up(words: list[str]) -> Iterator[list[list[str]]]:
        sizes.append(len(words))
        if words == ["first"]:
            first_running.set()
            assert release.wait(20)
        yield [[w[:1] for w in words]]
        yield [list(words)]

    with Blocks() as demo:
        word, out = Textbox(), Textbox()
        Button().click(count_up, word, out, api_name="count_up", batch=True, max_batch_size=4)
    server = serve(demo)
    url = server.local_url
    with Client(url) as client:
        first = client.submit("first", api_name="/count_up")  # a queue (page-style) event holds the slot
        assert first_running.wait(20)
        with ThreadPoolExecutor(2) as pool:
            streams = [
                pool.submit(lambda w: list(client.stream(w, api_name="/count_up")), w) for w in ("ab", "cd")
            ]
            wait_for_waiting(server, 2)
            release.set()
            assert [s.result(20) for s in streams] == [["a", "ab"], ["c", "cd"]]
        assert first.result(20) == "first"
    assert sizes == [1, 2]  # both streamed calls in one batch


def wait_for_waiting(server: RunningServer, count: int, timeout: float = 20) -> None:
    async def waiting() -> int:
        return int(server.app.state.carpool.engine.stats().waiting)

    deadline = time.monotonic() + timeout
    while on_server_loop(server, waiting()) < count:
        assert time.monotonic() < deadline, f"fewer than {count} events reached the queue"
        time.sleep(0.02)
