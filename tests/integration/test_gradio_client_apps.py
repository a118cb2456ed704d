"""Interface and ChatInterface apps called by the official ``gradio_client`` with Gradio 6's call shapes.

A script written for a Gradio app keeps working when the app moves to carpool: an Interface endpoint
is named after its function (``/calculator``) and answers in Gradio's types; a ChatInterface's
``/chat`` takes only the message (and additional inputs) and keeps the conversation in the client's
session, as Gradio's does. carpool's own ``/api/chat`` still takes the history as an argument.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from gradio_client_support import offline_hub

import carpool as cp
from carpool.server import RunningServer

pytest.importorskip("gradio_client")
from gradio_client import Client


@pytest.fixture(autouse=True)
def offline_client(monkeypatch: pytest.MonkeyPatch) -> None:
    offline_hub(monkeypatch)


def calculator(num1: float, operation: str, num2: float) -> float:
    if operation == "add":
        return num1 + num2
    return num1 * num2


def respond(message: str, history: list[dict[str, Any]], prefix: str) -> str:
    said = [m["content"][0]["text"] for m in history if m["role"] == "user"]
    return f"{prefix}{message} (after {said})"


def offer(message: str, history: list[dict[str, Any]]) -> cp.ChatMessage:
    return cp.ChatMessage(content=f"\nShall I {message}?\n", options=[{"value": "Yes", "label": "Do it"}])


def demo() -> cp.Blocks:
    with cp.Blocks() as app:
        cp.Interface(calculator, [cp.Number(), cp.Radio(["add", "multiply"]), cp.Number()], cp.Number())
        cp.ChatInterface(respond, additional_inputs=[cp.Textbox("> ", label="prefix")])
        cp.ChatInterface(offer, api_name="offer")
    return app


@pytest.fixture(scope="module")
def app_url(serve_per_module: Callable[..., RunningServer]) -> str:
    return serve_per_module(demo(), show_error=True).local_url


@pytest.fixture
def client(app_url: str) -> Iterator[Client]:
    client = Client(app_url, verbose=False)
    yield client
    client.close()


def test_an_interface_endpoint_is_named_after_its_function_and_answers_ints(client: Client) -> None:
    answer = client.predict(4, "add", 5, api_name="/calculator")
    assert answer == 9 and isinstance(answer, int)  # Gradio passes 4 and 5 as ints, so the sum is one
    assert client.predict(1.5, "multiply", 2, api_name="/calculator") == 3.0
    assert "/calculator" in client.view_api(print_info=False, return_format="dict")["named_endpoints"]


def test_chat_takes_the_message_and_keeps_the_conversation_in_the_session(client: Client) -> None:
    assert client.predict("hi", "> ", api_name="/chat") == "> hi (after [])"
    assert client.predict("again", "* ", api_name="/chat") == "* again (after ['hi'])"
    parameters = client.view_api(print_info=False, return_format="dict")["named_endpoints"]["/chat"]
    assert [p["parameter_name"] for p in parameters["parameters"]] == ["message", "prefix"]
    assert len(parameters["returns"]) == 1


def test_a_chat_message_reply_comes_back_as_gradios_chat_answers_it(client: Client) -> None:
    gr = pytest.importorskip("gradio")
    expected = dataclasses.asdict(
        gr.ChatMessage(content="\nShall I go?\n", options=[{"value": "Yes", "label": "Do it"}])
    )
    assert client.predict("go", api_name="/offer") == expected  # its fields, the text untouched


def test_another_client_starts_its_own_conversation(client: Client, app_url: str) -> None:
    client.predict("mine", "> ", api_name="/chat")
    other = Client(app_url, verbose=False)
    try:
        assert other.predict("theirs", "> ", api_name="/chat") == "> theirs (after [])"
    finally:
        other.close()
    client.reset_session()
    assert client.predict("fresh", "> ", api_name="/chat") == "> fresh (after [])"


def test_carpools_own_chat_api_still_takes_the_history(app_url: str, http: httpx.Client) -> None:
    history = [{"role": "user", "content": "earlier"}, {"role": "assistant", "content": "ok"}]
    reply = http.post(app_url + "api/chat", json={"data": ["now", history, "> "]})
    assert reply.status_code == 200 and reply.json()["data"][0] == "> now (after ['earlier'])"


def test_load_of_the_app_still_sees_the_history_argument(app_url: str) -> None:
    remote = cp.load(app_url)
    try:
        assert remote("now", [{"role": "user", "content": "before"}], "> ", api_name="/chat")[0] == (
            "> now (after ['before'])"
        )
    finally:
        remote.disconnect()
