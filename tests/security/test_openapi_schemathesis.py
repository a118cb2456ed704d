"""Schemathesis against ``/openapi.json``: generated requests never get a 5xx, and every answer matches
the documented schema (status, content type, body).

The app is served in-process (schemathesis' ASGI transport, with the app's lifespan running) and has
several component types, a file input, a batched endpoint and an unbatched one. Generation is
deterministic and bounded, so the run is repeatable and takes well under a minute.
"""

from __future__ import annotations

import json
from typing import Any

import schemathesis
from schemathesis.config import SchemathesisConfig
from schemathesis.generation.modes import GenerationMode
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

MAX_EXAMPLES = 100
SEED = 20240611
STREAM_TIMEOUT = 0.2  # seconds: an event stream never ends by itself; its first events are checked


def fuzzed_app() -> Blocks:
    """Text, numbers, choices, a file input, JSON and Label outputs; batched and unbatched endpoints."""

    def trim(words: list[str], lengths: list[float]) -> list[list[str]]:
        # a cleared Textbox arrives as None (as in Gradio): the fuzzer sends null where the schema allows it
        return [[(word or "")[: max(0, int(n or 0))] for word, n in zip(words, lengths, strict=True)]]

    def describe(text: str, count: float, level: float, loud: bool, colour: str) -> dict[str, Any]:
        shown = (text or "").upper() if loud else text
        return {"text": shown, "count": count, "level": level, "colour": colour}

    def file_size(path: str | None) -> str:
        return "no file" if path is None else f"{len(open(path, 'rb').read())} bytes"

    def classify(text: str) -> dict[str, float]:
        return {"long": 1.0, "short": 0.0} if len(text or "") > 5 else {"long": 0.0, "short": 1.0}

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


APP = create_app(fuzzed_app(), heartbeat_interval=0.05)  # every stream case sees heartbeats
# A refusal is any documented 4xx; schemathesis' default list leaves out 413, which carpool answers for
# a pre-batched call with more samples than max_batch_size (docs/protocol.md).
REFUSALS = [400, 401, 403, 404, 405, 406, 409, 413, 415, 422, 428, 429]
CONFIG = SchemathesisConfig.from_dict(
    {
        "seed": SEED,
        "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"},
        "checks": {"negative_data_rejection": {"expected-statuses": REFUSALS}},
    }
)
schema = schemathesis.openapi.from_asgi("/openapi.json", APP, config=CONFIG)


def uploaded_file_id() -> str:
    """A file id this run of the app minted (the schemathesis plugin restarts the app per test)."""
    with schemathesis_asgi.get_client(APP) as client:
        reply = client.post("/upload", files={"files": ("note.txt", b"hello", "text/plain")})
    assert reply.status_code == 200, reply.text
    return str(reply.json()["files"][0]["file_id"])


def with_real_files(value: Any, file_id: str) -> Any:
    """Every FileData in ``value`` pointed at a real upload: only server-minted ids resolve, and no
    schema can say which ids exist, so a valid request must name one the server gave out."""
    if isinstance(value, dict) and isinstance(value.get("file_id"), str):
        real = {**value, "file_id": file_id}
        if "url" in value:
            real["url"] = f"/file/{file_id}"
        return real
    if isinstance(value, dict):
        return {key: with_real_files(item, file_id) for key, item in value.items()}
    if isinstance(value, list):
        return [with_real_files(item, file_id) for item in value]
    return value


def names_a_file(value: Any) -> bool:
    return "file_id" in json.dumps(value, default=str)


@schema.parametrize()
def test_generated_requests_get_documented_answers_and_never_a_5xx(case: Any) -> None:
    positive = case.meta is not None and case.meta.generation.mode == GenerationMode.POSITIVE
    if positive and case.path != "/queue/cancel" and names_a_file(case.body):
        case.body = with_real_files(case.body, uploaded_file_id())
    timeout = STREAM_TIMEOUT if case.path == "/queue/data" else 10
    case.call_and_validate(timeout=timeout)
