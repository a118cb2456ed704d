"""``carpool.load(url)``: a local app calling a running carpool app, and a real Gradio app."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import numpy as np
import pytest
from integration_support import Gate, assert_partials_of, on_server_loop

import carpool as cp
from carpool.client import Client
from carpool.exceptions import AppError, ProtocolError
from carpool.server import RunningServer

HERE = Path(__file__).parent


# -- a carpool app as the remote -------------------------------------------------------------------


class Remote:
    def __init__(self) -> None:
        self.sizes: list[int] = []
        self.gate = Gate()

    def app(self) -> cp.Blocks:
        def trim(word: str, length: float) -> str:
            return word[: int(length)]

        def shout(words: list[str]) -> list[list[str]]:
            self.sizes.append(len(words))
            if words == ["first"]:
                self.gate.enter()
            return [[cp.Error("no") if w == "bad" else w.upper() for w in words]]

        def spell(word: str) -> Iterator[str]:
            for end in range(1, len(word) + 1):
                yield word[:end]

        def darken(image: np.ndarray) -> np.ndarray:
            return (image // 2).astype(np.uint8)

        with cp.Blocks(title="Remote carpool") as demo:
            word, length, out = cp.Textbox(label="word"), cp.Number(value=2, label="length"), cp.Textbox()
            picture, darker = cp.Image(label="picture"), cp.Image()
            go = cp.Button()
            go.click(trim, [word, length], out, api_name="trim")
            go.click(shout, word, out, api_name="shout", batch=True, max_batch_size=8)
            go.click(spell, word, out, api_name="spell")
            go.click(darken, picture, darker, api_name="darken")
        return demo


@pytest.fixture
def remote() -> Remote:
    return Remote()


@pytest.fixture
def remote_url(serve: Callable[..., RunningServer], remote: Remote) -> str:
    return serve(remote.app()).local_url


def test_loaded_app_copies_the_endpoints_and_components(remote_url: str) -> None:
    demo = cp.load(remote_url)
    try:
        assert demo.title == "Remote carpool"
        endpoints = {dep.api_name: dep for dep in demo.fns.values()}
        assert set(endpoints) == {"trim", "shout", "spell", "darken"}
        word, length = endpoints["trim"].inputs
        assert (word.block_type, word.label) == ("textbox", "word")
        assert (length.block_type, length.label, length.value) == ("number", "length", 2)
        assert endpoints["shout"].batch and endpoints["shout"].max_batch_size == 8
        assert endpoints["spell"].is_generator
    finally:
        demo.disconnect()


def test_loaded_app_is_callable_as_a_function(remote_url: str, tmp_path: Path) -> None:
    demo = cp.load(remote_url)
    try:
        assert demo("abcdef", 3, api_name="/trim") == "abc"
        assert demo("hey", api_name="/shout") == "HEY"
        assert demo("abc", api_name="/spell") == "abc"  # a generator's final output
        with pytest.raises(AppError, match="no"):
            demo("bad", api_name="/shout")
        image = tmp_path / "white.png"
        from PIL import Image as PILImage

        PILImage.new("RGB", (4, 4), (200, 100, 50)).save(image)
        darker = PILImage.open(demo(str(image), api_name="/darken"))
        pixel = darker.convert("RGB").getpixel((0, 0))  # a WebP output (lossy): within a few levels
        assert (
            isinstance(pixel, tuple)
            and max(abs(a - b) for a, b in zip(pixel, (100, 50, 25), strict=True)) <= 3
        )
    finally:
        demo.disconnect()


def test_loaded_app_serves_its_page_and_api_and_streams(
    serve: Callable[..., RunningServer], remote_url: str, http: httpx.Client
) -> None:
    demo = cp.load(remote_url)
    try:
        local = serve(demo).local_url
        assert http.get(local).status_code == 200
        assert {c["type"] for c in http.get(local + "config").json()["components"]} >= {"textbox", "image"}
        with Client(local) as client:
            assert client.predict("abcdef", 4, api_name="/trim") == "abcd"
            assert_partials_of(list(client.stream("abc", api_name="/spell")), ["a", "ab", "abc"])
    finally:
        demo.disconnect()


def wait_for_waiting(server: RunningServer, count: int, timeout: float = 20) -> None:
    async def waiting() -> int:
        return int(server.app.state.carpool.engine.stats().waiting)

    deadline = time.monotonic() + timeout
    while on_server_loop(server, waiting()) < count:
        assert time.monotonic() < deadline, f"fewer than {count} events reached the queue"
        time.sleep(0.02)


def test_a_local_batch_crosses_as_one_pre_batched_call(
    serve: Callable[..., RunningServer], remote: Remote, remote_url: str
) -> None:
    demo = cp.load(remote_url)
    try:
        local = serve(demo)
        with Client(local.local_url) as client, ThreadPoolExecutor(4) as pool:
            first = pool.submit(client.predict, "first", api_name="/shout")
            assert remote.gate.started.wait(20)  # the local batch [first] is at the remote
            rest = [pool.submit(client.predict, word, api_name="/shout") for word in ("a", "b", "c")]
            wait_for_waiting(local, 3)  # they wait locally while the first batch is away
            remote.gate.release.set()
            assert first.result(20) == "FIRST"
            assert [f.result(20) for f in rest] == ["A", "B", "C"]
        assert remote.sizes == [1, 3]  # the local batch of three went over as ONE call
    finally:
        demo.disconnect()


def test_a_loaded_app_is_a_building_block_of_another_app(remote_url: str) -> None:
    trimmer = cp.load(remote_url)
    try:
        with cp.Blocks() as outer:
            text, out = cp.Textbox(), cp.Textbox()
            text.submit(lambda word: trimmer(word, 1, api_name="/trim") + "!", text, out, api_name="first")
        assert outer("xyz") == "x!"
        assert trimmer.fns[0].fn is not None and trimmer.fns[0].fn("hello", 4) == "hell"
    finally:
        trimmer.disconnect()


def test_load_inside_blocks_places_the_remote_ui_and_endpoints_there(remote_url: str) -> None:
    with cp.Blocks() as outer:
        cp.Markdown("before")
        trimmer = cp.load(remote_url)
    try:
        assert {dep.api_name for dep in outer.fns.values()} == {"trim", "shout", "spell", "darken"}
        assert outer("abcd", 2, api_name="/trim") == "ab"
        assert len(outer.config()["layout"]["children"]) == 2  # the Markdown, then the remote's tabs
        assert trimmer("abcd", 3, api_name="/trim") == "abc"  # the returned app works on its own too
    finally:
        trimmer.disconnect()


# -- a real Gradio app as the remote ----------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def gradio_peer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """(url, batch-sizes file) of the Gradio app, started once for this module in its own process."""
    pytest.importorskip("gradio")
    sizes = tmp_path_factory.mktemp("gradio") / "sizes.txt"
    port = _free_port()
    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", "GRADIO_PEER_SIZES": str(sizes)}
    process = subprocess.Popen(
        [sys.executable, str(HERE / "gradio_peer_app.py"), str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    try:
        output = process.stdout
        assert output is not None
        ready = threading.Event()
        threading.Thread(target=lambda: output.readline() and ready.set(), daemon=True).start()
        assert ready.wait(120), "the Gradio app did not start"
        yield f"http://127.0.0.1:{port}/", sizes
    finally:
        process.terminate()
        process.wait(20)


def test_a_gradio_app_loads_with_its_components(gradio_peer: tuple[str, Path]) -> None:
    demo = cp.load(gradio_peer[0])
    try:
        assert demo.title == "Gradio peer"
        endpoints = {dep.api_name: dep for dep in demo.fns.values()}
        assert set(endpoints) == {"greet", "count", "shout", "refuse", "flip"}
        name, times = endpoints["greet"].inputs
        assert (name.label, times.label, times.value) == ("name", "times", 1)
        assert endpoints["count"].is_generator
        assert endpoints["shout"].batch and endpoints["shout"].max_batch_size == 4
        assert endpoints["flip"].inputs[0].block_type == "image"
    finally:
        demo.disconnect()


def test_a_loaded_gradio_app_calls_streams_and_reports_errors(
    gradio_peer: tuple[str, Path], serve: Callable[..., RunningServer], tmp_path: Path
) -> None:
    demo = cp.load(gradio_peer[0])
    try:
        assert demo("ada", 2, api_name="/greet") == "hello ada hello ada"
        with pytest.raises(AppError, match="refused x"):
            demo("x", api_name="/refuse")
        image = tmp_path / "dot.png"
        from PIL import Image as PILImage

        PILImage.new("RGB", (3, 2), (10, 20, 30)).save(image)
        back = PILImage.open(demo(str(image), api_name="/flip"))
        assert back.size == (3, 2) and back.convert("RGB").getpixel((1, 1)) == (10, 20, 30)
        local = serve(demo).local_url
        with Client(local) as client:
            assert_partials_of(list(client.stream("abc", api_name="/count")), ["a", "ab", "abc"])
            assert client.predict("bo", 1, api_name="/greet") == "hello bo"
    finally:
        demo.disconnect()


def test_a_local_batch_reaches_a_batched_gradio_endpoint_as_concurrent_calls(
    gradio_peer: tuple[str, Path], serve: Callable[..., RunningServer]
) -> None:
    url, sizes = gradio_peer
    demo = cp.load(url)
    try:
        answers = demo.fns[2].fn(["a", "b", "c"])  # the local batched function, given one batch
        assert answers == [["A", "B", "C"]]
        calls = [int(line) for line in sizes.read_text().split()]
        assert sum(calls) >= 3 and all(size <= 4 for size in calls)
    finally:
        demo.disconnect()


# -- bad input ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["models/gpt2", "spaces/abidlabs/en2fr", "127.0.0.1:7860"])
def test_load_refuses_names_that_are_not_urls(name: str) -> None:
    with pytest.raises(ValueError, match="URL of a running carpool or Gradio app"):
        cp.load(name)


def test_load_of_an_url_that_serves_no_app_is_a_protocol_error(
    serve: Callable[..., RunningServer],
) -> None:
    url = serve(Remote().app()).local_url
    with pytest.raises(ProtocolError):
        cp.load(url + "static/")  # a server, but no app there


def test_load_of_an_url_nobody_serves_is_a_connection_error() -> None:
    with pytest.raises(ConnectionError, match="cannot reach"):
        cp.load(f"http://127.0.0.1:{_free_port()}/")


def test_blocks_load_with_an_url_is_a_build_time_error() -> None:
    message = r"carpool\.load\('http://127.0.0.1:7860/'\)"
    with pytest.raises(TypeError, match=message), cp.Blocks() as demo:
        demo.load("http://127.0.0.1:7860/")
