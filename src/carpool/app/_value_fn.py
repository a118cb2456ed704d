"""Components whose value is a function: Gradio's ``Number(fn, inputs=[a, b], every=2)``.

The component asks its app (:meth:`Blocks.attach_value_fn`) for one listener that computes its value:
``fn(*inputs)`` when a page opens, whenever one of the inputs changes, and on each tick of ``every``
(a :class:`~carpool.Timer`, or a number of seconds, for which a Timer is placed next to the component).
Its progress is hidden, as in Gradio: a value that refreshes itself is not a task the user started.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from carpool.components import Block, Timer

__all__ = ["attach", "value_fn_triggers"]


def _sources(inputs: Any) -> list[Block]:
    if inputs is None:
        return []
    items = list(inputs) if isinstance(inputs, list | tuple | set | frozenset) else [inputs]
    for item in items:
        if not isinstance(item, Block):
            raise TypeError(f"inputs= of a value function must be components, got {item!r}")
    return items


def _timer(every: Any) -> Timer:
    if isinstance(every, Timer):
        return every
    if isinstance(every, bool) or not isinstance(every, int | float):
        raise TypeError(f"every= must be a number of seconds or a carpool.Timer, got {every!r}")
    return Timer(every)  # placed in the open container, as the component was


def value_fn_triggers(app: Any, every: Any, inputs: Any) -> tuple[list[tuple[Any, str]], list[Block]]:
    """The triggers and inputs of the listener that recomputes a component's value."""
    sources = _sources(inputs)
    triggers: list[tuple[Any, str]] = [(app, "load")]
    triggers += [(source, "change") for source in sources if hasattr(source, "change")]
    if every is not None:
        triggers.append((_timer(every), "tick"))
    return triggers, sources


def attach(app: Any, component: Block, fn: Callable[..., Any], every: Any, inputs: Any) -> None:
    triggers, sources = value_fn_triggers(app, every, inputs)
    app.register_event(triggers, fn, sources, [component], api_name=False, show_progress="hidden")
