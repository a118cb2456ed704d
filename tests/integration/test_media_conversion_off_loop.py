"""Media conversion (decoding uploads, encoding images) never runs on the server's event loop."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import carpool as cp
from carpool.client import Client
from carpool.server import RunningServer


class RecordingImage(cp.Image):
    """An Image output that notes which thread converted each value."""

    threads: list[int]

    def postprocess(self, value: Any) -> Any:
        self.threads.append(threading.get_ident())
        return super().postprocess(value)


def _image_app(recorder: RecordingImage) -> cp.Blocks:
    def gradient(sizes: list[float]) -> list[list[np.ndarray]]:
        return [[np.full((int(n), int(n), 3), 128, dtype=np.uint8) for n in sizes]]

    with cp.Blocks() as demo:
        size = cp.Number(8)
        recorder.render()
        cp.Button("Go").click(gradient, size, recorder, batch=True, max_batch_size=4, api_name="gradient")
    return demo


@pytest.mark.parametrize("route", ["api", "queue"])
def test_image_outputs_are_encoded_off_the_event_loop(
    serve: Callable[..., RunningServer], route: str
) -> None:
    recorder = RecordingImage(render=False)
    recorder.threads = []
    server = serve(_image_app(recorder))
    loop_thread = server.app.state.carpool.loop_thread
    with Client(server.local_url) as client:
        if route == "api":
            path = client.predict(16, api_name="/gradient")
        else:
            path = client.submit(16, api_name="/gradient").result(timeout=20)
    assert path and recorder.threads
    assert loop_thread not in recorder.threads


def test_text_outputs_still_convert_inline(serve: Callable[..., RunningServer]) -> None:
    with cp.Blocks() as demo:
        box, out = cp.Textbox(), cp.Textbox()
        cp.Button("Go").click(str.upper, box, out, api_name="upper")
    server = serve(demo)
    with Client(server.local_url) as client:
        assert client.predict("abc", api_name="/upper") == "ABC"
