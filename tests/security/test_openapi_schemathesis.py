"""Schemathesis against ``/openapi.json``: generated requests never get a 5xx, and every answer matches
the documented schema (status, content type, body).

The app is served in-process (schemathesis' ASGI transport, with the app's lifespan running) and has
several component types, a file input, a batched endpoint and an unbatched one. Generation is
deterministic and bounded, so the run is repeatable and takes well under a minute.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from schemathesis.config import SchemathesisConfig
from schemathesis.python import asgi as schemathesis_asgi

from carpool.app import Blocks
from carpool.components import (
    JSON,
    Button,
    Checkbox,
    Dropdown,
    File,
    Label,
    Number,
    Slider,
    Textbox,
)
from carpool.server import create_app

MAX_EXAMPLES = 25
SEED = 20240611
STREAM_TIMEOUT = 0.3  # seconds: an event stream never ends by itself; its opening is what is checked


def fuzzed_app() -> Blocks:
    """Text, numbers, choices, a file input, JSON and Label outputs; batched and unbatched endpoints."""

    def trim(words: list[str], lengths: list[float]) -> list[list[str]]:
        return [[word[: max(0, int(n))] for word, n in zip(words, lengths, strict=True)]]

    def describe(text: str, count: float, level: float, loud: bool, colour: str) -> dict[str, Any]:
        shown = text.upper() if loud else text
        return {"text": shown, "count": count, "level": level, "colour": colour}

    def file_size(path: str | None) -> str:
        return "no file" if path is None else f"{len(open(path, 'rb').read())} bytes"

    def classify(text: str) -> dict[str, float]:
        return {"long": 1.0, "short": 0.0} if len(text) > 5 else {"long": 0.0, "short": 1.0}

    with Blocks() as demo:
        word, length, trimmed = Textbox(label="word"), Number(precision=0), Textbox(label="trimmed")
        count, level = Number(minimum=0, maximum=10), Slider(0, 100)
        loud, colour = Checkbox(), Dropdown(["red", "green", "blue"])
        upload, size, scores, summary = File(), Textbox(), Label(), JSON()
        Button("Trim").click(trim, [word, length], trimmed, batch=True, max_batch_size=4, api_name="trim")
        Button("Describe").click(describe, [word, count, level, loud, colour], summary, api_name="describe")
        Button("Size").click(file_size, upload, size, api_name="file_size")
        Button("Classify").click(classify, word, scores, api_name="classify")
    return demo


APP = create_app(fuzzed_app())
CONFIG = SchemathesisConfig.from_dict(
    {"seed": SEED, "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"}}
)
schema = schemathesis.openapi.from_asgi("/openapi.json", APP, config=CONFIG)


@pytest.fixture(scope="module", autouse=True)
def _stop_the_app_at_the_end() -> Iterator[None]:
    """Schemathesis starts the app's lifespan on first use; end it (engine, sessions, files) here."""
    yield
    schemathesis_asgi.shutdown_lifespans()


@schema.parametrize()
def test_generated_requests_get_documented_answers_and_never_a_5xx(case: Any) -> None:
    timeout = STREAM_TIMEOUT if case.path == "/queue/data" else 10
    case.call_and_validate(timeout=timeout)
