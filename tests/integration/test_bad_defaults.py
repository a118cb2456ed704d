"""A default value that cannot be served (a URL, a missing file, a callable that raises) marks its
component; the rest of the page and its config are served as usual."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

import carpool as cp
from carpool.server import RunningServer


def failing_default() -> str:
    raise RuntimeError("the database is down")


@pytest.mark.parametrize(
    "make",
    [
        lambda: cp.Image("https://example.com/cat.png", label="picture"),
        lambda: cp.Image("/no/such/file.png", label="picture"),
        lambda: cp.File("/no/such/file.txt", label="picture"),
        lambda: cp.Textbox(failing_default, label="picture"),
    ],
    ids=["image URL", "missing image", "missing file", "callable raising"],
)
def test_a_default_that_cannot_be_shown_marks_its_component_and_the_page_still_serves(
    serve: Callable[..., RunningServer], make: Callable[[], Any]
) -> None:
    with cp.Blocks() as demo:
        broken = make()
        cp.Textbox("fine", label="other")
    server = serve(demo)
    page = httpx.get(server.local_url, timeout=30)
    config = httpx.get(f"{server.local_url}config", timeout=30)
    assert page.status_code == 200 and config.status_code == 200, config.text
    props = {c["id"]: c["props"] for c in config.json()["components"]}
    assert props[broken.id]["value"] is None and "could not be loaded" in props[broken.id]["value_error"]
    assert "/no/such" not in config.text  # the reason (a path) stays in the server log
    other = next(p for p in props.values() if p.get("label") == "other")
    assert other["value"] == "fine" and "value_error" not in other
