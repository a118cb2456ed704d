"""The seed's scenarios over real HTTP: batching across clients, cancellation, pre-batched calls."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from integration_support import Gate

from carpool.app import Blocks
from carpool.client import Client
from carpool.components import Button, Number, Textbox
from carpool.exceptions import AppError, Error, EventCancelledError
from carpool.server import RunningServer


class Recorder:
    """What a batched function saw: the words of every call, in order."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []
        self.lock = threading.Lock()

    def record(self, words: list[str]) -> None:
        with self.lock:
            self.calls.append(list(words))

    @property
    def sizes(self) -> list[int]:
        return [len(call) for call in self.calls]


def trim_words_app(fn: Callable[..., Any], **options: Any) -> Blocks:
    with Blocks() as demo:
        word, length, out = Textbox(label="word"), Number(precision=0, label="length"), Textbox(label="out")
        Button("Run").click(
            fn, [word, length], out, batch=True, max_batch_size=16, api_name="trim_words", **options
        )
    return demo


def test_second_and_third_clients_join_while_first_runs_and_finish_in_one_batch_of_two(
    serve: Callable[..., RunningServer],
) -> None:
    recorder, first_started = Recorder(), threading.Event()

    def trim_words(words: list[str], lengths: list[float]) -> list[list[str]]:
        recorder.record(words)
        first_started.set()
        time.sleep(1.0)  # the seed's model cost
        return [[w[: int(n)] for w, n in zip(words, lengths, strict=True)]]

    url = serve(trim_words_app(trim_words)).local_url
    clients = [Client(url) for _ in range(3)]
    try:
        first = clients[0].submit("alpha", 1, api_name="/trim_words")
        assert first_started.wait(10)
        second = clients[1].submit("bravo", 2, api_name="/trim_words")
        third = clients[2].submit("charlie", 3, api_name="/trim_words")
        assert [first.result(10), second.result(10), third.result(10)] == ["a", "br", "cha"]
    finally:
        for client in clients:
            client.close()
    assert recorder.sizes == [1, 2]
    assert sorted(recorder.calls[1]) == ["bravo", "charlie"]


def test_a_job_cancelled_while_waiting_never_runs_and_the_next_two_share_a_batch(
    serve: Callable[..., RunningServer],
) -> None:
    recorder, gate = Recorder(), Gate()

    def trim_words(words: list[str], lengths: list[float]) -> list[list[str]]:
        recorder.record(words)
        if words == ["one"]:
            gate.enter()
        return [[w[: int(n)] for w, n in zip(words, lengths, strict=True)]]

    url = serve(trim_words_app(trim_words)).local_url
    clients = [Client(url) for _ in range(4)]
    try:
        first = clients[0].submit("one", 1, api_name="/trim_words")
        assert gate.started.wait(10)
        second, third, fourth = (
            client.submit(word, 2, api_name="/trim_words")
            for client, word in zip(clients[1:], ["two", "three", "four"], strict=True)
        )
        assert second.cancel() is True
        gate.release.set()
        assert (first.result(10), third.result(10), fourth.result(10)) == ("o", "th", "fo")
        with pytest.raises(EventCancelledError):
            second.result(10)
        assert second.status()["state"] == "cancelled"
    finally:
        for client in clients:
            client.close()
    assert recorder.calls[0] == ["one"]
    assert sorted(recorder.calls[1]) == ["four", "three"]
    assert all("two" not in call for call in recorder.calls)


def test_calling_the_app_takes_one_sample_of_the_batched_function() -> None:
    def trim_words(words: list[str], lengths: list[float]) -> list[list[str]]:
        return [[w[: int(n)] for w, n in zip(words, lengths, strict=True)]]

    assert trim_words_app(trim_words)("abc", 1) == "a"


def test_a_pre_batched_http_call_runs_its_samples_as_one_batch(
    serve: Callable[..., RunningServer], http: httpx.Client
) -> None:
    recorder = Recorder()

    def trim_words(words: list[str], lengths: list[float]) -> list[list[str]]:
        recorder.record(words)
        return [[w[: int(n)] for w, n in zip(words, lengths, strict=True)]]

    url = serve(trim_words_app(trim_words)).local_url
    body = {"data": [["abc", "hello", "xyz"], [1, 2, 3]], "batched": True}
    response = http.post(url + "api/trim_words", json=body)
    assert response.status_code == 200
    assert response.json() == {"data": [["a", "he", "xyz"]]}
    with Client(url) as client:
        assert client.predict_batch([("carpool", 3), ("batch", 1)], api_name="/trim_words") == ["car", "b"]
    assert recorder.sizes == [3, 2]


def test_one_bad_sample_in_a_batch_fails_alone(serve: Callable[..., RunningServer]) -> None:
    def trim_words(words: list[str], lengths: list[float]) -> list[Any]:
        pairs = zip(words, lengths, strict=True)
        outputs = [Error(f"negative length for {w}") if n < 0 else w[: int(n)] for w, n in pairs]
        return [outputs]

    url = serve(trim_words_app(trim_words)).local_url
    with Client(url) as client:
        results = client.predict_batch([("good", 2), ("bad", -1), ("fine", 1)], api_name="/trim_words")
        assert results[0] == "go" and results[2] == "f"
        assert isinstance(results[1], AppError)
        assert results[1].message == "negative length for bad"
        assert client.predict("after", 2, api_name="/trim_words") == "af"


def test_two_listeners_sharing_a_concurrency_id_never_run_at_the_same_time(
    serve: Callable[..., RunningServer],
) -> None:
    gate, second_started = Gate(), threading.Event()
    running, peak, lock = [0], [0], threading.Lock()

    def tracked(body: Callable[[], None]) -> None:
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        try:
            body()
        finally:
            with lock:
                running[0] -= 1

    def upper(text: str) -> str:
        tracked(gate.enter)
        return text.upper()

    def lower(text: str) -> str:
        tracked(second_started.set)
        return text.lower()

    with Blocks() as demo:
        box, out = Textbox(), Textbox()
        Button("Up").click(upper, box, out, concurrency_id="gpu", concurrency_limit=1)
        Button("Down").click(lower, box, out, concurrency_id="gpu", concurrency_limit=1)
    url = serve(demo).local_url
    with Client(url) as client:
        up = client.submit("MiXeD", api_name="/upper")
        assert gate.started.wait(10)
        down = client.submit("MiXeD", api_name="/lower")
        # bounded wait for something that must NOT happen while the shared slot is taken
        assert not second_started.wait(0.3)
        assert down.status()["state"] == "waiting"
        gate.release.set()
        assert (up.result(10), down.result(10)) == ("MIXED", "mixed")
    assert peak[0] == 1
