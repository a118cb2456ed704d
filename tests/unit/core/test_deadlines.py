"""The deadline heap on its own, with a fake clock."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from carpool.core.deadlines import Deadlines

from .helpers import FakeClock


@dataclass(eq=False)
class Entry:
    deadline: float
    queued: bool = True


async def test_a_dead_entry_at_the_head_is_skipped_when_rescheduling() -> None:
    clock = FakeClock(0.0)
    expired: list[Any] = []
    fired = asyncio.Event()

    def on_expire(entry: Any) -> None:
        entry.queued = False
        expired.append(entry)
        fired.set()

    deadlines = Deadlines(clock, on_expire)
    first, dispatched, last = Entry(0.001), Entry(0.002), Entry(0.003)
    for entry in (first, dispatched, last):
        deadlines.add(entry)  # type: ignore[arg-type]
    dispatched.queued = False
    deadlines.discard(dispatched)  # type: ignore[arg-type]
    clock.advance(0.001)
    await asyncio.wait_for(fired.wait(), 1.0)
    assert expired == [first] and len(deadlines) == 1  # the dead entry was dropped on the way
    fired.clear()
    clock.advance(0.002)
    await asyncio.wait_for(fired.wait(), 1.0)
    assert expired == [first, last] and len(deadlines) == 0


async def test_a_timer_that_fires_before_the_clock_reached_the_deadline_rearms() -> None:
    clock = FakeClock(0.0)
    expired: list[Any] = []
    deadlines = Deadlines(clock, expired.append)
    entry = Entry(0.001)
    deadlines.add(entry)  # type: ignore[arg-type]
    await asyncio.sleep(0.005)  # real time passed, the injected clock did not
    assert expired == [] and len(deadlines) == 1
    deadlines.clear()
