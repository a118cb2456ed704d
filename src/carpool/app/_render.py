"""``@carpool.render``: a function that builds part of the page again whenever its inputs change.

``@cp.render(inputs=[...], triggers=[...])`` places a :class:`RenderArea` where it is written and
registers one listener (on page load and on each trigger, by default a change of an input) that runs the
function inside a fresh, private app (a :class:`RenderRun`). What the function creates there -- blocks,
layouts, listeners, which may also use the app's own components -- is sent to the page as the area's
value, and the page replaces the area's content with it.

A session keeps its latest run of each area. The listeners of a run are called through the area's
*routers*: hidden listeners (one per kind of function: plain, async, generator, async generator) that
the page joins with ``[{"run": n, "listener": k}, *values]``; the router finds listener ``k`` of the
session's run ``n``, converts the values with that listener's inputs, runs its function, and converts
the result with its outputs. A join for a run the session has replaced is refused (422), so a stale
page never runs another run's function.

Rendered ``batch=True`` listeners (plain functions) go through one more router, itself batched: the
events waiting together -- from any session and any run -- are grouped by function, and each function
gets its group as one batch (at most its listener's ``max_batch_size`` at a time), as it would outside
a render.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from carpool import _context
from carpool.app._blocks import Blocks
from carpool.app._config import layout_tree
from carpool.app._dependency import Dependency
from carpool.app._events import trigger_pair
from carpool.app._session import SessionState
from carpool.app._signature import FnKind, fn_kind
from carpool.components import Block, Row
from carpool.components.render import RenderArea
from carpool.core import ListenerConfig
from carpool.exceptions import InvalidInputError

__all__ = ["RenderRouter", "RenderRun", "render"]

_ROUTER_KINDS = (FnKind.SYNC, FnKind.ASYNC, FnKind.SYNC_GENERATOR, FnKind.ASYNC_GENERATOR)
BATCHED = "batched"  # the routers' key of the batched router
BATCHED_ROUTER_SIZE = 64  # events one call of the batched router takes; each listener's own limit holds
RouterKey = FnKind | str
_runs = itertools.count(1)


@dataclass(frozen=True)
class _Routed:
    """A routed call's result, with the listener whose outputs show it."""

    dependency: Dependency
    value: Any


