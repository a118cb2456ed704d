"""Rendered batch=True listeners: one batched router groups the waiting events by function."""

from __future__ import annotations

from typing import Any

import pytest

import carpool as cp
from carpool.app._render import BatchedRenderRouter, RenderDependency
from carpool.app._session import SessionState

CALLS: list[list[str]] = []


def shout(words: list[str]) -> list[list[str]]:
    CALLS.append(list(words))
    return [[w.upper() for w in words]]


def build(fn: Any = shout) -> cp.Blocks:
    with cp.Blocks() as demo:
        names = cp.State(["a", "b"])

        @cp.render(inputs=names)
        def cards(chosen: list[str]) -> None:
            for name in chosen:
                word, out = cp.State(name), cp.Textbox()
                cp.Button(name).click(fn, word, out, batch=True, max_batch_size=8)

    return demo


def render_spec(demo: cp.Blocks, session: SessionState) -> dict[str, Any]:
    (dependency,) = [d for d in demo.dependencies if isinstance(d, RenderDependency)]
    run = dependency.engine_fn()(*dependency.preprocess([None], session))
    (spec,) = dependency.postprocess(run, session)
    return spec


def test_two_sessions_cards_share_one_call_of_their_function() -> None:
    demo = build()
    sessions = [SessionState(), SessionState()]
    specs = [render_spec(demo, session) for session in sessions]
    listeners = [spec["dependencies"] for spec in specs]
    router = demo.dependencies[listeners[0][0]["router"]]
    assert isinstance(router, BatchedRenderRouter) and router.batch
    assert all(listener["router"] == router.index for group in listeners for listener in group)
    events = [
        router.preprocess([listener["render_ref"], None], session)[0]
        for session, group in zip(sessions, listeners, strict=True)
        for listener in group
    ]
    CALLS.clear()
    (routed,) = router.engine_fn()(events)
    assert CALLS == [["a", "b", "a", "b"]]  # four cards of two runs, one call
    session = sessions[0]
    assert [router.postprocess(item, session) for item in routed] == [["A"], ["B"], ["A"], ["B"]]


def test_a_batched_rendered_listener_must_be_a_plain_function() -> None:
    async def shout_later(words: list[str]) -> list[list[str]]:
        return [words]

    demo = build(shout_later)
    with pytest.raises(TypeError, match="must be a plain function"):
        render_spec(demo, SessionState())
