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
    with pytest.raises(ValueError):
        SessionStore(max_per_client=0)


def test_session_state_calls_a_callable_default_per_session() -> None:
    state = cc.State(lambda: {"n": 0}, render=False)
    first, second = SessionState(), SessionState()
    first.get(state)["n"] = 5
    assert second.get(state) == {"n": 0}
    assert state in first and len(first) == 1


def test_a_client_past_its_bound_evicts_its_own_oldest_session_not_another_clients() -> None:
    store = SessionStore(max_sessions=100, max_per_client=3)
    victim = store.get("victim", "addr:10.0.0.1")
    for index in range(50):
        store.get(f"churn-{index}", "addr:10.0.0.2")
    assert store.get("victim", "addr:10.0.0.1") is victim
    churned = [f"churn-{i}" for i in range(50) if f"churn-{i}" in store]
    assert churned == ["churn-47", "churn-48", "churn-49"] and len(store) == 4


def test_the_store_evicts_idle_sessions_before_live_ones() -> None:
    store = SessionStore(max_sessions=3, max_per_client=10)
    live = store.acquire("live", "a")  # held by an open event stream
    store.get("idle-1", "b")
    store.get("idle-2", "c")
    store.get("new", "d")  # over the total: the oldest idle session goes, not the older live one
    assert "live" in store and "idle-1" not in store and "idle-2" in store
    store.release("live")
    assert store.acquire("live", "a") is live


def test_a_client_whose_sessions_are_all_live_evicts_its_own_oldest() -> None:
    store = SessionStore(max_sessions=100, max_per_client=2)
    other = store.get("other", "b")
    for index in range(5):
        store.acquire(f"mine-{index}", "a")
    assert [f"mine-{i}" in store for i in range(5)] == [False, False, False, True, True]
    assert store.get("other", "b") is other
    store.release("mine-0")  # forgotten while live: releasing it later is harmless
    assert "mine-0" not in store


def test_when_every_session_is_live_the_oldest_live_one_goes() -> None:
    store = SessionStore(max_sessions=2, max_per_client=10)
    for name in ("a", "b", "c"):
        store.acquire(name, name)
    assert "a" not in store and "b" in store and "c" in store
    store.discard("b")
    store.discard("missing")
    assert len(store) == 1