class RenderRun:
    """The blocks and listeners one run of a render function made (for one session)."""

    def __init__(self, app: Blocks, first_id: int) -> None:
        self.number = next(_runs)
        self.app = app
        self.first_id = first_id  # blocks with ids from here on were made by this run

    @classmethod
    def execute(
        cls, outer: Blocks, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> RenderRun:
        app = Blocks()
        app.outer = outer
        first_id = _context.next_block_id()
        with app:
            fn(*args, **kwargs)
        for dep in app.dependencies:
            if dep.fn is not None and dep.batch and fn_kind(dep.fn) is not FnKind.SYNC:
                raise TypeError(
                    f"{dep.name}: a batched listener made by @carpool.render must be a plain function "
                    "(not async, not a generator)"
                )
        root = outer
        while root.outer is not None:
            root = root.outer
        for block in app.blocks.values():
            if block.id >= first_id and callable(getattr(block, "script_module", None)):
                root.rendered[block.id] = block  # its script is served while this run is alive
        return cls(app, first_id)

    def dependency(self, listener: Any) -> Dependency:
        if isinstance(listener, bool) or not isinstance(listener, int):
            raise InvalidInputError(f"a rendered listener is named by its number, got {listener!r}")
        if not 0 <= listener < len(self.app.dependencies) or self.app.dependencies[listener].fn is None:
            raise InvalidInputError(f"this render run has no listener {listener} with a function")
        return self.app.dependencies[listener]

    def spec(self, routers: dict[RouterKey, int]) -> dict[str, Any]:
        """The area's wire value: the run's blocks, their layout and listeners (ids ``"r<run>:<k>"``)."""
        made = [block for block in self.app.blocks.values() if block.id >= self.first_id]
        return {
            "run": self.number,
            "components": [block.get_config() for block in made],
            "layout": layout_tree(self.app).get("children", []),
            "dependencies": [self._listener_config(dep, routers) for dep in self.app.dependencies],
        }

    def listener_id(self, index: int) -> str:
        return f"r{self.number}:{index}"

    def _listener_config(self, dep: Dependency, routers: dict[RouterKey, int]) -> dict[str, Any]:
        config = dep.config()
        after = dep.options.trigger_after
        config.update(
            id=self.listener_id(dep.index),
            api_name=None,
            show_api=False,
            router=routers[_router_key(dep)] if dep.fn is not None else None,
            render_ref={"run": self.number, "listener": dep.index},
            trigger_after=None if after is None else self.listener_id(after),
            cancels=[self.listener_id(c.index) for c in dep.cancels],
        )
        return config


@dataclass(eq=False, kw_only=True)
class RenderDependency(Dependency):
    """The listener that runs the render function; its output is the run, kept in the session."""

    area: RenderArea
    routers: dict[RouterKey, int] = field(default_factory=dict)

    def postprocess(self, output: Any, session: SessionState) -> list[Any]:
        if not isinstance(output, RenderRun):
            raise TypeError(f"{self.name} did not produce a render run")
        session.renders[self.area.id] = output
        return [output.spec(self.routers)]


@dataclass(eq=False, kw_only=True)
class RenderRouter(Dependency):
    """Runs the session's rendered listeners of one area whose functions are of one kind."""

    area: RenderArea
    kind: FnKind

    def preprocess(self, data: Any, session: SessionState) -> list[Any]:
        if not isinstance(data, list | tuple) or not data or not isinstance(data[0], dict):
            raise InvalidInputError('a rendered listener is called with [{"run", "listener"}, *values]')
        reference, values = data[0], list(data[1:])
        run = session.renders.get(self.area.id)
        if run is None or reference.get("run") != run.number:
            raise InvalidInputError("this part of the page was rendered again; reload the page to use it")
        target = run.dependency(reference.get("listener"))
        if _router_key(target) != self.key:
            raise InvalidInputError(f"listener {reference.get('listener')} is not run by this router")
        return [target, *target.preprocess(values, session)]

    @property
    def key(self) -> RouterKey:
        return self.kind

    def postprocess(self, output: Any, session: SessionState) -> list[Any]:
        if not isinstance(output, _Routed):
            raise TypeError("a render router returned something other than a routed result")
        return output.dependency.postprocess(output.value, session)


@dataclass(eq=False, kw_only=True)
class BatchedRenderRouter(RenderRouter):
    """Runs the rendered ``batch=True`` listeners of one area: a batch of events, grouped by listener."""

    @property
    def key(self) -> RouterKey:
        return BATCHED

    def preprocess(self, data: Any, session: SessionState) -> list[Any]:
        target, *values = super().preprocess(data, session)
        return [(target, values)]  # one input: events of different listeners differ in arity

    def listener_config(self, default_concurrency_limit: int | None) -> ListenerConfig:
        # one output: the routed result of each event (the router shows it with the target's outputs)
        return dataclasses.replace(super().listener_config(default_concurrency_limit), n_outputs=1)


def _router_key(dep: Dependency) -> RouterKey:
    """Which router runs a rendered listener (it has a function)."""
    assert dep.fn is not None
    return BATCHED if dep.batch else fn_kind(dep.fn)


def _route_batched(*columns: list[tuple[Dependency, list[Any]]]) -> list[list[_Routed]]:
    """One batch of routed events -> each listener's function called on its own events, in order.
    Variadic, as the other routers: the router declares no inputs; its one column is the events."""
    (calls,) = columns
    routed: list[_Routed | None] = [None] * len(calls)
    # By function, not by listener: each run (each session) makes its own listeners, but the cards of
    # two sessions calling one model must share its call.
    groups: dict[tuple[int, int, int], list[int]] = {}
    for position, (target, _) in enumerate(calls):
        groups.setdefault((id(target.fn), len(target.inputs), len(target.outputs)), []).append(position)
    for positions in groups.values():
        first = calls[positions[0]][0]
        for start in range(0, len(positions), first.max_batch_size):
            chunk = positions[start : start + first.max_batch_size]
            values = _call_batched(first, [calls[p][1] for p in chunk])
            for position, value in zip(chunk, values, strict=True):
                routed[position] = _Routed(calls[position][0], value)
    return [[item for item in routed if item is not None]]


def _call_batched(target: Dependency, samples: list[list[Any]]) -> list[Any]:
    """A batched function on ``samples`` (one list per input in) -> one value per sample, as unbatched."""
    columns = [list(column) for column in zip(*samples, strict=True)] if samples[0] else []
    outputs = target.engine_fn()(*columns)
    if len(target.outputs) == 1:
        return list(outputs[0])
    return [tuple(values) for values in zip(*outputs, strict=True)]


# A router's call is (target listener, *its values): one variadic parameter, since the router itself
# has no inputs of its own.
def _route_sync(*call: Any) -> _Routed:
    target, *values = call
    return _Routed(target, target.engine_fn()(*values))


async def _route_async(*call: Any) -> _Routed:
    target, *values = call
    return _Routed(target, await target.engine_fn()(*values))


def _route_generator(*call: Any) -> Any:
    target, *values = call
    for item in target.engine_fn()(*values):
        yield _Routed(target, item)


async def _route_async_generator(*call: Any) -> Any:
    target, *values = call
    async for item in target.engine_fn()(*values):
        yield _Routed(target, item)


_ROUTES: dict[FnKind, Callable[..., Any]] = {
    FnKind.SYNC: _route_sync,
    FnKind.ASYNC: _route_async,
    FnKind.SYNC_GENERATOR: _route_generator,
    FnKind.ASYNC_GENERATOR: _route_async_generator,
}


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple | set) else [value]


