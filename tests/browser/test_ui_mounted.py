"""The page of an app mounted under ``/demo`` of a FastAPI app: it loads, streams and uploads there."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from browser_session import Web
from browser_support import button, field
from fastapi import FastAPI
from playwright.sync_api import expect

import carpool as cp

pytestmark = pytest.mark.browser


@pytest.fixture
def mounted_url() -> Iterator[str]:
    def spell(word: str) -> Iterator[str]:
        for end in range(1, len(word) + 1):
            yield word[:end]

    def size(path: str | None) -> str:
        return "no file" if path is None else f"{Path(path).stat().st_size} bytes"

    with cp.Blocks() as demo:
        word, spelled = cp.Textbox(label="word"), cp.Textbox(label="spelled")
        upload, sized = cp.File(label="upload"), cp.Textbox(label="size")
        cp.Button("Spell").click(spell, word, spelled)
        cp.Button("Measure").click(size, upload, sized)
    parent = FastAPI()
    cp.mount_app(parent, demo, path="/demo")
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(parent, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}/demo/"
    finally:
        server.should_exit = True
        thread.join(20)
        sock.close()


def test_the_page_under_a_prefix_streams_and_uploads(web: Web, mounted_url: str, tmp_path: Path) -> None:
    page = web.page(mounted_url)
    field(page, "word").fill("abc")
    button(page, "Spell").click()
    expect(field(page, "spelled")).to_have_value("abc")
    upload = tmp_path / "seven.txt"
    upload.write_bytes(b"1234567")
    page.locator("input[type=file]").first.set_input_files(str(upload))
    button(page, "Measure").click()
    expect(field(page, "size")).to_have_value("7 bytes")
