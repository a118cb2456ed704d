"""A function that hangs past its ``time_limit`` gets a 504 and never stalls the queue behind it."""

from __future__ import annotations

import threading
from collections.abc import Callable

import httpx
import pytest

import carpool as cp
from carpool.client import Client
from carpool.server import RunningServer


def test_a_hung_function_times_out_and_the_next_request_runs(
    serve: Callable[..., RunningServer], http: httpx.Client
) -> None:
    release = threading.Event()

    def echo(words: list[str]) -> list[list[str]]:
        if "hang" in words:
            release.wait(10)
        return [words]

    with cp.Blocks() as demo:
        box, out = cp.Textbox(), cp.Textbox()
        cp.Button("Go").click(echo, box, out, batch=True, api_name="echo", time_limit=0.2)
    url = serve(demo).local_url
    try:
        response = http.post(url + "api/echo", json={"data": ["hang"]})
        assert response.status_code == 504 and response.json()["error"]["type"] == "timeout"
        with Client(url) as client:  # the first call still hangs in its thread; the slot is free
            assert client.predict("next", api_name="/echo") == "next"
            with pytest.raises(cp.EventTimeoutError):
                client.submit("hang", api_name="/echo").result(timeout=10)
    finally:
        release.set()


def test_time_limit_must_be_a_positive_number() -> None:
    with cp.Blocks(), pytest.raises(ValueError, match="time_limit"):
        cp.Button("Go").click(str.upper, cp.Textbox(), cp.Textbox(), time_limit=-1)