def _trigger_pairs(app: Blocks, inputs: list[Block], triggers: Any) -> list[tuple[Any, str]]:
    if triggers is None:
        pairs = [(block, "change") for block in inputs if hasattr(block, "change")]
    else:
        pairs = [trigger_pair(item) for item in _as_list(triggers)]
    return [(app, "load"), *pairs]


def render(
    inputs: Sequence[Block] | Block | None = None,
    triggers: Any = None,
    *,
    queue: bool = True,
    trigger_mode: str | None = "always_last",
    concurrency_limit: int | str | None = None,
    concurrency_id: str | None = None,
    show_progress: str = "full",
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorator: run the function on page load and on each trigger; its blocks replace the last run's.

    ``inputs`` are passed to the function; ``triggers`` (``[btn.click, box.submit]``) default to a
    change of any input. Must be used inside ``with carpool.Blocks():``.
    """
    sources = _as_list(inputs)
    options = {
        "queue": queue,
        "trigger_mode": trigger_mode,
        "concurrency_limit": concurrency_limit,
        "concurrency_id": concurrency_id,
        "show_progress": show_progress,
    }

    def decorate(fn: Callable[..., Any]) -> Callable[..., Any]:
        app = _context.current_registry()
        if not isinstance(app, Blocks):
            raise RuntimeError("@carpool.render must decorate a function inside `with carpool.Blocks():`")
        area = RenderArea(row=isinstance(_context.current_container(), Row))

        @functools.wraps(fn)
        def run(*args: Any, **kwargs: Any) -> RenderRun:
            return RenderRun.execute(app, fn, args, kwargs)

        routers: dict[RouterKey, int] = {
            kind: app.register_dependency(
                RenderRouter, [], _ROUTES[kind], None, None, {"area": area, "kind": kind}, api_name=False
            ).index
            for kind in _ROUTER_KINDS
        }
        routers[BATCHED] = app.register_dependency(
            BatchedRenderRouter,
            [],
            _route_batched,
            None,
            None,
            {"area": area, "kind": FnKind.SYNC},
            api_name=False,
            batch=True,
            max_batch_size=BATCHED_ROUTER_SIZE,
        ).index
        triggers_ = _trigger_pairs(app, sources, triggers)
        fields_ = {"area": area, "routers": routers}
        app.register_dependency(
            RenderDependency, triggers_, run, sources, [area], fields_, api_name=False, **options
        )
        return fn

    return decorate
