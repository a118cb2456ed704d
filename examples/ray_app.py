"""Serve a batched model on a pool of Ray actors: carpool's queue in front, the model in N replicas.

    pip install 'carpool[ray]'
    python examples/ray_app.py                       # 2 replicas on a local Ray instance
    RAY_APP_REPLICAS=4 RAY_APP_GPUS=1 python examples/ray_app.py      # 4 replicas, one GPU each
    RAY_ADDRESS=auto carpool run examples/ray_app.py # join the Ray cluster this machine belongs to

Open a few tabs (or run many clients) and submit at once: concurrent requests are batched by the queue
and each batch runs on whichever replica is free; the second output tells which process ran it and
with how many other requests. See docs/scaling.md.
"""

from __future__ import annotations

import os
import zlib

import numpy as np

import carpool as cp
from carpool.scale import RayPool

_LEXICON = {
    "good": 1.0, "great": 1.5, "lovely": 1.5, "love": 1.5, "happy": 1.0, "fast": 0.5, "thanks": 0.8,
    "bad": -1.0, "awful": -1.5, "hate": -1.5, "sad": -1.0, "slow": -0.5, "broken": -1.2, "never": -0.3,
}  # fmt: skip


class SentimentModel:
    """A hashed bag-of-words scorer: small, but shaped like a real model (load once, score a batch).

    ``__init__`` runs once per replica, in the actor: this is where real weights would be loaded (and
    moved to the replica's GPU, which Ray assigns through CUDA_VISIBLE_DEVICES).
    """

    def __init__(self, dim: int = 4096) -> None:
        self.dim = dim
        self.weights = np.zeros(dim, dtype=np.float32)
        for word, weight in _LEXICON.items():
            self.weights[self._bucket(word)] += weight

    def _bucket(self, word: str) -> int:
        return zlib.crc32(word.encode()) % self.dim  # stable across processes, unlike hash()

    def __call__(self, texts: list[str]) -> list[list[object]]:
        counts = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.lower().split():
                counts[row, self._bucket(word.strip(".,!?"))] += 1.0
        positive = 1.0 / (1.0 + np.exp(-(counts @ self.weights)))  # one matrix product per batch
        labels = [{"positive": float(p), "negative": float(1.0 - p)} for p in positive]
        served = [f"replica pid {os.getpid()}, batch of {len(texts)}"] * len(texts)
        return [labels, served]


def build_demo(pool: RayPool) -> cp.Interface:
    return cp.Interface(
        pool,
        cp.Textbox(label="text"),
        [cp.Label(label="sentiment"), cp.Textbox(label="served by")],
        examples=[["What a lovely, fast service!"], ["The app is broken and slow."]],
        batch=True,
        max_batch_size=32,
        concurrency_limit=pool.recommended_concurrency,  # one batch in flight per replica
        title="Sentiment on Ray replicas",
    )


_gpus = float(os.environ.get("RAY_APP_GPUS", "0"))
pool = RayPool(
    SentimentModel,
    num_replicas=int(os.environ.get("RAY_APP_REPLICAS", "2")),
    actor_options={"num_gpus": _gpus} if _gpus else None,
)
demo = build_demo(pool)  # `carpool run` serves this; the pool then starts on the first request

if __name__ == "__main__":
    pool.start()  # load every replica's model before serving: errors show here, not on a request
    demo.queue(max_size=1000).launch()
