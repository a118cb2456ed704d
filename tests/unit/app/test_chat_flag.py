"""The carpool-only ``chat=True`` listener option (docs/authoring.md, contracts for the OpenAI API)."""

from __future__ import annotations

from typing import Any

import pytest

import carpool.components as cc
from carpool.app import Blocks, SessionState


def echo(message: str, history: list[dict[str, Any]]) -> str:
    return f"{message} ({len(history)})"


def test_chat_listener_is_marked_on_the_dependency_and_in_info() -> None:
    with Blocks() as demo:
        message, history, reply = cc.Textbox(), cc.JSON(), cc.Textbox()
        button = cc.Button()
        dep = button.click(echo, [message, history], reply, api_name="chat", chat=True)
        message.submit(echo, [message, history], reply, api_name="plain")
    assert dep.chat is True
    endpoints = demo.api_info()["endpoints"]
    assert endpoints["chat"]["chat"] is True
    assert endpoints["plain"]["chat"] is False


def test_chat_option_must_be_a_bool() -> None:
    with Blocks(), pytest.raises(ValueError, match="chat must be True or False"):
        message, history, reply = cc.Textbox(), cc.JSON(), cc.Textbox()
        message.submit(echo, [message, history], reply, chat="yes")


@pytest.mark.parametrize("shape", ["one input", "no output", "no function", "dict inputs"])
def test_chat_listener_needs_message_history_and_a_reply(shape: str) -> None:
    with Blocks(), pytest.raises(ValueError, match=r"chat=True needs .*message, history"):
        message, history, reply = cc.Textbox(), cc.JSON(), cc.Textbox()
        if shape == "one input":
            message.submit(lambda m: m, [message], reply, chat=True)
        elif shape == "no output":
            message.submit(echo, [message, history], None, chat=True)
        elif shape == "no function":
            message.submit(None, [message, history], reply, chat=True)
        else:
            message.submit(lambda d: "", {message, history}, reply, chat=True)


def sampled(
    message: str, history: list[Any], max_tokens: int | None = None, *, temperature: float = 1.0
) -> str:
    return f"{message}:{max_tokens}:{temperature}"


def test_a_chat_function_takes_the_sampling_options_it_declares_beyond_its_inputs() -> None:
    with Blocks():
        message, history, reply, extra = cc.Textbox(), cc.JSON(), cc.Textbox(), cc.Number()
        dep = message.submit(sampled, [message, history], reply, chat=True)
        filled = message.submit(sampled, [message, history, extra], reply, chat=True)
        plain = message.submit(sampled, [message, history], reply)
    assert dep.chat_options == ("max_tokens", "temperature")
    assert filled.chat_options == ("temperature",)  # max_tokens is an input here
    assert plain.chat_options == ()  # only chat listeners take them
    context = dep.chat_context({"max_tokens": 7})
    args, kwargs = dep.binder().arguments(["hi", []], [context])
    assert sampled(*args, **kwargs) == "hi:7:1.0"
    args, kwargs = dep.binder().arguments(["hi", []], [None])  # a page event: the defaults
    assert sampled(*args, **kwargs) == "hi:None:1.0"


def test_a_batched_chat_function_gets_one_option_per_sample() -> None:
    def batched(messages: list[str], histories: list[Any], temperature: Any = None) -> Any:
        return [[f"{m}@{t}" for m, t in zip(messages, temperature, strict=True)]]

    with Blocks():
        message, history, reply = cc.Textbox(), cc.JSON(), cc.Textbox()
        dep = message.submit(batched, [message, history], reply, chat=True, batch=True)
    contexts = [dep.chat_context({"temperature": 0.5}), None]
    args, kwargs = dep.binder().arguments([["a", "b"], [[], []]], contexts)
    assert batched(*args, **kwargs) == [["a@0.5", "b@None"]]


def test_chat_inputs_fill_additional_inputs_with_their_current_values() -> None:
    with Blocks():
        message, history, reply, times = cc.Textbox(), cc.JSON(), cc.Textbox(), cc.Number(value=3)
        dep = message.submit(lambda m, h, n: m * int(n), [message, history, times], reply, chat=True)
    assert dep.chat_inputs("ho", [{"role": "user", "content": "x"}], SessionState()) == [
        "ho",
        [{"role": "user", "content": "x"}],
        3,
    ]
    assert dep.chat_reply("ho ho") == "ho ho"
