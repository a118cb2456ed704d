"""A carpool app for the official Gradio clients, and a ``gradio_client.Client`` that talks only to it.

Each endpoint exercises one feature of Gradio's protocol: plain values, a generator, files, State, an
error, a batched function whose received batch sizes the tests read back.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import carpool as cp


class BatchProbe:
    """A batched function that records every batch it gets, and can be held until released."""

    def __init__(self) -> None:
        self.sizes: list[int] = []
        self.hold = threading.Event()
        self.hold.set()
        self.entered = threading.Event()
        self._lock = threading.Lock()

    def __call__(self, words: list[str]) -> list[list[str]]:
        with self._lock:
            self.sizes.append(len(words))
        self.entered.set()
        self.hold.wait(timeout=60)
        return [[word.upper() for word in words]]


def count_up(n: float) -> Iterator[str]:
    text = ""
    for i in range(int(n)):
        text += str(i)
        yield text
        time.sleep(0.05)


def slow_count(n: float) -> Iterator[str]:
    for i in range(int(n)):
        yield str(i)
        time.sleep(0.5)


def steps(n: float, progress: cp.Progress = cp.Progress()) -> str:
    for i in range(int(n)):
        progress((i, int(n)), desc="stepping")
        time.sleep(0.05)
    return "done"


def tally(word: str, seen: int | None) -> tuple[str, int]:
    seen = (seen or 0) + 1
    return f"{word}:{seen}", seen


def refuse(word: str) -> str:
    raise cp.Error(f"no {word} here")


def crash(word: str) -> str:
    raise ValueError(f"internal detail {word}")


def gradio_demo(probe: BatchProbe) -> cp.Blocks:
    with cp.Blocks() as demo:
        name = cp.Textbox(label="name")
        times = cp.Number(value=1, label="times")
        out = cp.Textbox(label="out")
        upload = cp.File(label="upload")
        seen = cp.State()
        go = cp.Button("go")
        go.click(lambda w, n: "hi " + w * int(n), [name, times], out, api_name="greet")
        go.click(count_up, times, out, api_name="count")
        go.click(slow_count, times, out, api_name="slow_count")
        go.click(lambda p: Path(p).read_text().upper(), upload, out, api_name="shout_file")
        go.click(_write_copy, upload, upload, api_name="copy_file")
        go.click(tally, [name, seen], [out, seen], api_name="tally")
        go.click(steps, times, out, api_name="steps")
        picture = cp.Image(type="numpy", label="picture")
        go.click(lambda image: 255 - image, picture, picture, api_name="invert")
        go.click(refuse, name, out, api_name="refuse")
        go.click(crash, name, out, api_name="crash")
        go.click(probe, name, out, api_name="shout", batch=True, max_batch_size=16)
    demo.queue(default_concurrency_limit=1)
    return demo


def _write_copy(path: str) -> str:
    source = Path(path)
    target = source.with_name("copy-" + source.name)
    target.write_bytes(source.read_bytes() + b"!")
    return str(target)


def offline_hub(monkeypatch: Any) -> None:
    """No Hugging Face token, no telemetry: huggingface_hub reads these at import, so set them on it."""
    import huggingface_hub.constants as hub

    monkeypatch.setattr(hub, "HF_HUB_OFFLINE", True)
    monkeypatch.setattr(hub, "HF_HUB_DISABLE_TELEMETRY", True)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.delenv("HF_TOKEN", raising=False)


@contextmanager
def loopback_only(monkeypatch: Any) -> Iterator[list[Any]]:
    """Every outgoing connection (and name lookup) of this process to a non-loopback host fails, recorded.

    The Gradio client swallows errors in its background threads (telemetry), so a raise alone could
    pass unnoticed: the test asserts on the record.
    """
    import socket

    attempts: list[Any] = []
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def is_loopback(address: Any) -> bool:
        host = address[0] if isinstance(address, tuple) else address
        return isinstance(host, str) and (host.startswith("127.") or host in ("::1", "localhost"))

    def connect(self: socket.socket, address: Any) -> Any:
        if self.family in (socket.AF_INET, socket.AF_INET6) and not is_loopback(address):
            attempts.append(address)
            raise OSError(f"test: outgoing connection to {address!r} refused")
        return real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> Any:
        if self.family in (socket.AF_INET, socket.AF_INET6) and not is_loopback(address):
            attempts.append(address)
            raise OSError(f"test: outgoing connection to {address!r} refused")
        return real_connect_ex(self, address)

    real_getaddrinfo = socket.getaddrinfo

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else host
        if name is not None and not is_loopback((name,)):
            attempts.append(name)  # a name lookup comes first: no internet must not hide the attempt
            raise socket.gaierror(f"test: lookup of {name!r} refused")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    yield attempts
