"""Out-of-memory batch caps end to end: a batched endpoint that runs out of memory shows its lowered cap
in ``/metrics`` and the log, and an author's own out-of-memory type is given on the listener."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest

import carpool as cp
from carpool.server import RunningServer


def gauge(metrics: str, name: str, endpoint: str) -> float:
    found = re.search(rf'^{name}\{{endpoint="{endpoint}"\}} (\S+)$', metrics, re.M)
    assert found is not None, metrics
    return float(found.group(1))


class CacheFull(Exception):
    """An author's own "the batch did not fit" error."""


def test_an_out_of_memory_batch_lowers_the_cap_shown_in_metrics_and_the_log(
    serve: Callable[..., RunningServer], http: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    fits = {"gpu": 4, "cache": 2}
    sizes: list[int] = []

    def gpu(words: list[str]) -> list[list[str]]:
        sizes.append(len(words))
        if len(words) > fits["gpu"]:
            raise MemoryError("the batch did not fit")
        return [[w.upper() for w in words]]

    def cache(words: list[str]) -> list[list[str]]:
        if len(words) > fits["cache"]:
            raise CacheFull(f"{len(words)} rows")
        return [words]

    demo = cp.Interface(gpu, "text", "text", batch=True, max_batch_size=8, api_name="gpu")
    with demo:
        box, out = cp.Textbox(), cp.Textbox()
        cp.Button("Cache").click(
            cache, box, out, batch=True, max_batch_size=8, api_name="cache", oom_errors=CacheFull
        )
    url = serve(demo).local_url
    assert gauge(http.get(url + "metrics").text, "carpool_batch_cap", "gpu") == 8.0
    words = [f"w{i}" for i in range(8)]
    with caplog.at_level(logging.WARNING, logger="carpool.batch"):
        reply = http.post(url + "api/gpu", json={"data": [words], "batched": True})
        assert reply.json() == {"data": [[w.upper() for w in words]]}  # split-retry recovered every sample
        reply = http.post(url + "api/cache", json={"data": [words], "batched": True})
        assert reply.json() == {"data": [words]}
    assert sizes == [8, 4, 4]
    metrics = http.get(url + "metrics").text
    assert gauge(metrics, "carpool_batch_cap", "gpu") == 4.0
    assert gauge(metrics, "carpool_out_of_memory_total", "gpu") == 1.0
    assert gauge(metrics, "carpool_batch_cap", "cache") == 2.0  # 8, then its half 4, did not fit
    assert "out of memory at batch size 8 (MemoryError): batches capped at 4" in caplog.text
    assert "(CacheFull)" in caplog.text


@pytest.mark.parametrize("bad", ["MemoryError", (ValueError, 3)])
def test_oom_errors_that_are_not_exception_classes_fail_at_build_time(bad: Any) -> None:
    with cp.Blocks(), pytest.raises(ValueError, match="oom_errors must be a tuple of exception classes"):
        cp.Button("Go").click(lambda xs: [xs], cp.Textbox(), cp.Textbox(), batch=True, oom_errors=bad)
