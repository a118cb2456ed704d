"""A Blocks app with a layout, chained events and two listeners sharing one concurrency limit.

    carpool run examples/text_tools.py

``word_count`` and ``shout`` are both batched and share ``concurrency_id="text"``: at most one batch of
either runs at a time (think: two heads on one model that fits the machine once). ``.then`` chains a
cheap unqueued summary after the count.
"""

from __future__ import annotations

import carpool as cp


def word_count(texts: list[str]) -> list[list[int]]:
    return [[len(t.split()) for t in texts]]


def shout(texts: list[str]) -> list[list[str]]:
    return [[t.upper() + "!" for t in texts]]


def describe(count: float) -> str:
    words = int(count)
    return f"{words} word{'s' if words != 1 else ''}"


with cp.Blocks(title="text tools") as demo:
    cp.Markdown("# Text tools\nTwo batched functions sharing one concurrency limit.")
    with cp.Row():
        with cp.Column():
            text = cp.Textbox(label="Text", lines=4, value="carpool gathers concurrent requests")
            with cp.Row():
                count_button = cp.Button("Count words", variant="primary")
                shout_button = cp.Button("Shout")
        with cp.Column():
            count = cp.Number(label="Words", precision=0)
            summary = cp.Textbox(label="Summary")
            loud = cp.Textbox(label="Shouted")
    count_button.click(word_count, text, count, batch=True, max_batch_size=32, concurrency_id="text").then(
        describe, count, summary, queue=False
    )
    shout_button.click(shout, text, loud, batch=True, max_batch_size=32, concurrency_id="text")
    text.submit(
        shout, text, loud, batch=True, max_batch_size=32, concurrency_id="text", api_name="shout_on_submit"
    )

if __name__ == "__main__":
    demo.queue().launch()
