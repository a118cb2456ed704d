"""Recording in the page with Chromium's fake microphone and camera: a recording becomes the value.

These tests start their own Chromium with ``--use-fake-device-for-media-stream`` (a beeping microphone,
a test-pattern camera) and ``--use-fake-ui-for-media-stream`` (permission granted without a prompt).
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from browser_session import Web
from browser_support import component, field
from playwright.sync_api import Browser, Playwright, expect

import carpool as cp

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium")
# conftest's flags (not imported: another suite's conftest module may hold that name in one run) and
# the fake devices
MEDIA_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
]


@pytest.fixture(scope="module")
def media_browser(playwright_driver: Playwright) -> Iterator[Browser]:
    assert CHROMIUM is not None
    browser = playwright_driver.chromium.launch(executable_path=CHROMIUM, args=MEDIA_ARGS, headless=True)
    yield browser
    browser.close()


@pytest.fixture
def media_web(media_browser: Browser) -> Iterator[Web]:
    session = Web(media_browser)
    try:
        yield session
    finally:
        session.close()


def test_a_microphone_recording_reaches_a_numpy_audio_function_with_its_events(media_web: Web) -> None:
    events: list[str] = []

    def describe(audio: tuple[int, np.ndarray] | None) -> str:
        assert audio is not None
        rate, samples = audio
        loud = bool(np.abs(samples).max() > 100)  # the fake microphone beeps
        return f"{rate} Hz, {samples.dtype}, {len(samples) / rate:.1f} s, loud={loud}"

    with cp.Blocks() as demo:
        mic = cp.Audio(sources=["microphone"], label="voice")
        out = cp.Textbox(label="heard")
        mic.start_recording(lambda: events.append("start"), None, None)
        mic.pause_recording(lambda: events.append("pause"), None, None)
        mic.stop_recording(describe, mic, out)
    page = media_web.page(media_web.launch(demo))
    box = component(page, mic.id)
    expect(box.locator(".cp-drop")).to_be_hidden()  # sources=["microphone"]: no upload area
    box.get_by_role("button", name="Record").click()
    recorder = box.get_by_test_id("recorder")
    expect(recorder).to_have_attribute("data-state", "recording")
    page.wait_for_timeout(700)
    box.get_by_role("button", name="Pause").click()
    box.get_by_role("button", name="Resume").click()
    page.wait_for_timeout(700)
    box.get_by_role("button", name="Stop recording").click()
    expect(field(page, "heard")).to_have_value(re.compile(r"^\d+ Hz, int16, \d\.\d s, loud=True$"))
    expect(box.locator("audio")).to_have_count(1)
    assert events == ["start", "pause"]


def test_a_webcam_recording_reaches_a_video_function_as_a_webm_path(media_web: Web) -> None:
    def size(path: str) -> str:
        return f"{Path(path).suffix} {Path(path).stat().st_size > 1000}"

    with cp.Blocks() as demo:
        camera = cp.Video(sources=["webcam"], label="camera")
        out = cp.Textbox(label="got")
        camera.stop_recording(size, camera, out)
    page = media_web.page(media_web.launch(demo), viewport={"width": 390, "height": 800})
    box = component(page, camera.id)
    box.get_by_role("button", name="Record video").click()
    preview = box.locator("video.cp-webcam-video")
    expect(preview).to_be_visible()
    page.wait_for_timeout(1000)
    box.get_by_role("button", name="Stop recording").click()
    expect(field(page, "got")).to_have_value(".webm True")
    shown = box.locator(".cp-media-view video")
    expect(shown).to_have_count(1)
    frame = shown.bounding_box()
    assert frame is not None and frame["x"] + frame["width"] <= 390


def test_a_streaming_webcam_image_sends_frames_to_its_stream_listener(media_web: Web) -> None:
    frames: list[tuple[int, ...]] = []

    def flip(image: np.ndarray) -> np.ndarray:
        frames.append(image.shape)
        return np.flipud(image)

    with cp.Blocks() as demo:
        camera = cp.Image(sources="webcam", streaming=True, label="camera")
        out = cp.Image(label="flipped")
        camera.stream(flip, camera, out, stream_every=0.2)
    page = media_web.page(media_web.launch(demo))
    box = component(page, camera.id)
    expect(box.locator(".cp-drop")).to_be_hidden()  # webcam only
    box.get_by_role("button", name="Start streaming").click()
    expect(box.get_by_test_id("webcam-stream")).to_have_attribute("data-state", "streaming")
    expect(component(page, out.id).locator(".cp-media-view img")).to_have_count(1)
    for _ in range(300):  # up to 30 s on a busy machine
        if len(frames) >= 3:
            break
        page.wait_for_timeout(100)
    assert len(frames) >= 3 and all(len(shape) == 3 for shape in frames)  # frames keep coming
    box.get_by_role("button", name="Stop streaming").click()
    expect(box.get_by_test_id("webcam-stream")).to_have_attribute("data-state", "idle")
    page.wait_for_timeout(800)
    settled = len(frames)
    page.wait_for_timeout(800)
    assert len(frames) == settled  # stopped: no more frames


def test_webcam_constraints_size_the_photo_and_alt_text_names_it(media_web: Web) -> None:
    def size(image: np.ndarray) -> str:
        return f"{image.shape[1]}x{image.shape[0]}"

    options = cp.WebcamOptions(mirror=False, constraints={"video": {"width": 320, "height": 240}})
    with cp.Blocks() as demo:
        camera = cp.Image(sources="webcam", webcam_options=options, alt_text="a photo", label="camera")
        out = cp.Textbox(label="size")
        camera.upload(size, camera, out)
    page = media_web.page(media_web.launch(demo))
    box = component(page, camera.id)
    box.get_by_role("button", name="Use webcam").click()
    expect(box.locator("video")).not_to_have_class(re.compile("cp-mirrored"))
    box.get_by_role("button", name="Take photo").click()
    expect(field(page, "size")).to_have_value("320x240")
    expect(box.get_by_role("img", name="a photo")).to_be_visible()


def test_a_streaming_microphone_sends_chunks_while_recording(media_web: Web) -> None:
    chunks: list[tuple[int, int]] = []

    def add_to_stream(audio: tuple[int, np.ndarray] | None, so_far: int | None) -> tuple[str, int]:
        assert audio is not None
        rate, samples = audio
        chunks.append((rate, len(samples)))
        total = (so_far or 0) + len(samples)
        return f"{total / rate:.1f} s heard", total

    with cp.Blocks() as demo:
        mic = cp.Audio(sources=["microphone"], streaming=True, label="live")
        heard = cp.Textbox(label="heard")
        total = cp.State()
        mic.stream(add_to_stream, [mic, total], [heard, total], stream_every=0.3)
    page = media_web.page(media_web.launch(demo))
    box = component(page, mic.id)
    box.get_by_role("button", name="Record").click()
    expect(box.get_by_test_id("recorder")).to_have_attribute("data-state", "recording")
    for _ in range(300):  # chunks arrive while still recording
        if len(chunks) >= 3:
            break
        page.wait_for_timeout(100)
    assert len(chunks) >= 3 and all(rate > 0 and 0 < n < rate * 5 for rate, n in chunks)
    box.get_by_role("button", name="Stop recording").click()
    expect(box.get_by_test_id("recorder")).to_have_attribute("data-state", "idle")
    expect(field(page, "heard")).to_have_value(re.compile(r"^\d+\.\d s heard$"))


def test_recording_true_starts_the_microphone_when_the_page_opens(media_web: Web) -> None:
    with cp.Blocks() as demo:
        mic = cp.Audio(sources=["microphone"], recording=True, label="voice")
        out = cp.Textbox(label="seconds")
        mic.stop_recording(lambda audio: f"{len(audio[1]) / audio[0]:.1f}", mic, out)
    page = media_web.page(media_web.launch(demo))
    box = component(page, mic.id)
    expect(box.get_by_test_id("recorder")).to_have_attribute("data-state", "recording")
    page.wait_for_timeout(600)
    box.get_by_role("button", name="Stop recording").click()
    expect(field(page, "seconds")).to_have_value(re.compile(r"^\d+\.\d$"))
