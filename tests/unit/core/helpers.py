"""Helpers for engine tests: a controllable clock and functions gated by asyncio events."""

from __future__ import annotations

import asyncio
from typing import Any

from carpool.core import Job, ListenerConfig


class FakeClock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class Gate:
    """An async batched function that blocks every call until ``open()``; records each call."""

    def __init__(self) -> None:
        self.calls: list[list[Any]] = []
        self.started = asyncio.Event()
        self._open = asyncio.Event()

    def open(self) -> None:
        self._open.set()

    async def wait_started(self, calls: int = 1) -> None:
        while len(self.calls) < calls:
            self.started.clear()
            await asyncio.wait_for(self.started.wait(), 1.0)

    async def __call__(self, xs: list[Any]) -> list[list[Any]]:
        self.calls.append(list(xs))
        self.started.set()
        await self._open.wait()
        return [[f"out-{x}" for x in xs]]


async def results(jobs: list[Job]) -> list[Any]:
    return await asyncio.wait_for(asyncio.gather(*(job.result() for job in jobs)), 2.0)


async def outcome(job: Job) -> Any:
    """The job's result, or the exception it raised."""
    try:
        return await asyncio.wait_for(job.result(), 2.0)
    except Exception as error:
        return error


def batched(listener_id: str, fn: Any, **options: Any) -> ListenerConfig:
    return ListenerConfig(listener_id=listener_id, fn=fn, batch=True, **options)
