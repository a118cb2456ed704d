"""The app bench_fronts.py serves with ``carpool run --workers N``: a GPU-like model in one shared replica.

The model sleeps 50 ms + 1 ms per item (a kernel that releases the GIL), in a single Ray actor that
every front shares: the fronts are the scaled-out part, the "GPU" is not. ``BENCH_BATCH_TIMEOUT`` ("0"
or "auto"), ``BENCH_MAX_BATCH`` and ``BENCH_MERGE`` (merge_batches: "" for none) come from the
benchmark.
"""

from __future__ import annotations

import os
import time

import carpool as cp
from carpool.scale import RayPool

FIXED, PER_ITEM = 0.050, 0.001


class GpuLike:
    def __call__(self, texts: list[str]) -> list[list[str]]:
        time.sleep(FIXED + PER_ITEM * len(texts))
        return [texts]


merge = os.environ.get("BENCH_MERGE", "")
pool = RayPool(GpuLike, name="gpu-like", merge_batches=int(merge) if merge else None)
timeout_setting = os.environ.get("BENCH_BATCH_TIMEOUT", "0")
batch_timeout: float | str = "auto" if timeout_setting == "auto" else float(timeout_setting)

demo = cp.Interface(
    pool,
    cp.Textbox(),
    cp.Textbox(),
    batch=True,
    max_batch_size=int(os.environ.get("BENCH_MAX_BATCH", "32")),
    batch_timeout=batch_timeout,
    concurrency_limit=pool.recommended_concurrency,
    api_name="predict",
)
