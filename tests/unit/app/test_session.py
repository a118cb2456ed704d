from __future__ import annotations

import pytest

import carpool.components as cc
from carpool.app import SessionState, SessionStore


def test_session_store_drops_the_least_recently_used_session() -> None:
    store = SessionStore(max_sessions=2)
    a = store.get("a")
    store.get("b")
    assert store.get("a") is a  # touching "a" makes "b" the oldest
    store.get("c")
    assert "a" in store and "c" in store and "b" not in store
    assert len(store) == 2


def test_session_store_rejects_a_size_below_one() -> None:
    with pytest.raises(ValueError):
        SessionStore(max_sessions=0)


def test_session_state_calls_a_callable_default_per_session() -> None:
    state = cc.State(lambda: {"n": 0}, render=False)
    first, second = SessionState(), SessionState()
    first.get(state)["n"] = 5
    assert second.get(state) == {"n": 0}
    assert state in first and len(first) == 1
