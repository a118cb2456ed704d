"""Dropdown.key_up hands the function a KeyUpData (key, input_value)."""

from __future__ import annotations

import carpool as cp
from carpool.app._backend import Binder


def test_key_up_gives_the_key_and_the_text_typed() -> None:
    def seen(value: str, data: cp.KeyUpData) -> str:
        return f"{value}|{data.key}|{data.input_value}"

    with cp.Blocks() as demo:
        box = cp.Dropdown(["abc", "def"], allow_custom_value=True)
        out = cp.Textbox()
        box.key_up(seen, box, out)
    dependency = demo.dependencies[0]
    assert dependency.targets == [(box.id, "key_up")]
    binder: Binder = dependency.binder()
    args, kwargs = binder.arguments(
        ["ab"], [{"trigger_id": box.id, "event_data": {"key": "b", "input_value": "ab"}}]
    )
    assert seen(*args, **kwargs) == "ab|b|ab"
