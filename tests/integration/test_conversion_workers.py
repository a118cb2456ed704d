"""conversion_workers=N over HTTP: an image app converts in worker processes, and survives a dead one."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import PIL.Image
import pytest

import carpool as cp
import carpool.components.image as image_module
from carpool.client import Client, handle_file
from carpool.exceptions import AppError
from carpool.server import RunningServer

TIMEOUT = 120  # seconds: the first conversion waits for the workers to import numpy and Pillow


def _die(*_: Any) -> Any:
    """Stands in for a conversion function inside the worker: the process dies mid-conversion, as it
    would on a decoder crash. (The worker imports this module by name: pytest put it on sys.path.)"""
    os.kill(os.getpid(), signal.SIGKILL)


def _hang(*_: Any) -> Any:
    """Stands in for a conversion function inside the worker: a decoder stuck on a hostile file."""
    time.sleep(600)


def _invert_app() -> cp.Blocks:
    def invert(images: list[np.ndarray]) -> list[list[np.ndarray]]:
        return [[255 - image for image in images]]

    with cp.Blocks() as demo:
        source, result = cp.Image(type="numpy"), cp.Image(type="numpy", format="png")
        cp.Button("Invert").click(invert, source, result, batch=True, max_batch_size=4, api_name="invert")
    return demo


@pytest.fixture
def picture(tmp_path: Path) -> tuple[Path, np.ndarray]:
    pixels = np.random.default_rng(1).integers(0, 255, (12, 9, 3), dtype=np.uint8)
    path = tmp_path / "in.png"
    PIL.Image.fromarray(pixels).save(path)
    return path, pixels


def _pool(server: RunningServer) -> Any:
    return server.app.state.carpool.files.conversions


def _warm(server: RunningServer) -> Any:
    """The server's pool once a worker is ready (until then conversions run in the server process)."""
    pool = _pool(server)
    deadline = time.monotonic() + TIMEOUT
    while not pool.warm():  # bounded: the workers are importing numpy and Pillow
        assert time.monotonic() < deadline, "no conversion worker became ready"
        time.sleep(0.05)
    return pool


def _pixels(path: str) -> list[Any]:
    with PIL.Image.open(path) as image:
        return np.asarray(image.convert("RGB")).tolist()


def test_an_image_app_with_two_conversion_workers_answers_correctly(
    serve: Callable[..., RunningServer], picture: tuple[Path, np.ndarray]
) -> None:
    path, pixels = picture
    server = serve(_invert_app(), conversion_workers=2)
    pool = _warm(server)
    with Client(server.local_url) as client:
        by_api = client.predict(handle_file(path), api_name="/invert")
        by_queue = client.submit(handle_file(path), api_name="/invert").result(timeout=TIMEOUT)
    assert _pixels(by_api) == _pixels(by_queue) == (255 - pixels).tolist()
    assert pool.size == 2
    assert pool.conversions == 4  # each request: one decode and one encode, all in the workers


def test_a_text_app_gets_no_conversion_workers(serve: Callable[..., RunningServer]) -> None:
    with cp.Blocks() as demo:
        box, out = cp.Textbox(), cp.Textbox()
        cp.Button("Go").click(str.upper, box, out, api_name="upper")
    assert _pool(serve(demo)) is None


@pytest.mark.parametrize(("route", "stage"), [("api", "decode_image_input"), ("queue", "encode_image_value")])
def test_a_worker_killed_mid_conversion_fails_that_request_cleanly_and_the_next_one_works(
    serve: Callable[..., RunningServer],
    picture: tuple[Path, np.ndarray],
    monkeypatch: pytest.MonkeyPatch,
    route: str,
    stage: str,
) -> None:
    path, pixels = picture
    server = serve(_invert_app(), conversion_workers=2)
    _warm(server)

    def call(client: Client) -> Any:
        if route == "api":
            return client.predict(handle_file(path), api_name="/invert")
        return client.submit(handle_file(path), api_name="/invert").result(timeout=TIMEOUT)

    with Client(server.local_url) as client:
        with monkeypatch.context() as patched:
            patched.setattr(image_module, stage, _die)  # the input's decode, or the output's encode
            with pytest.raises(
                AppError, match=r"conversion worker process died \(killed by SIGKILL\)"
            ) as error:
                call(client)
        assert error.value.error_type == "conversion_failed"
        assert _pixels(call(client)) == (255 - pixels).tolist()
    assert _pool(server).crashes == 1


def test_a_conversion_past_conversion_timeout_fails_that_request_and_the_next_one_works(
    serve: Callable[..., RunningServer], picture: tuple[Path, np.ndarray], monkeypatch: pytest.MonkeyPatch
) -> None:
    path, pixels = picture
    server = serve(_invert_app(), conversion_workers=2, conversion_timeout=5.0)
    _warm(server)
    with Client(server.local_url) as client:
        with monkeypatch.context() as patched:
            patched.setattr(image_module, "decode_image_input", _hang)
            started = time.monotonic()
            with pytest.raises(AppError, match=r"took longer than 5 s \(conversion_timeout\)") as error:
                client.predict(handle_file(path), api_name="/invert")
            assert time.monotonic() - started < 60
        assert error.value.error_type == "conversion_failed"
        answer = client.predict(handle_file(path), api_name="/invert")
        assert _pixels(answer) == (255 - pixels).tolist()
    assert (_pool(server).timeouts, _pool(server).crashes) == (1, 0)


@pytest.mark.parametrize("workers", [0, 2])
def test_streamed_images_arrive_in_the_order_they_were_yielded(
    serve: Callable[..., RunningServer], workers: int
) -> None:
    # big first: with two workers a later, smaller image encodes sooner, yet it must not overtake
    sides = [320, 240, 160, 80, 40, 8]
    noise = np.random.default_rng(2).integers(0, 255, (max(sides), max(sides), 3), dtype=np.uint8)

    def shrinking(_: str) -> Any:
        for side in sides:
            yield noise[:side, :side]

    with cp.Blocks() as demo:
        start, result = cp.Textbox(), cp.Image(type="numpy", format="png")
        cp.Button("Go").click(shrinking, start, result, api_name="shrinking")
    server = serve(demo, conversion_workers=workers)
    with Client(server.local_url) as client:
        streamed = [PIL.Image.open(path).size[0] for path in client.stream("go", api_name="/shrinking")]
    # A stream may skip outputs superseded before the client read them (as without workers); those
    # that arrive come in the order they were yielded, and the last one is the final output.
    assert streamed == sorted(streamed, reverse=True) and set(streamed) <= set(sides)
    assert streamed[-1] == sides[-1]
