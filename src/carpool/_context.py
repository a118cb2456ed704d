"""Where a block being created registers itself: the innermost open ``with`` container.

``components`` (layouts and components) and ``app`` (Blocks) sit in different layers; neither may import
the other's internals, so they meet here. A ``Blocks`` or layout pushes itself as the current container
while its ``with`` block runs; a new block adds itself to it. Event listeners (``button.click(...)``) go to
the current ``EventRegistry`` -- the open ``Blocks`` -- which the component reaches only through this
protocol.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Protocol

__all__ = [
    "Container",
    "EventRegistry",
    "current_container",
    "current_registry",
    "next_block_id",
    "open_container",
    "open_registry",
]


class Container(Protocol):
    def add_child(self, block: Any) -> None: ...


class EventRegistry(Protocol):
    def register_event(
        self, triggers: list[tuple[Any, str]], fn: Any, inputs: Any, outputs: Any, **options: Any
    ) -> Any: ...

    def add_block(self, block: Any) -> None: ...

    def attach_value_fn(self, component: Any, fn: Any, *, every: Any, inputs: Any) -> None: ...


_container: ContextVar[Container | None] = ContextVar("carpool_container", default=None)
_registry: ContextVar[EventRegistry | None] = ContextVar("carpool_registry", default=None)
_ids = itertools.count(1)


def next_block_id() -> int:
    """Process-wide unique block id (0 is the root of every app)."""
    return next(_ids)


def current_container() -> Container | None:
    return _container.get()


def current_registry() -> EventRegistry | None:
    return _registry.get()


@contextmanager
def open_container(container: Container) -> Iterator[None]:
    token = _container.set(container)
    try:
        yield
    finally:
        _container.reset(token)


@contextmanager
def open_registry(registry: EventRegistry) -> Iterator[None]:
    token = _registry.set(registry)
    try:
        yield
    finally:
        _registry.reset(token)
