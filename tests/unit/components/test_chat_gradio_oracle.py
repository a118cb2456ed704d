"""Chatbot's wire value against real Gradio's (the oracle installed with the dev extra): the same
messages give the same JSON, so Gradio front ends and clients read ours."""

from __future__ import annotations

from typing import Any

import pytest

from carpool.components import Chatbot, ChatMessage, FileStore

gr = pytest.importorskip("gradio")

VALUES: list[Any] = [
    [{"role": "user", "content": "Hello"}, {"role": "assistant", "content": "**Hi** there"}],
    [{"role": "assistant", "content": ["two", "parts"]}],
    [{"role": "system", "content": "\n    be brief\n    "}],
    [{"role": "assistant", "content": [{"type": "text", "text": "already a part"}]}],
]


def as_gradio(message: Any) -> Any:
    if isinstance(message, ChatMessage):
        return gr.ChatMessage(content=message.content, role=message.role, metadata=message.metadata)
    return message


@pytest.mark.parametrize("value", VALUES)
def test_text_messages_match_gradio(store: FileStore, value: list[Any]) -> None:
    expected = gr.Chatbot().postprocess(value).model_dump()
    assert Chatbot().postprocess(value) == expected


def test_a_thought_matches_gradio(store: FileStore) -> None:
    thought = ChatMessage("checking", metadata={"title": "Tool", "status": "pending", "log": "step 1"})
    expected = gr.Chatbot().postprocess([as_gradio(thought)]).model_dump()
    got = Chatbot().postprocess([thought])
    for ours, theirs in zip(got, expected, strict=True):
        assert ours["role"] == theirs["role"] and ours["content"] == theirs["content"]
        assert ours["metadata"] == theirs["metadata"]
        assert (ours["options"] or []) == (
            theirs["options"] or []
        )  # Gradio: [] for ChatMessage, None for dicts


def test_what_the_function_receives_matches_gradio(store: FileStore) -> None:
    chatbot = gr.Chatbot()
    wire = chatbot.postprocess(VALUES[0])
    assert Chatbot().preprocess(wire.model_dump()) == chatbot.preprocess(wire)


@pytest.mark.parametrize(
    "content",
    [
        "<think>plan it</think> The answer. <think>more",
        "no tags at all",
        "before <thinking>a</thinking> after <think>b</think>",
        "<think>   </think>only prose",
    ],
)
def test_reasoning_tags_split_thoughts_like_gradio(store: FileStore, content: str) -> None:
    tags = [("<think>", "</think>"), ("<thinking>", "</thinking>")]
    value = [{"role": "assistant", "content": content}]
    expected = gr.Chatbot(reasoning_tags=tags).postprocess(value).model_dump()
    assert Chatbot(reasoning_tags=tags).postprocess(value) == expected
