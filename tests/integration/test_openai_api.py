"""The OpenAI-compatible chat API, driven by the official ``openai`` package against a live server."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import openai
import pytest
from integration_support import Gate, on_server_loop

from carpool.app import Blocks
from carpool.components import JSON, Button, Number, Textbox
from carpool.exceptions import Error
from carpool.server import RunningServer


class Recorder:
    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        self.lock = threading.Lock()

    def record(self, **seen: Any) -> None:
        with self.lock:
            self.calls.append(seen)


def chat_app(recorder: Recorder) -> Blocks:
    def spell(
        message: str, history: list[dict[str, Any]], max_tokens: int | None = None, temperature: float = 1.0
    ) -> Iterator[str]:
        recorder.record(message=message, history=history, max_tokens=max_tokens, temperature=temperature)
        reply = f"you said {message}"[: max_tokens or None]
        for end in range(1, len(reply) + 1):
            yield reply[:end]  # the reply so far, as a chat UI shows it

    def answer(message: str, history: list[dict[str, Any]]) -> dict[str, str]:
        if message == "fail":
            raise Error("the model is tired")
        return {"role": "assistant", "content": f"{len(history)} earlier turns"}

    def repeat(message: str, history: list[dict[str, Any]], times: float) -> str:
        return " ".join([message] * int(times))

    def tired(message: str, history: list[dict[str, Any]]) -> Iterator[str]:
        yield "I was about"
        raise Error("out of tokens")

    with Blocks(title="Chat test") as demo:
        message, history, reply, times = Textbox(), JSON(), Textbox(), Number(value=3)
        go = Button()
        go.click(spell, [message, history], reply, api_name="spell", chat=True)
        go.click(answer, [message, history], reply, api_name="answer", chat=True)
        go.click(repeat, [message, history, times], reply, api_name="repeat", chat=True)
        go.click(tired, [message, history], reply, api_name="tired", chat=True)
        go.click(lambda m: m, message, reply, api_name="not_chat")
    return demo


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def url(serve: Callable[..., RunningServer], recorder: Recorder) -> str:
    return serve(chat_app(recorder)).local_url


@pytest.fixture
def client(url: str) -> Iterator[openai.OpenAI]:
    with openai.OpenAI(base_url=url + "v1", api_key="not-checked", max_retries=0, timeout=30) as client:
        yield client


def test_models_lists_every_chat_listener_by_its_api_name(client: openai.OpenAI) -> None:
    models = client.models.list()
    assert sorted(model.id for model in models) == ["answer", "repeat", "spell", "tired"]
    assert {model.owned_by for model in models} == {"Chat test"}


def test_a_completion_gets_the_last_user_message_and_the_history_before_it(
    client: openai.OpenAI, recorder: Recorder
) -> None:
    messages: list[Any] = [
        {"role": "system", "content": "be brief"},
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": "hello"},
        {"role": "user", "content": [{"type": "text", "text": "how "}, {"type": "text", "text": "are you"}]},
    ]
    completion = client.chat.completions.create(model="spell", messages=messages)
    assert completion.object == "chat.completion" and completion.model == "spell"
    (choice,) = completion.choices
    assert choice.message.role == "assistant" and choice.message.content == "you said how are you"
    assert choice.finish_reason == "stop"
    (call,) = recorder.calls
    assert call["message"] == "how are you"
    assert call["history"] == messages[:3]


def test_a_reply_dict_is_read_for_its_content(client: openai.OpenAI) -> None:
    messages: list[Any] = [
        {"role": "user", "content": "a"},
        {"role": "assistant", "content": "b"},
        {"role": "user", "content": "c"},
    ]
    completion = client.chat.completions.create(model="answer", messages=messages)
    assert completion.choices[0].message.content == "2 earlier turns"


def test_streaming_sends_what_each_partial_adds(client: openai.OpenAI) -> None:
    stream = client.chat.completions.create(
        model="spell", messages=[{"role": "user", "content": "abc"}], stream=True
    )
    chunks = list(stream)
    assert chunks[0].choices[0].delta.role == "assistant"
    contents = [chunk.choices[0].delta.content or "" for chunk in chunks]
    assert "".join(contents) == "you said abc"
    # one chunk per partial seen; a reader that falls behind gets the newest partial, so there can be fewer
    assert 2 <= sum(1 for text in contents if text) <= len("you said abc")
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert all(chunk.object == "chat.completion.chunk" for chunk in chunks)


def test_include_usage_adds_a_last_chunk_without_choices(client: openai.OpenAI) -> None:
    stream = client.chat.completions.create(
        model="spell",
        messages=[{"role": "user", "content": "a"}],
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)
    assert chunks[-1].choices == [] and chunks[-1].usage is None  # carpool counts no tokens
    assert chunks[-2].choices[0].finish_reason == "stop"


def test_max_tokens_and_temperature_reach_a_function_that_declares_them(
    client: openai.OpenAI, recorder: Recorder
) -> None:
    completion = client.chat.completions.create(
        model="spell", messages=[{"role": "user", "content": "abcdef"}], max_tokens=5, temperature=0.25
    )
    assert completion.choices[0].message.content == "you s"
    assert recorder.calls[-1]["max_tokens"] == 5 and recorder.calls[-1]["temperature"] == 0.25
    client.chat.completions.create(model="spell", messages=[{"role": "user", "content": "x"}])
    assert recorder.calls[-1]["max_tokens"] is None and recorder.calls[-1]["temperature"] == 1.0
    # a function without those parameters still answers: they are not passed to it
    answer = client.chat.completions.create(
        model="answer", messages=[{"role": "user", "content": "x"}], max_tokens=5, temperature=0.5
    )
    assert answer.choices[0].message.content == "0 earlier turns"


def test_additional_inputs_take_their_current_values(client: openai.OpenAI) -> None:
    completion = client.chat.completions.create(model="repeat", messages=[{"role": "user", "content": "ho"}])
    assert completion.choices[0].message.content == "ho ho ho"


def test_a_failing_function_is_an_openai_error(client: openai.OpenAI) -> None:
    with pytest.raises(openai.InternalServerError) as raised:
        client.chat.completions.create(model="answer", messages=[{"role": "user", "content": "fail"}])
    assert raised.value.status_code == 500
    assert raised.value.body == {
        "message": "the model is tired",
        "type": "server_error",
        "param": None,
        "code": "app_error",
    }
    stream = client.chat.completions.create(
        model="tired", messages=[{"role": "user", "content": "x"}], stream=True
    )
    with pytest.raises(openai.APIError, match="out of tokens"):
        list(stream)


def test_an_unknown_model_is_a_404_naming_the_chat_models(client: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError) as raised:
        client.chat.completions.create(model="not_chat", messages=[{"role": "user", "content": "x"}])
    body = raised.value.body
    assert isinstance(body, dict)
    assert body["code"] == "model_not_found" and body["param"] == "model"
    assert "answer, repeat, spell, tired" in body["message"]


@pytest.mark.parametrize(
    ("extra", "param"),
    [
        ({"n": 2}, "n"),
        ({"logit_bias": {"1": 2}}, "logit_bias"),
        ({"frequency_penalty_typo": 1}, "frequency_penalty_typo"),
        ({"max_tokens": 0}, "max_tokens"),
        ({"temperature": 3}, "temperature"),
        ({"stream": "yes"}, "stream"),
        ({"stream_options": {"include_usage": True}}, "stream_options"),
        ({"messages": []}, "messages"),
        ({"messages": [{"role": "robot", "content": "x"}]}, "messages[0].role"),
        ({"messages": [{"role": "user", "content": 5}]}, "messages[0].content"),
        ({"messages": [{"role": "user", "content": None}]}, "messages[0].content"),
        ({"messages": ["hi"]}, "messages[0]"),
        ({"messages": [{"role": "user", "content": "x", "tool_calls": []}]}, "messages[0].tool_calls"),
        ({"messages": [{"role": "assistant", "content": "x"}]}, "messages[0].role"),
        (
            {"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "x"}}]}]},
            "messages[0].content",
        ),
    ],
)
def test_bad_requests_are_400s_in_openai_error_shape(
    url: str, http: httpx.Client, extra: dict[str, Any], param: str
) -> None:
    body = {"model": "spell", "messages": [{"role": "user", "content": "x"}], **extra}
    response = http.post(url + "v1/chat/completions", json=body)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert set(error) == {"message", "type", "param", "code"}
    assert error["type"] == "invalid_request_error" and error["param"] == param
    assert isinstance(error["message"], str) and error["message"]


def test_the_openai_package_reports_bad_requests_as_bad_request_errors(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError, match="n=1"):
        client.chat.completions.create(model="spell", messages=[{"role": "user", "content": "x"}], n=2)
    with pytest.raises(openai.BadRequestError, match="unknown_field"):
        client.chat.completions.create(
            model="spell", messages=[{"role": "user", "content": "x"}], extra_body={"unknown_field": 1}
        )


def test_a_body_that_is_not_json_is_a_400_in_openai_error_shape(url: str, http: httpx.Client) -> None:
    response = http.post(url + "v1/chat/completions", content=b"{not json")
    assert response.status_code == 400
    assert response.json()["error"]["type"] == "invalid_request_error"
    assert response.json()["error"]["code"] == "bad_request"


# -- the same queue and the same batches as the page -----------------------------------------------


def batched_chat_app(sizes: list[int], gate: Gate) -> Blocks:
    def chat(messages: list[str], histories: list[list[Any]]) -> list[list[str]]:
        sizes.append(len(messages))
        if messages == ["first"]:
            gate.enter()
        return [[f"{message}!" for message in messages]]

    with Blocks() as demo:
        message, history, reply = Textbox(), JSON(), Textbox()
        Button().click(
            chat, [message, history], reply, api_name="chat", chat=True, batch=True, max_batch_size=8
        )
    return demo


def wait_for_waiting(server: RunningServer, count: int, timeout: float = 20) -> None:
    """Until ``count`` events wait in the engine's queue (the HTTP requests arrive in their own time)."""

    async def waiting() -> int:
        return int(server.app.state.carpool.engine.stats().waiting)

    deadline = time.monotonic() + timeout
    while on_server_loop(server, waiting()) < count:
        assert time.monotonic() < deadline, f"fewer than {count} events arrived in the queue"
        time.sleep(0.02)


