"""``carpool.on``: one listener for several triggers (``carpool.on([a.submit, btn.click], fn, ...)``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from carpool import _context
from carpool.components import Block
from carpool.components.events import DECORATOR

__all__ = ["on", "trigger_pair"]


def trigger_pair(item: Any) -> tuple[Any, str]:
    """``btn.click`` (a bound event method) or ``(btn, "click")`` -> ``(btn, "click")``."""
    if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], str):
        return item[0], item[1]
    owner = getattr(item, "__self__", None)
    name = getattr(item, "__name__", None)
    if owner is None or not isinstance(name, str):
        raise TypeError(f"a trigger is a bound event method like `button.click` or a pair, got {item!r}")
    return owner, name


def _change_of(inputs: Any) -> list[tuple[Any, str]]:
    blocks = inputs if isinstance(inputs, list | tuple | set | frozenset) else [inputs]
    return [(block, "change") for block in blocks if isinstance(block, Block) and hasattr(block, "change")]


def on(
    triggers: Any = None,
    fn: Any = DECORATOR,
    inputs: Any = None,
    outputs: Any = None,
    **options: Any,
) -> Any:
    """Register ``fn`` for every trigger; ``triggers=None`` means a change of any of the inputs.

    Must run inside ``with carpool.Blocks():``; returns the listener's ``Dependency``. Without ``fn``,
    it is a decorator (``@carpool.on([name.submit, btn.click], inputs=name, outputs=out)``) that
    registers the function and returns it; ``fn=None`` registers a listener with no function.
    """
    if fn is DECORATOR:

        def register(function: Callable[..., Any]) -> Callable[..., Any]:
            on(triggers, function, inputs, outputs, **options)
            return function

        return register
    registry = _context.current_registry()
    if registry is None:
        raise RuntimeError("carpool.on(...) must be called inside a `with carpool.Blocks():` block")
    if triggers is None:
        pairs = _change_of(inputs)
    else:
        single_pair = isinstance(triggers, tuple) and len(triggers) == 2 and isinstance(triggers[1], str)
        items = list(triggers) if isinstance(triggers, list | tuple) and not single_pair else [triggers]
        pairs = [trigger_pair(item) for item in items]
    return registry.register_event(pairs, fn, inputs, outputs, **options)
