"""Models that run inside Ray actors in these tests, and a gate that lets a test hold a batch.

Ray pickles this module by value: pytest imports it from a directory the actor processes do not have
on their path (RayPool sees that for its models; conftest registers it for the Gate).
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

import ray

from carpool.exceptions import Error


@ray.remote
class Gate:
    """Where a model reports each batch it runs, and where a held batch waits for the test."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []
        self.nodes: list[str] = []  # where each recorded batch ran, when the model says
        self.held = 0
        self.opened = asyncio.Event()
        self.changed = asyncio.Condition()

    async def record(self, words: list[str], node: str = "") -> None:
        async with self.changed:
            self.batches.append(list(words))
            self.nodes.append(node)
            self.changed.notify_all()

    async def hold(self) -> None:
        async with self.changed:
            self.held += 1
            self.changed.notify_all()
        await self.opened.wait()

    async def wait_held(self, count: int) -> None:
        async with self.changed:
            await self.changed.wait_for(lambda: self.held >= count)

    def open(self) -> None:
        self.opened.set()

    def reset(self) -> None:
        """Closed again, nothing recorded: for the next scenario on a long-lived gate."""
        self.batches, self.nodes, self.held = [], [], 0
        self.opened = asyncio.Event()

    def seen(self) -> list[list[str]]:
        return self.batches

    def placed(self) -> list[tuple[list[str], str]]:
        return list(zip(self.batches, self.nodes, strict=True))

    async def wait_recorded(self, count: int) -> None:
        async with self.changed:
            await self.changed.wait_for(lambda: len(self.batches) >= count)


class Tagger:
    """Tags each word with the replica's pid and the batch size; some words misbehave on purpose.

    "hold..." waits at the gate, "crash" kills the replica's process, "boom" fails the whole batch,
    "bad" fails only its own sample (an exception as the item).
    """

    def __init__(self, gate: Any = None, *, suffix: str = "") -> None:
        self.gate = gate
        self.suffix = suffix
        self.pid = os.getpid()

    def __call__(self, words: list[str]) -> list[list[Any]]:
        if self.gate is not None:
            ray.get(self.gate.record.remote(words))
            if any(word.startswith("hold") for word in words):
                ray.get(self.gate.hold.remote())
        if "crash" in words:
            os._exit(1)
        if "boom" in words:
            raise ValueError(f"boom in a batch of {len(words)}")
        return [[self._tag(word, len(words)) for word in words]]

    def _tag(self, word: str, size: int) -> Any:
        if word == "bad":
            return Error(f"bad word: {word}")
        return f"{word}{self.suffix}|{self.pid}|{size}"


class NodeTagger:
    """Tags each word with the Ray node its replica runs on and the batch size; "hold..." waits."""

    def __init__(self, gate: Any) -> None:
        self.gate = gate
        self.node = ray.get_runtime_context().get_node_id()

    def __call__(self, words: list[str]) -> list[list[str]]:
        ray.get(self.gate.record.remote(words, self.node))
        if any(word.startswith("hold") for word in words):
            ray.get(self.gate.hold.remote())
        return [[f"{word}|{self.node}|{len(words)}" for word in words]]


class AsyncTagger:
    async def predict(self, words: list[str]) -> list[list[str]]:
        await asyncio.sleep(0)
        return [[f"{word}|{os.getpid()}|async" for word in words]]


class BrokenModel:
    def __init__(self) -> None:
        raise FileNotFoundError("weights.bin is missing")

    def __call__(self, words: list[str]) -> list[list[str]]:
        return [words]


class Streamer:
    def __call__(self, words: list[str]) -> Any:
        yield [words]


def shout(words: list[str]) -> list[list[str]]:
    return [[word.upper() for word in words]]


def parse(tagged: str) -> tuple[str, int, int]:
    """("word", pid, batch size) from a Tagger output."""
    word, pid, size = tagged.split("|")
    return word, int(pid), int(size)


def parse_node(tagged: str) -> tuple[str, str, int]:
    """("word", node id, batch size) from a NodeTagger output."""
    word, node, size = tagged.split("|")
    return word, node, int(size)
