"""The edits server/gradio sends for streamed outputs, applied by gradio_client's own applier."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carpool.server.gradio._diff import diff

apply_diff = pytest.importorskip("gradio_client.utils").apply_diff

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=6),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=3), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(old=JSON_VALUES, new=JSON_VALUES)
def test_the_client_rebuilds_every_new_value_from_the_edits(old: Any, new: Any) -> None:
    assert apply_diff(old, diff(old, new)) == new


def test_a_growing_text_sends_only_what_was_added() -> None:
    assert diff("Hello", "Hello, world") == [["append", [], ", world"]]


def test_a_chat_history_sends_the_new_message_and_the_growing_reply() -> None:
    old = [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "Hel"}]
    new = [*old[:1], {"role": "assistant", "content": "Hello"}, {"role": "user", "content": "and?"}]
    assert diff(old, new) == [
        ["append", [1, "content"], "lo"],
        ["add", [2], {"role": "user", "content": "and?"}],
    ]


def test_an_unchanged_value_sends_nothing_and_a_changed_type_is_replaced() -> None:
    assert diff([1, "a"], [1, "a"]) == []
    assert diff(1, 1.0) == [["replace", [], 1.0]]
    assert diff("abc", "xbc") == [["replace", [], "xbc"]]
