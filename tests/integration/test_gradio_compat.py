"""A Gradio-style app, written against Gradio's names, runs unchanged with ``import carpool as gr``."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

import carpool as gr
from carpool.client import Client


def build_gradio_style_app() -> gr.Blocks:
    def greet(name: str, excitement: float, history: list[str]) -> tuple[str, list[str], dict]:
        if not name:
            raise gr.Error("Please enter a name.")
        history = [*history, name]
        return "Hello " + name + "!" * int(excitement), history, gr.update(visible=True)

    def count_words(texts: list[str]) -> list[list[int]]:
        return [[len(text.split()) for text in texts]]

    def slow_steps(steps: float, progress: gr.Progress = gr.Progress()) -> str:
        for _ in progress.tqdm(range(int(steps)), desc="working"):
            time.sleep(0.001)
        return f"{int(steps)} steps"

    def stream(n: float) -> Iterator[str]:
        for i in range(int(n)):
            yield str(i)

    with gr.Blocks(title="A Gradio app") as demo:
        gr.Markdown("# Greeter")
        history = gr.State([])
        with gr.Row():
            with gr.Column():
                name = gr.Textbox(label="Name", placeholder="Your name")
                excitement = gr.Slider(1, 5, value=2, step=1, label="Excitement")
                greet_button = gr.Button("Greet", variant="primary")
            with gr.Column():
                greeting = gr.Textbox(label="Greeting")
                shown = gr.Label(visible=False)
        with gr.Tab("Words"):
            text = gr.Textbox(lines=3)
            words = gr.Number(label="Words")
            gr.Button("Count").click(count_words, text, words, batch=True, max_batch_size=8, api_name="words")
        with gr.Accordion("More", open=False):
            steps, done = gr.Number(value=3), gr.Textbox()
            gr.Button("Run").click(slow_steps, steps, done, api_name="steps")
            gr.Button("Stream").click(stream, steps, done, api_name="stream")
        gr.Examples([["Ada", 3], ["Grace", 1]], inputs=[name, excitement])
        event = greet_button.click(
            greet, [name, excitement, history], [greeting, history, shown], api_name="greet"
        )
        event.then(lambda: "greeted", None, done)
    return demo.queue(max_size=64, default_concurrency_limit=2)


@pytest.fixture
def gradio_app_url() -> Iterator[str]:
    demo = build_gradio_style_app()
    url = demo.launch(server_name="127.0.0.1", server_port=0, prevent_thread_lock=True, quiet=True)
    yield url
    demo.close()


def test_a_gradio_style_app_runs_with_carpool_as_gr(gradio_app_url: str) -> None:
    with Client(gradio_app_url) as client:
        greeting, shown = client.predict("Ada", 3, api_name="/greet")  # the State output is left out
        assert greeting == "Hello Ada!!!"
        assert shown == {"__type__": "update", "visible": True}
        assert client.submit("Grace", 1, api_name="/greet").result(timeout=10)[0] == "Hello Grace!"
        assert client.predict_batch([("one two",), ("three",)], api_name="/words") == [2, 1]
        assert client.predict(4, api_name="/steps") == "4 steps"
        assert client.predict(3, api_name="/stream") == "2"
        with pytest.raises(gr.AppError, match="Please enter a name"):
            client.predict("", 1, api_name="/greet")


def test_calling_the_app_as_a_function_takes_one_sample() -> None:
    demo = build_gradio_style_app()
    assert demo("two words here", api_name="words") == 3
    assert demo(2, api_name="steps") == "2 steps"
