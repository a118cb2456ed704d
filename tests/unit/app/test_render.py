"""@carpool.render: the render listener, its runs per session, routed listeners and bad calls."""

from __future__ import annotations

from typing import Any

import pytest

import carpool as cp
from carpool.app._render import RenderDependency, RenderRouter
from carpool.app._session import SessionState
from carpool.app._signature import FnKind
from carpool.exceptions import InvalidInputError


def build() -> tuple[cp.Blocks, Any, Any]:
    with cp.Blocks() as demo:
        count = cp.State(2)
        cp.Button("Add").click(lambda n: n + 1, count, count)

        @cp.render(inputs=count)
        def boxes(n: int) -> None:
            made = [cp.Textbox(f"box {i}", key=i) for i in range(n)]
            merge.click(lambda *texts: " + ".join(texts), made, out)

        merge = cp.Button("Merge")
        out = cp.Textbox()
    return demo, count, out


def run_render(demo: cp.Blocks, session: SessionState) -> dict[str, Any]:
    (dependency,) = [d for d in demo.dependencies if isinstance(d, RenderDependency)]
    result = dependency.engine_fn()(*dependency.preprocess([None], session))
    (spec,) = dependency.postprocess(result, session)
    return spec


def routed_call(demo: cp.Blocks, spec: dict[str, Any], data: list[Any], session: SessionState) -> list[Any]:
    (listener,) = spec["dependencies"]
    router = demo.dependencies[listener["router"]]
    target, *values = router.preprocess([listener["render_ref"], *data], session)
    return router.postprocess(router.engine_fn()(target, *values), session)


def test_render_places_an_area_and_listens_to_load_and_its_inputs() -> None:
    demo, count, _ = build()
    (dependency,) = [d for d in demo.dependencies if isinstance(d, RenderDependency)]
    assert dependency.targets == [(0, "load"), (count.id, "change")]
    assert dependency.outputs == [dependency.area] and dependency.api_name is None
    assert count.id in demo.watched_states()  # the State's change reaches the page
    routers = [d for d in demo.dependencies if isinstance(d, RenderRouter)]
    kinds = {FnKind.SYNC, FnKind.ASYNC, FnKind.SYNC_GENERATOR, FnKind.ASYNC_GENERATOR}
    assert {router.kind for router in routers} == kinds
    assert all(router.api_name is None and router.targets == [] for router in routers)


def test_a_run_sends_its_blocks_layout_and_listeners_and_they_run_through_the_router() -> None:
    demo, _, out = build()
    session = SessionState()
    spec = run_render(demo, session)
    assert [c["props"]["key"] for c in spec["components"]] == [0, 1]
    assert [node["id"] for node in spec["layout"]] == [c["id"] for c in spec["components"]]
    (listener,) = spec["dependencies"]
    assert listener["id"] == f"r{spec['run']}:0" and listener["outputs"] == [out.id]
    assert listener["render_ref"] == {"run": spec["run"], "listener": 0}
    assert routed_call(demo, spec, ["a", "b"], session) == ["a + b"]


def test_a_call_for_a_replaced_run_or_a_bad_reference_is_refused() -> None:
    demo, _, _ = build()
    session = SessionState()
    old = run_render(demo, session)
    new = run_render(demo, session)
    with pytest.raises(InvalidInputError, match="rendered again"):
        routed_call(demo, old, ["a", "b"], session)
    router = demo.dependencies[new["dependencies"][0]["router"]]
    with pytest.raises(InvalidInputError, match="no listener 7"):
        router.preprocess([{"run": new["run"], "listener": 7}], session)
    with pytest.raises(InvalidInputError, match=r"\[\{\"run\", \"listener\"\}, \*values\]"):
        router.preprocess(["not a reference"], session)
    with pytest.raises(InvalidInputError, match="rendered again"):
        router.preprocess([{"run": new["run"], "listener": 0}], SessionState())  # another session's run


def test_a_listener_of_another_kind_is_not_run_by_this_router() -> None:
    demo, _, _ = build()
    session = SessionState()
    spec = run_render(demo, session)
    other = next(d for d in demo.dependencies if isinstance(d, RenderRouter) and d.kind is FnKind.ASYNC)
    with pytest.raises(InvalidInputError, match="not run by this router"):
        other.preprocess([spec["dependencies"][0]["render_ref"], "a", "b"], session)


def test_a_state_output_tells_the_page_only_when_its_value_changed() -> None:
    demo, _, _ = build()
    session = SessionState()
    add = demo.dependencies[0]
    assert add.postprocess(3, session) == [{"__type__": "update", "changed": True}]
    assert add.postprocess(3, session) == [None]  # the same value: no change to announce
    with cp.Blocks() as quiet:
        state = cp.State(0)
        cp.Button().click(lambda n: n + 1, state, state)
    assert quiet.dependencies[0].postprocess(1, SessionState()) == [None]  # nobody listens: as before


def test_render_outside_a_blocks_is_an_error() -> None:
    with pytest.raises(RuntimeError, match=r"inside `with carpool\.Blocks"):

        @cp.render()
        def nothing() -> None:
            pass
