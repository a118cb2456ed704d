"""The client's view of an endpoint: State inputs may be left out, as gradio_client allows."""

from __future__ import annotations

from typing import Any

import pytest

from carpool.client._endpoints import EndpointDirectory


def directory(*parameters: dict[str, Any]) -> EndpointDirectory:
    return EndpointDirectory({"endpoints": {"f": {"parameters": list(parameters), "returns": []}}})


WORD = {"parameter_name": "word"}
STATE = {"parameter_name": "seen", "stateful": True}
TIMES = {"parameter_name": "times", "parameter_has_default": True, "parameter_default": 2}


def test_state_slots_are_filled_with_null_when_the_call_leaves_them_out() -> None:
    endpoint = directory(WORD, STATE, TIMES).get("f")
    assert endpoint is not None
    assert endpoint.complete(["a", 5]) == ["a", None, 5]  # gradio_client's call shape
    assert endpoint.complete(["a"]) == ["a", None, 2]  # and a trailing default still fills in
    assert endpoint.complete(["a", "kept", 5]) == ["a", "kept", 5]  # carpool's: every slot sent


def test_a_trailing_state_is_never_required() -> None:
    endpoint = directory(WORD, TIMES, STATE).get("f")
    assert endpoint is not None and endpoint.complete(["a"]) == ["a", 2, None]
    with pytest.raises(TypeError, match="missing required input"):
        endpoint.complete([])
