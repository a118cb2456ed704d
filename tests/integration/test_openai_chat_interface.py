"""The OpenAI-compatible API in front of a ``ChatInterface``: its chat listener is the model ``chat``."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import openai
from integration_support import Gate, on_server_loop

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


class Countdown(cp.Stepwise):
    """Continuously batched replies: each counts down from its message's length, one digit a step."""

    def __init__(self) -> None:
        super().__init__()
        self.running_sets: list[int] = []
        self.gate = Gate()

    def join(self, messages: list[str], histories: list[list[Any]]) -> list[dict[str, Any]]:
        return [{"left": len(m), "text": ""} for m in messages]

    def step(self, states: list[dict[str, Any]]) -> list[Any]:
        self.running_sets.append(len(states))
        if len(self.running_sets) == 1:
            self.gate.enter()  # the first step waits until the other requests are queued
        out: list[Any] = []
        for state in states:
            state["text"] += str(state["left"])
            state["left"] -= 1
            out.append(cp.Done(state["text"]) if state["left"] == 0 else state["text"])
        return out


def test_concurrent_openai_streams_join_a_continuously_batched_chat(
    serve: Callable[..., RunningServer],
) -> None:
    countdown = Countdown()
    server = serve(cp.ChatInterface(countdown, batch=True, max_batch_size=8))
    client = openai.OpenAI(base_url=server.local_url + "v1", api_key="x", max_retries=0, timeout=30)

    def ask(text: str) -> str:
        chunks = client.chat.completions.create(
            model="chat", messages=[{"role": "user", "content": text}], stream=True
        )
        return "".join(chunk.choices[0].delta.content or "" for chunk in chunks if chunk.choices)

    with client, ThreadPoolExecutor(3) as pool:
        first = pool.submit(ask, "abcd")
        assert countdown.gate.started.wait(20)
        others = [pool.submit(ask, text) for text in ("xyz", "pq")]
        wait_for_waiting(server, 2)
        countdown.gate.release.set()
        assert [first.result(30), *(f.result(30) for f in others)] == ["4321", "321", "21"]
    assert max(countdown.running_sets) == 3  # the newcomers joined the running reply between steps


def wait_for_waiting(server: RunningServer, count: int, timeout: float = 20) -> None:
    async def waiting() -> int:
        return int(server.app.state.carpool.engine.stats().waiting)

    deadline = time.monotonic() + timeout
    while on_server_loop(server, waiting()) < count:
        assert time.monotonic() < deadline, f"fewer than {count} events reached the queue"
        time.sleep(0.02)
