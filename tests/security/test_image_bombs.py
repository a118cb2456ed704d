"""Image decompression bombs (#12 item 4): pixels per image are capped, and decodes are bounded.

A PNG of a few KB can declare tens of millions of pixels; decoding it costs hundreds of MiB and
seconds, before the queue. The header's pixel count is checked first (default cap 50 Mpx, well under
Pillow's 89.5 Mpx), so such an upload is a 422 naming the limit and is never decoded; and at most
``max_concurrent_decodes`` images decode at once.
"""

from __future__ import annotations

import io
import struct
import threading
import time
import zlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import numpy as np
import PIL.Image
import PIL.PngImagePlugin
import pytest

from carpool.app import Blocks
from carpool.components import Image, Textbox
from carpool.components._decode_limits import DEFAULT_MAX_IMAGE_PIXELS, DecodeLimits
from carpool.protocol import FILE_META
from carpool.server import RunningServer


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def bomb_png(width: int, height: int) -> bytes:
    """A valid 1-bit grayscale PNG of width x height black pixels: a few KB for tens of Mpx."""
    row = b"\x00" + b"\x00" * ((width + 7) // 8)  # filter byte + packed bits
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", data) + _chunk(b"IEND", b"")


def small_png(side: int) -> bytes:
    buffer = io.BytesIO()
    PIL.Image.fromarray(np.zeros((side, side, 3), np.uint8)).save(buffer, format="PNG")
    return buffer.getvalue()


def size_app() -> Blocks:
    def size(image: Any) -> str:
        return f"{image.shape[1]}x{image.shape[0]}"

    with Blocks() as demo:
        picture, out = Image(), Textbox()
        picture.change(size, picture, out, api_name="size")
    return demo


def call_with_image(url: str, data: bytes) -> httpx.Response:
    uploaded = httpx.post(url + "upload", files={"files": ("x.png", data)}, timeout=30)
    assert uploaded.status_code == 200, uploaded.text
    reference = {"file_id": uploaded.json()["files"][0]["file_id"], "meta": dict(FILE_META)}
    return httpx.post(url + "api/size", json={"data": [reference]}, timeout=60)


@pytest.fixture(scope="module")
def server(serve_per_module: Callable[..., RunningServer]) -> RunningServer:
    running = serve_per_module(size_app())
    # the first image starts the app's conversion workers, if it has any (a few seconds on a busy
    # machine): not what the timed refusal below measures
    assert call_with_image(running.local_url, small_png(4)).status_code == 200
    return running


@pytest.mark.parametrize(("width", "height"), [(9_000, 9_000), (20_000, 20_000)])
def test_a_tiny_png_of_huge_dimensions_is_a_422_naming_the_limit(
    width: int, height: int, server: RunningServer
) -> None:
    # 81 Mpx passes Pillow's own check (89.5 Mpx) and would be decoded; 400 Mpx trips Pillow's error
    data = bomb_png(width, height)
    assert len(data) < 64 * 1024
    started = time.perf_counter()
    reply = call_with_image(server.local_url, data)
    assert reply.status_code == 422, reply.text
    error = reply.json()["error"]
    assert error["type"] == "invalid_input" and str(DEFAULT_MAX_IMAGE_PIXELS) in error["message"]
    assert time.perf_counter() - started < 10  # refused from the header: nothing was decoded


def test_an_ordinary_image_still_decodes(server: RunningServer) -> None:
    reply = call_with_image(server.local_url, small_png(40))
    assert reply.status_code == 200 and reply.json() == {"data": ["40x40"]}


def test_max_image_pixels_is_configurable(serve: Callable[..., RunningServer]) -> None:
    url = serve(size_app(), max_image_pixels=1_000).local_url
    assert call_with_image(url, small_png(31)).status_code == 200  # 961 pixels
    refused = call_with_image(url, small_png(32))  # 1,024 pixels
    assert refused.status_code == 422 and "1000" in refused.json()["error"]["message"]


def test_decodes_run_at_most_max_concurrent_decodes_at_once(
    serve: Callable[..., RunningServer], monkeypatch: pytest.MonkeyPatch
) -> None:
    active, most = 0, 0
    lock = threading.Lock()
    original = PIL.PngImagePlugin.PngImageFile.load

    def slow_load(self: PIL.PngImagePlugin.PngImageFile) -> Any:
        nonlocal active, most
        with lock:
            active += 1
            most = max(most, active)
        try:
            time.sleep(0.2)  # stands in for a decode that takes a while
            return original(self)
        finally:
            with lock:
                active -= 1

    monkeypatch.setattr(PIL.PngImagePlugin.PngImageFile, "load", slow_load)
    # decodes in this process, where the patched loader can count them (conversion workers hold the
    # same slots: tests/unit/components/test_conversion_pool.py)
    url = serve(size_app(), max_concurrent_decodes=2, conversion_workers=0).local_url
    with ThreadPoolExecutor(6) as pool:
        replies = list(pool.map(lambda _: call_with_image(url, small_png(8)), range(6)))
    assert [reply.status_code for reply in replies] == [200] * 6
    assert 1 <= most <= 2


def test_decode_limits_refuse_nonsense() -> None:
    with pytest.raises(ValueError, match="max_image_pixels"):
        DecodeLimits(max_pixels=0)
    with pytest.raises(ValueError, match="max_concurrent_decodes"):
        DecodeLimits(max_concurrent=0)
