"""Media components against real Gradio 6: the same uploaded file reaches the function as the same
value (array, PIL image, sample rate and samples), and the same returned value goes out as the same
kind of file. Gradio's side reads the file from its path (``FileData(path=...)``, what its server
hands ``preprocess``); carpool's from an upload to its store."""

from __future__ import annotations

import io
import wave
from pathlib import Path
from typing import Any

import numpy as np
import PIL.Image
import pytest
from component_fakes import upload

import carpool as cp
from carpool.components import FileStore

gr = pytest.importorskip("gradio")
FileData = pytest.importorskip("gradio.data_classes").FileData
ImageData = pytest.importorskip("gradio.components.image").ImageData


def png(mode: str = "RGB") -> bytes:
    pixels = np.add.outer(np.arange(6), np.arange(8)).astype(np.uint8) * 20
    image = PIL.Image.fromarray(np.stack([pixels, pixels[::-1], 255 - pixels], axis=-1)).convert(mode)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def wav(channels: int = 1, rate: int = 8000) -> bytes:
    samples = (np.sin(np.arange(400) / 7) * 12000).astype(np.int16)
    frames = np.repeat(samples[:, None], channels, axis=1)
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(frames.tobytes())
    return buffer.getvalue()


def both_inputs(store: FileStore, tmp_path: Path, data: bytes, name: str) -> tuple[Any, Any]:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path), upload(store, data, name)


@pytest.mark.parametrize(
    ("kwargs", "mode"), [({}, "RGB"), ({"image_mode": "L"}, "RGB"), ({"image_mode": None}, "RGBA")]
)
def test_an_uploaded_image_reaches_the_function_as_in_gradio(
    store: FileStore, tmp_path: Path, kwargs: dict[str, Any], mode: str
) -> None:
    path, ours = both_inputs(store, tmp_path, png(mode), "photo.png")
    theirs = gr.Image(**kwargs).preprocess(ImageData(path=path, orig_name="photo.png"))
    got = cp.Image(**kwargs).preprocess(ours)
    assert got.dtype == theirs.dtype and got.shape == theirs.shape
    np.testing.assert_array_equal(got, theirs)


def test_a_pil_image_input_has_gradios_mode_and_size(store: FileStore, tmp_path: Path) -> None:
    path, ours = both_inputs(store, tmp_path, png("RGBA"), "photo.png")
    theirs = gr.Image(type="pil").preprocess(ImageData(path=path, orig_name="photo.png"))
    got = cp.Image(type="pil").preprocess(ours)
    assert (got.mode, got.size) == (theirs.mode, theirs.size)


@pytest.mark.parametrize("channels", [1, 2])
def test_an_uploaded_wav_reaches_the_function_as_in_gradio(
    store: FileStore, tmp_path: Path, channels: int
) -> None:
    path, ours = both_inputs(store, tmp_path, wav(channels), "clip.wav")
    rate, samples = gr.Audio().preprocess(FileData(path=path, orig_name="clip.wav"))
    got_rate, got_samples = cp.Audio().preprocess(ours)
    assert got_rate == rate and got_samples.dtype == samples.dtype
    np.testing.assert_array_equal(got_samples, samples)


def test_returned_media_go_out_as_the_same_kind_of_file(store: FileStore) -> None:
    pixels = np.full((4, 5, 3), 120, np.uint8)
    assert (
        cp.Image().postprocess(pixels)["orig_name"].endswith(Path(gr.Image().postprocess(pixels).path).suffix)
    )
    gallery = gr.Gallery().postprocess([pixels]).model_dump()
    ours = cp.Gallery().postprocess([pixels])
    assert ours is not None and ours[0]["image"]["orig_name"].endswith(
        Path(gallery[0]["image"]["path"]).suffix
    )
    clip = (8000, np.zeros(800, np.int16))
    assert (
        Path(cp.Audio().postprocess(clip)["orig_name"]).suffix
        == Path(gr.Audio().postprocess(clip).path).suffix
    )
