"""The app test_fronts.py serves with ``carpool run --workers 2``: each front's batches go to one
shared RayPool replica, which reports every batch to the test's gate (a named actor) and holds it
while the gate is closed.

Each answer is ``"<trimmed>|<front index>|<replica pid>"``: which front served the event, and which
replica process ran its batch (the same one for every front: the pool is shared).
"""

from __future__ import annotations

import os
from typing import Any

import ray

import carpool as cp
from carpool.scale import RayPool

NAMESPACE = os.environ.get("CARPOOL_RAY_NAMESPACE", "carpool")
HELD = {"alpha", "one"}  # a batch with one of these waits at the gate


class Trimmer:
    def __init__(self) -> None:
        self.gate = ray.get_actor("fronts-gate", namespace=NAMESPACE)

    def __call__(self, words: list[str], lengths: list[float], fronts: list[str]) -> list[list[Any]]:
        ray.get(self.gate.record.remote(list(words), fronts[0]))
        if HELD & set(words):
            ray.get(self.gate.hold.remote())
        trimmed = [word[: int(length)] for word, length in zip(words, lengths, strict=True)]
        return [trimmed, [os.getpid()] * len(words)]


pool = RayPool(Trimmer, name="trimmer")


async def trim_words(words: list[str], lengths: list[float]) -> list[list[str]]:
    front = os.environ.get("CARPOOL_FRONT_INDEX", "")
    trimmed, pids = await pool(words, lengths, [front] * len(words))
    return [[f"{word}|{front}|{pid}" for word, pid in zip(trimmed, pids, strict=True)]]


with cp.Blocks() as demo:
    word, length, out = cp.Textbox(label="word"), cp.Number(precision=0, label="length"), cp.Textbox()
    cp.Button("Run").click(
        trim_words, [word, length], out, batch=True, max_batch_size=16, api_name="trim_words",
        concurrency_limit=pool.recommended_concurrency,
    )  # fmt: skip