def test_concurrent_openai_requests_ride_in_one_batch_behind_a_page_event(
    serve: Callable[..., RunningServer], http: httpx.Client
) -> None:
    sizes: list[int] = []
    gate = Gate()
    server = serve(batched_chat_app(sizes, gate))
    url = server.local_url
    # a page user's event holds the listener's one slot, as a long generation would
    body = {"data": ["first", []], "api_name": "chat", "session_hash": "page-user"}
    assert http.post(url + "queue/join", json=body).status_code == 200
    with http.stream("GET", url + "queue/data", params={"session_hash": "page-user"}):
        assert gate.started.wait(20)
        client = openai.OpenAI(base_url=url + "v1", api_key="x", max_retries=0, timeout=30)

        def ask(text: str) -> str | None:
            completion = client.chat.completions.create(
                model="chat", messages=[{"role": "user", "content": text}]
            )
            return completion.choices[0].message.content

        with client, ThreadPoolExecutor(4) as pool:
            answers = pool.map(ask, ["a", "b", "c", "d"])
            wait_for_waiting(server, 4)
            gate.release.set()
            assert list(answers) == ["a!", "b!", "c!", "d!"]
    assert sizes == [1, 4]


def strict_json(text: str) -> Any:
    def refuse(constant: str) -> Any:
        raise ValueError(f"not JSON: {constant}")

    return json.loads(text, parse_constant=refuse)


def test_answers_are_json_a_strict_parser_accepts(
    serve: Callable[..., RunningServer], http: httpx.Client
) -> None:
    odd = "half a pair \ud800 and text"  # a lone surrogate: UTF-8 cannot hold it, a JSON escape can

    def reply(message: str, history: list[dict[str, Any]]) -> Iterator[str]:
        yield odd[:9]
        yield odd

    with Blocks() as demo:
        message, history, answer = Textbox(), JSON(), Textbox()
        Button().click(reply, [message, history], answer, api_name="odd", chat=True)
    url = serve(demo).local_url
    body = {"model": "odd", "messages": [{"role": "user", "content": "x"}]}
    plain = http.post(url + "v1/chat/completions", json=body)
    assert plain.status_code == 200
    assert strict_json(plain.text)["choices"][0]["message"]["content"] == odd
    streamed = http.post(url + "v1/chat/completions", json={**body, "stream": True})
    lines = [line[len("data: ") :] for line in streamed.text.splitlines() if line.startswith("data: ")]
    chunks = [strict_json(line) for line in lines if line != "[DONE]"]
    text = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks if c["choices"])
    assert text == odd and lines[-1] == "[DONE]"
