"""A pre-batched call that can never fit the queue is a 413 naming the limit, never a 503 to retry."""

from __future__ import annotations

from collections.abc import Callable

import httpx

import carpool as cp
from carpool.server import RunningServer


def small_queue_app() -> cp.Blocks:
    def double(values: list[float]) -> list[list[float]]:
        return [[2 * v for v in values]]

    with cp.Blocks() as demo:
        number, doubled = cp.Number(), cp.Number()
        cp.Button("x2").click(double, number, doubled, batch=True, max_batch_size=16, api_name="double")
    return demo.queue(max_size=3)


def test_a_pre_batched_call_larger_than_max_size_on_an_idle_queue_is_413_with_the_limit(
    serve: Callable[..., RunningServer],
) -> None:
    server = serve(small_queue_app())
    url = f"{server.local_url}api/double"
    too_many = httpx.post(url, json={"data": [[1, 2, 3, 4, 5]], "batched": True}, timeout=30)
    assert too_many.status_code == 413, too_many.text
    assert "retry-after" not in too_many.headers
    error = too_many.json()["error"]
    assert error["type"] == "too_large" and "max_size=3" in error["message"]
    fits = httpx.post(url, json={"data": [[1, 2, 3]], "batched": True}, timeout=30)
    assert fits.status_code == 200 and fits.json()["data"] == [[2, 4, 6]]
