"""The seed app: a batched function, a Run button and a Cancel button.

    carpool run examples/trim_words.py

Open it in three browser tabs and press Run in each within a second: the first request runs alone, the
next two wait for it and then finish together in one call of ``trim_words`` (a batch of 2). Cancel a
waiting request and it never runs.
"""

from __future__ import annotations

import time

import carpool as cp


def trim_words(words: list[str], lengths: list[float]) -> list[list[str]]:
    """``batch=True``: one list per input in (one item per request), one list per output out."""
    time.sleep(1.0)  # a model's fixed cost per call: what batching amortises
    return [[w[: int(n)] for w, n in zip(words, lengths, strict=True)]]


with cp.Blocks(title="trim_words") as demo:
    word = cp.Textbox(label="word")
    length = cp.Number(3, precision=0, label="length")
    out = cp.Textbox(label="out")
    with cp.Row():
        run = cp.Button("Run", variant="primary")
        stop = cp.Button("Cancel", variant="stop")
    event = run.click(trim_words, [word, length], out, batch=True, max_batch_size=16)
    stop.click(None, None, None, cancels=[event])

if __name__ == "__main__":
    demo.queue(default_concurrency_limit=1, max_size=1000).launch()
