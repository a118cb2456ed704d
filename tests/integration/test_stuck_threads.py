"""Threads held by sync calls given up at their ``time_limit`` show in ``/metrics`` (issue 12, item 9)."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable

import httpx

import carpool as cp
from carpool.server import RunningServer


def stuck_gauge(metrics: str, endpoint: str) -> float:
    found = re.search(rf'^carpool_stuck_threads\{{endpoint="{endpoint}"\}} (\S+)$', metrics, re.M)
    assert found is not None, metrics
    return float(found.group(1))


def test_a_call_past_its_time_limit_is_reported_as_a_stuck_thread_until_it_returns(
    serve: Callable[..., RunningServer], http: httpx.Client
) -> None:
    release = threading.Event()

    def hangs(text: str) -> str:
        release.wait(20)
        return text

    with cp.Blocks() as demo:
        box, out = cp.Textbox(), cp.Textbox()
        cp.Button("Hang").click(hangs, box, out, api_name="hang", time_limit=0.2)
        cp.Button("Echo").click(lambda s: s, box, out, api_name="echo")
    url = serve(demo.queue()).local_url
    try:
        assert http.post(url + "api/hang", json={"data": ["x"]}).status_code == 504
        metrics = http.get(url + "metrics").text
        assert stuck_gauge(metrics, "hang") == 1.0 and stuck_gauge(metrics, "echo") == 0.0
        assert http.post(url + "api/echo", json={"data": ["y"]}).json() == {"data": ["y"]}
    finally:
        release.set()
    deadline = time.monotonic() + 10
    while stuck_gauge(http.get(url + "metrics").text, "hang") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert stuck_gauge(http.get(url + "metrics").text, "hang") == 0.0
