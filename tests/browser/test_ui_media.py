"""Media round trips in the browser: a file is uploaded, a batched function transforms it, and the page
shows a result that the server really serves and that holds the transformed data."""

from __future__ import annotations

import io
import wave
from pathlib import Path

import numpy as np
import pytest
from browser_session import Web
from browser_support import BatchRecorder, button, component, status
from PIL import Image as PILImage
from playwright.sync_api import Locator, Page, expect

import carpool as cp

pytestmark = pytest.mark.browser

SEPIA = np.array([[0.393, 0.769, 0.189], [0.349, 0.686, 0.168], [0.272, 0.534, 0.131]], dtype=np.float32)


def tone(image: np.ndarray) -> np.ndarray:
    toned: np.ndarray = np.clip(image[..., :3].astype(np.float32) @ SEPIA.T, 0, 255).astype(np.uint8)
    return toned


def two_colour_png(path: Path) -> np.ndarray:
    """A 40x30 PNG, red on the left and blue on the right; returns its pixels."""
    pixels = np.zeros((30, 40, 3), dtype=np.uint8)
    pixels[:, :20] = (200, 40, 40)
    pixels[:, 20:] = (30, 60, 220)
    PILImage.fromarray(pixels).save(path)
    return pixels


def sine_wav(path: Path, rate: int = 8000, seconds: float = 0.25) -> np.ndarray:
    """A mono 16-bit 440 Hz WAV; returns its samples."""
    t = np.arange(int(rate * seconds)) / rate
    samples: np.ndarray = np.rint(np.sin(2 * np.pi * 440 * t) * 20000).astype(np.int16)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(samples.tobytes())
    return samples


def upload(page: Page, component_id: int, path: Path, shown: str) -> None:
    """Choose a file in a media component and wait until the upload shows up in it."""
    area = component(page, component_id)
    area.locator("input[type=file]").set_input_files(str(path))
    expect(area.locator(shown)).to_be_visible()


def served_bytes(page: Page, media: Locator) -> tuple[bytes, str]:
    """The bytes and content type the server returns for a media element's ``src``."""
    src = media.evaluate("el => el.src")
    response = page.request.get(src)
    assert response.ok, f"GET {src} -> {response.status}"
    return response.body(), response.headers.get("content-type", "")


def test_an_uploaded_png_comes_back_sepia_toned_from_the_batched_function(web: Web, tmp_path: Path) -> None:
    recorder = BatchRecorder()

    def sepia(images: list[np.ndarray]) -> list[list[np.ndarray]]:
        recorder.record([image.shape for image in images])
        return [[tone(image) for image in images]]

    photo = cp.Image(type="numpy", label="Photo")
    toned = cp.Image(type="numpy", label="Sepia", format="png")  # lossless: the pixels compare exactly
    demo = cp.Interface(sepia, photo, toned, batch=True, max_batch_size=16)
    page = web.page(web.launch(demo.queue()))
    original = two_colour_png(tmp_path / "two colours.png")

    upload(page, photo.id, tmp_path / "two colours.png", "img")
    button(page, "Submit").click()
    expect(status(page, demo.submit_dependency.index)).to_have_attribute("data-state", "done")

    shown = component(page, toned.id).locator("img")
    expect(shown).to_be_visible()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=shown.element_handle())
    assert shown.evaluate("img => [img.naturalWidth, img.naturalHeight]") == [40, 30]
    body, content_type = served_bytes(page, shown)
    assert content_type.startswith("image/")
    with PILImage.open(io.BytesIO(body)) as served:
        pixels = np.asarray(served.convert("RGB")).astype(int)
    assert np.abs(pixels - tone(original).astype(int)).max() <= 1
    assert recorder.calls == [[(30, 40, 3)]]


def test_an_uploaded_wav_comes_back_processed_in_an_audio_element_that_plays(
    web: Web, tmp_path: Path
) -> None:
    def halve(clips: list[tuple[int, np.ndarray]]) -> list[list[tuple[int, np.ndarray]]]:
        return [[(rate, (samples // 2).astype(np.int16)) for rate, samples in clips]]

    clip, quieter = cp.Audio(type="numpy", label="Clip"), cp.Audio(type="numpy", label="Quieter")
    demo = cp.Interface(halve, clip, quieter, batch=True, max_batch_size=16)
    page = web.page(web.launch(demo.queue()))
    original = sine_wav(tmp_path / "tone.wav")

    upload(page, clip.id, tmp_path / "tone.wav", "audio")
    button(page, "Submit").click()
    expect(status(page, demo.submit_dependency.index)).to_have_attribute("data-state", "done")

    player = component(page, quieter.id).locator("audio")
    expect(player).to_be_visible()
    page.wait_for_function("audio => audio.readyState >= 1", arg=player.element_handle())  # metadata decoded
    assert player.evaluate("audio => audio.duration") == pytest.approx(0.25, abs=0.01)
    body, content_type = served_bytes(page, player)
    assert content_type.startswith("audio/")
    with wave.open(io.BytesIO(body)) as served:
        assert (served.getframerate(), served.getnchannels()) == (8000, 1)
        samples = np.frombuffer(served.readframes(served.getnframes()), dtype=np.int16)
    assert np.array_equal(samples, original // 2)


def test_a_cached_image_example_shows_its_toned_output_served_by_this_server(web: Web) -> None:
    def sepia(images: list[np.ndarray]) -> list[list[np.ndarray]]:
        return [[tone(image) for image in images]]

    photo = cp.Image(type="numpy", label="Photo")
    toned = cp.Image(type="numpy", label="Sepia", format="png")  # lossless: the pixels compare exactly
    pixels = np.zeros((12, 16, 3), dtype=np.uint8)
    pixels[..., 1] = 180
    demo = cp.Interface(sepia, photo, toned, examples=[[pixels]], cache_examples=True, batch=True)
    page = web.page(web.launch(demo.queue()))

    page.get_by_test_id(f"example-{demo.examples.id}-0").click()
    for image in (component(page, photo.id).locator("img"), component(page, toned.id).locator("img")):
        expect(image).to_be_visible()
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
    body, _ = served_bytes(page, component(page, toned.id).locator("img"))
    with PILImage.open(io.BytesIO(body)) as served:
        assert np.abs(np.asarray(served.convert("RGB")).astype(int) - tone(pixels).astype(int)).max() <= 1
