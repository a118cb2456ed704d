"""The Python client guides its caller as Gradio's does (issue 12, item 16).

A call to an endpoint the app lacks (a Blocks app has no ``/predict``) lists the endpoints it has; a
plain path for a file input names ``handle_file()``; inputs with defaults (an Interface's
``additional_inputs``) may be left out; a cancelled job's status keeps no stale queue position or ETA.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from integration_support import Gate

import carpool as cp
from carpool.client import Client, handle_file
from carpool.exceptions import EventCancelledError, InvalidInputError, UnknownEndpointError
from carpool.server import RunningServer


def blocks_app(gate: Gate) -> cp.Blocks:
    def shout(text: str) -> str:
        if text == "hold":
            gate.enter()
        return text.upper()

    with cp.Blocks() as demo:
        text, upload, out = cp.Textbox(), cp.File(), cp.Textbox()
        cp.Button("shout").click(shout, text, out, api_name="shout", concurrency_limit=1)
        cp.Button("size").click(lambda path: str(Path(path).stat().st_size), upload, out, api_name="size")
    return demo.queue()


@pytest.fixture
def gate() -> Iterator[Gate]:
    gate = Gate()
    yield gate
    gate.release.set()


@pytest.fixture
def client(serve: Callable[..., RunningServer], gate: Gate) -> Iterator[Client]:
    server = serve(blocks_app(gate))
    with Client(server.local_url) as client:
        yield client


def test_the_default_predict_on_a_blocks_app_lists_the_real_endpoints(client: Client) -> None:
    for call in (lambda: client.predict("x"), lambda: client.submit("x"), lambda: list(client.stream("x"))):
        with pytest.raises(UnknownEndpointError, match=r"no endpoint '/predict'.*/shout, /size"):
            call()
    assert client.predict("x", api_name="/shout") == "X"


def test_a_plain_path_for_a_file_input_suggests_handle_file(client: Client, tmp_path: Path) -> None:
    path = str(tmp_path / "data.bin")
    Path(path).write_bytes(b"12345")
    with pytest.raises(InvalidInputError, match=r"handle_file\('.*data\.bin'\)"):
        client.predict(path, api_name="/size")
    assert client.predict(handle_file(path), api_name="/size") == "5"


def test_a_cancelled_job_shows_no_stale_position_or_eta(client: Client, gate: Gate) -> None:
    running = client.submit("hold", api_name="/shout")
    assert gate.started.wait(20)
    waiting = client.submit("behind", api_name="/shout")
    deadline = time.monotonic() + 20
    while waiting.status()["position"] is None and time.monotonic() < deadline:
        time.sleep(0.02)  # the estimation message travels on the stream
    assert waiting.status()["position"] == 0
    assert waiting.cancel() is True
    assert waiting.status()["position"] is None and waiting.status()["eta"] is None
    with pytest.raises(EventCancelledError):
        waiting.result(timeout=20)
    assert waiting.status() == {"state": "cancelled", "position": None, "eta": None}
    gate.release.set()
    assert running.result(timeout=20) == "HOLD"


def interface_app() -> cp.Interface:
    def describe(text: str, times: float, loud: bool, suffix: str | None = None) -> str:
        said = (text.upper() if loud else text) * int(times)
        return said + (suffix or "")

    return cp.Interface(
        describe,
        "textbox",
        "textbox",
        additional_inputs=[cp.Slider(1, 5, value=2, step=1), cp.Checkbox(True), cp.Textbox()],
    )


def test_additional_inputs_with_defaults_may_be_left_out(serve: Callable[..., RunningServer]) -> None:
    server = serve(interface_app().queue())
    with Client(server.local_url) as client:
        assert client.predict("ab") == "ABAB"  # times=2, loud=True, suffix=None (the fn's default)
        assert client.predict("ab", 1) == "AB"
        assert client.predict("ab", 3, False, "!") == "ababab!"
        assert client.submit("ab").result(timeout=20) == "ABAB"
        assert client.predict_batch([("a",), ("b", 1)]) == ["AA", "B"]
        with pytest.raises(TypeError, match="missing required input"):
            client.predict()
