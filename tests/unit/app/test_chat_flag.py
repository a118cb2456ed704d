"""The carpool-only ``chat=True`` listener option (docs/authoring.md, contracts for the OpenAI API)."""

from __future__ import annotations

from typing import Any

import pytest

import carpool.components as cc
from carpool.app import Blocks


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
