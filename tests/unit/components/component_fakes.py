"""Test doubles shared by the component tests (a fake Blocks) and an upload helper."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from carpool.components import FileStore


@dataclass
class RegisteredEvent:
    triggers: list[tuple[Any, str]]
    fn: Any
    inputs: Any
    outputs: Any
    options: dict[str, Any]


@dataclass
class FakeBlocks:
    """Stands in for carpool.app.Blocks: records children, registered blocks and events."""

    children: list[Any] = field(default_factory=list)
    blocks: dict[int, Any] = field(default_factory=dict)
    events: list[RegisteredEvent] = field(default_factory=list)

    def add_child(self, block: Any) -> None:
        self.children.append(block)

    def add_block(self, block: Any) -> None:
        self.blocks[block.id] = block

    def register_event(
        self, triggers: list[tuple[Any, str]], fn: Any, inputs: Any, outputs: Any, **options: Any
    ) -> RegisteredEvent:
        event = RegisteredEvent(triggers, fn, inputs, outputs, options)
        self.events.append(event)
        return event


def upload(store: FileStore, data: bytes, name: str, session_id: str | None = None) -> dict[str, Any]:
    """What POST /upload would return for ``data``."""
    with store.open_upload(name, session_id) as writer:
        writer.write(data)
        return dict(writer.commit())
