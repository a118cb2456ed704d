"""The OpenAI-compatible API in front of a ``ChatInterface``: its chat listener is the model ``chat``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import openai

import carpool as cp
from carpool.server import RunningServer


def test_openai_clients_chat_with_a_chat_interface(serve: Callable[..., RunningServer]) -> None:
    seen: list[dict[str, Any]] = []

    def reply(
        message: str, history: list[dict[str, Any]], style: str, temperature: float = 1.0
    ) -> Iterator[str]:
        seen.append({"history": history, "style": style, "temperature": temperature})
        text = f"{style}: {message} after {len(history)} messages"
        for end in range(1, len(text) + 1):
            yield text[:end]

    demo = cp.ChatInterface(reply, additional_inputs=[cp.Textbox(value="plain", label="style")])
    url = serve(demo).local_url
    with openai.OpenAI(base_url=url + "v1", api_key="x", max_retries=0, timeout=30) as client:
        assert [model.id for model in client.models.list()] == ["chat"]
        history: list[Any] = [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]
        completion = client.chat.completions.create(
            model="chat", messages=[*history, {"role": "user", "content": "how?"}], temperature=0.5
        )
        assert completion.choices[0].message.content == "plain: how? after 2 messages"
        # ChatInterface hands the function Gradio 6's history form: content as a list of parts
        as_parts = [{"role": m["role"], "content": [{"type": "text", "text": m["content"]}]} for m in history]
        assert seen[-1] == {"history": as_parts, "style": "plain", "temperature": 0.5}
        chunks = client.chat.completions.create(
            model="chat", messages=[{"role": "user", "content": "yo"}], stream=True
        )
        text = "".join(chunk.choices[0].delta.content or "" for chunk in chunks)
        assert text == "plain: yo after 0 messages"
