"""ChatInterface over HTTP: the ``chat`` endpoint (plain, streamed, batched, continuous), multimodal
messages with uploaded files, malformed conversations refused with a 422 naming the input, and the
OpenAI-compatible API on top of the same listener."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise
from typing import Any

import httpx
import openai
import pytest

import carpool as cp
from carpool.server import RunningServer

SSE = {"Accept": "text/event-stream"}


def text_of(message: dict[str, Any]) -> str:
    return "".join(part["text"] for part in message["content"] if part["type"] == "text")


def echo(message: str, history: list[dict[str, Any]]) -> str:
    return f"{message} ({len(history)} before)"


def spell(message: str, history: list[dict[str, Any]]) -> Iterator[str]:
    reply = f"you said {message}"
    for end in range(1, len(reply) + 1):
        yield reply[:end]


def sse_events(response: httpx.Response) -> Iterator[tuple[str, Any]]:
    name, data = "message", []
    for line in response.iter_lines():
        if line.startswith("event:"):
            name = line.split(":", 1)[1].strip()
        elif line.startswith("data:"):
            data.append(line.split(":", 1)[1].strip())
        elif not line and data:
            yield name, json.loads("\n".join(data))
            name, data = "message", []


@pytest.fixture
def echo_url(serve: Callable[..., RunningServer]) -> str:
    return serve(cp.ChatInterface(echo)).local_url


def test_the_chat_endpoint_answers_with_the_reply_and_the_conversation(
    echo_url: str, http: httpx.Client
) -> None:
    earlier = [{"role": "user", "content": "hello"}, {"role": "assistant", "content": "hi there"}]
    response = http.post(echo_url + "api/chat", json={"data": ["how are you?", earlier]})
    assert response.status_code == 200, response.text
    reply, conversation = response.json()["data"]
    assert reply == "how are you? (2 before)"
    assert [(m["role"], text_of(m)) for m in conversation] == [
        ("user", "hello"),
        ("assistant", "hi there"),
        ("user", "how are you?"),
        ("assistant", "how are you? (2 before)"),
    ]


def test_info_marks_the_chat_endpoint_and_names_its_inputs(echo_url: str, http: httpx.Client) -> None:
    info = http.get(echo_url + "info").json()["endpoints"]
    assert list(info) == ["chat"]
    assert info["chat"]["chat"] is True
    assert [p["parameter_name"] for p in info["chat"]["parameters"]] == ["message", "history"]


def test_a_generator_streams_the_growing_reply(
    serve: Callable[..., RunningServer], http: httpx.Client
) -> None:
    url = serve(cp.ChatInterface(spell)).local_url
    with http.stream("POST", url + "api/chat", json={"data": ["hi", []]}, headers=SSE) as response:
        got = list(sse_events(response))
    replies = [data["data"][0] for name, data in got if name == "generating"]
    # a reader that falls behind gets the newest partial (cumulative text), so some may be skipped
    assert len(replies) >= 2 and replies[-1] == "you said hi"
    assert all(later.startswith(earlier) and later != earlier for earlier, later in pairwise(replies))
    name, final = got[-1]
    assert name == "complete" and final["data"][0] == "you said hi"
    assert [text_of(m) for m in final["data"][1]] == ["hi", "you said hi"]


def test_the_function_sees_history_as_content_parts_whatever_the_client_sent(
    serve: Callable[..., RunningServer], http: httpx.Client
) -> None:
    seen: list[Any] = []

    def record(message: str, history: list[dict[str, Any]]) -> str:
        seen.append(history)
        return "ok"

    url = serve(cp.ChatInterface(record)).local_url
    history = [
        {"role": "user", "content": "plain"},
        {"role": "assistant", "content": [{"type": "text", "text": "parts"}]},
    ]
    assert http.post(url + "api/chat", json={"data": ["next", history]}).status_code == 200
    assert [m["content"] for m in seen[0]] == [
        [{"type": "text", "text": "plain"}],
        [{"type": "text", "text": "parts"}],
    ]


@pytest.mark.parametrize(
    ("history", "problem"),
    [
        ([{"role": "bot", "content": "hi"}], "role must be one of user, assistant, system; got 'bot'"),
        ([{"role": "user", "content": 42}], "content must be text or files"),
        ([{"role": "user"}], 'expected an object with "role" and "content"'),
        ("not a list", "expected a list of messages"),
        (
            [{"role": "user", "content": [{"type": "file", "file": {"path": "/etc/passwd"}}]}],
            "message 0: file:",
        ),
        ([{"role": "user", "content": [{"type": "file", "file": "cat.png"}]}], "message 0: file:"),
        ([{"role": "user", "content": "hi", "metadata": {"status": "thinking"}}], "'status' must be"),
    ],
)
def test_a_malformed_conversation_is_a_422_naming_the_history_input(
    echo_url: str, http: httpx.Client, history: Any, problem: str
) -> None:
    response = http.post(echo_url + "api/chat", json={"data": ["hi", history]})
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["type"] == "invalid_input" and error["parameter"] == "history"
    assert problem in error["message"]


def test_a_multimodal_message_brings_its_uploaded_files_to_the_function(
    serve: Callable[..., RunningServer], http: httpx.Client
) -> None:
    seen: list[Any] = []

    def describe(message: dict[str, Any], history: list[dict[str, Any]]) -> str:
        seen.append(message)
        with open(message["files"][0], encoding="utf-8") as f:
            return f"{message['text']}: {f.read()}"

    url = serve(cp.ChatInterface(describe, multimodal=True)).local_url
    uploaded = http.post(url + "upload", files={"files": ("note.txt", b"file body", "text/plain")}).json()[
        "files"
    ][0]
    response = http.post(url + "api/chat", json={"data": [{"text": "read", "files": [uploaded]}, []]})
    assert response.status_code == 200, response.text
    reply, conversation = response.json()["data"]
    assert reply == "read: file body"
    user = conversation[0]
    assert user["role"] == "user"
    assert [part["type"] for part in user["content"]] == ["file", "text"]
    assert user["content"][0]["file"]["orig_name"] == "note.txt"
    assert http.get(url + user["content"][0]["file"]["url"].lstrip("/")).content == b"file body"
    bad = http.post(url + "api/chat", json={"data": [{"text": "read", "files": ["/etc/passwd"]}, []]})
    assert bad.status_code == 422 and bad.json()["error"]["parameter"] == "message"


def test_additional_inputs_reach_the_function_after_the_history(
    serve: Callable[..., RunningServer], http: httpx.Client
) -> None:
    def repeat(message: str, history: list[Any], times: float, shout: bool) -> str:
        text = " ".join([message] * int(times))
        return text.upper() if shout else text

    demo = cp.ChatInterface(
        repeat, additional_inputs=[cp.Number(2, label="times"), cp.Checkbox(label="shout")]
    )
    url = serve(demo).local_url
    assert http.post(url + "api/chat", json={"data": ["hey", [], 3, True]}).json()["data"][0] == "HEY HEY HEY"


def test_a_batched_chat_function_gets_lists_and_serves_concurrent_chats_in_one_call(
    serve: Callable[..., RunningServer],
) -> None:
    sizes: list[int] = []

    def answer_all(messages: list[str], histories: list[list[Any]]) -> list[str]:
        sizes.append(len(messages))
        return [f"{m}: {len(h)} before" for m, h in zip(messages, histories, strict=True)]

    # batch_timeout holds the slot until three events are there (or 10 s): one call, however they arrive
    demo = cp.ChatInterface(answer_all, batch=True, max_batch_size=3, batch_timeout=10)
    url = serve(demo).local_url

    def ask(i: int) -> Any:
        with httpx.Client(timeout=30) as http:
            return http.post(
                url + "api/chat", json={"data": [f"q{i}", [{"role": "user", "content": "x"}] * i]}
            ).json()

    with ThreadPoolExecutor(3) as pool:
        answers = list(pool.map(ask, range(3)))
    assert sizes == [3]
    assert [a["data"][0] for a in answers] == ["q0: 0 before", "q1: 1 before", "q2: 2 before"]


def test_a_batched_chat_function_that_returns_the_wrong_number_of_replies_fails_clearly(
    serve: Callable[..., RunningServer], http: httpx.Client
) -> None:
    demo = cp.ChatInterface(lambda messages, histories: ["one", "two"], batch=True)
    url = serve(demo, show_error=True).local_url
    response = http.post(url + "api/chat", json={"data": ["hi", []]})
    assert response.status_code == 500
    error = response.json()["error"]
    assert error["type"] == "batch_shape" and "expected a list of 1 replies" in error["message"]


class Countdown(cp.Stepwise):
    """A continuously batched chat function: each item counts down from the length of its message."""

    def __init__(self) -> None:
        super().__init__()
        self.joined: list[int] = []

    def join(self, messages: list[str], histories: list[list[Any]]) -> list[dict[str, Any]]:
        self.joined.append(len(messages))
        return [{"left": len(m), "text": ""} for m in messages]

    def step(self, states: list[dict[str, Any]]) -> list[Any]:
        out: list[Any] = []
        for state in states:
            state["text"] += str(state["left"])
            state["left"] -= 1
            out.append(cp.Done(state["text"]) if state["left"] == 0 else state["text"])
        return out


def test_a_stepwise_chat_function_streams_each_reply_with_its_conversation(
    serve: Callable[..., RunningServer], http: httpx.Client
) -> None:
    url = serve(cp.ChatInterface(Countdown(), batch=True, max_batch_size=8)).local_url
    with http.stream("POST", url + "api/chat", json={"data": ["abc", []]}, headers=SSE) as response:
        got = list(sse_events(response))
    assert [(name, data["data"][0]) for name, data in got] == [
        ("generating", "3"),
        ("generating", "32"),
        ("complete", "321"),
    ]
    assert [text_of(m) for m in got[-1][1]["data"][1]] == ["abc", "321"]


def test_a_stepwise_chat_function_needs_batch_true() -> None:
    with pytest.raises(ValueError, match="batch=True"):
        cp.ChatInterface(Countdown())


def test_the_openai_api_talks_to_a_chat_interface(serve: Callable[..., RunningServer]) -> None:
    seen: list[Any] = []
    lock = threading.Lock()

    def reply(message: str, history: list[dict[str, Any]]) -> Iterator[str]:
        with lock:
            seen.append((message, history))
        yield from spell(message, history)

    url = serve(cp.ChatInterface(reply)).local_url
    client = openai.OpenAI(base_url=url + "v1", api_key="unused")
    messages = [
        {"role": "user", "content": "first"},
        {"role": "assistant", "content": "answer"},
        {"role": "user", "content": "second"},
    ]
    done = client.chat.completions.create(model="chat", messages=messages)  # type: ignore[arg-type]
    assert done.choices[0].message.content == "you said second"
    chunks = client.chat.completions.create(model="chat", messages=messages, stream=True)  # type: ignore[arg-type]
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == "you said second"
    message, history = seen[0]
    assert message == "second" and [m["role"] for m in history] == ["user", "assistant"]


def test_event_data_sent_with_a_join_reaches_a_function_that_asks_for_it(
    serve: Callable[..., RunningServer], http: httpx.Client
) -> None:
    def on_edit(history: list[Any], data: cp.EditData) -> str:
        return f"{type(data.target).__name__} {data.index}: {data.previous_value} -> {data.value}"

    with cp.Blocks() as demo:
        chatbot = cp.Chatbot([{"role": "user", "content": "helo"}], editable="user")
        said = cp.Textbox()
        edit = chatbot.edit(on_edit, chatbot, said)
    url = serve(demo).local_url
    body = {
        "data": [[{"role": "user", "content": "helo"}]],
        "fn_index": edit.index,
        "session_hash": "editor",
        "trigger_id": chatbot.id,
        "event_data": {"index": 0, "value": "hello", "previous_value": "helo"},
    }
    assert http.post(url + "queue/join", json=body).status_code == 200
    with http.stream("GET", url + "queue/data", params={"session_hash": "editor"}) as response:
        for line in response.iter_lines():
            if line.startswith("data: ") and '"process_completed"' in line:
                final = json.loads(line[len("data: ") :])
                break
    assert final["output"]["data"] == ["Chatbot 0: helo -> hello"]
    bad = http.post(url + "queue/join", json={**body, "event_data": "index 0"})
    assert bad.status_code == 400
    assert bad.json()["error"]["message"] == '"event_data" must be an object or null.'
