"""Continuous batching that runs out of memory: the running set learns a cap, as batches do (batch_cap).

A step that runs out of memory fails its items (their states may be half-advanced) and later running
sets stay below its size; clean steps at the cap probe it back up. A join that runs out of memory is
split to isolate the newcomer that does not fit, and does not lower the cap: one oversized request must
not shrink everyone's running set.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

import carpool.core.batch_cap as batch_cap
from carpool.core import Done, Engine, ListenerConfig, Stepwise

from .helpers import outcome, results


class Device:
    """A decode loop on a device with room for ``rows`` KV-cache rows (join runs out past it) and for
    activations of ``width`` items (step runs out past it). Both can change during a test."""

    def __init__(self, *, rows: int = 1000, width: int = 1000) -> None:
        self.rows, self.width = rows, width
        self.used = 0
        self.joins: list[list[str]] = []
        self.steps: list[int] = []
        self.stepped = asyncio.Event()

    async def join(self, names: list[str], lengths: list[int]) -> list[Any]:
        self.joins.append(list(names))
        if self.used + len(names) > self.rows:
            raise MemoryError(f"no room for {len(names)} more rows")
        self.used += len(names)
        return [{"name": name, "left": left} for name, left in zip(names, lengths, strict=True)]

    async def step(self, states: list[dict[str, Any]]) -> list[Any]:
        self.steps.append(len(states))
        self.stepped.set()
        if len(states) > self.width:
            raise MemoryError("the activations do not fit")
        await asyncio.sleep(0)
        outputs: list[Any] = []
        for state in states:
            state["left"] -= 1
            outputs.append(Done(state["name"]) if state["left"] <= 0 else state["name"])
        return outputs

    async def leave(self, states: list[dict[str, Any]]) -> None:
        self.used -= len(states)


def listener(device: Device, max_batch_size: int = 8) -> ListenerConfig:
    fn = Stepwise(device.join, device.step, device.leave, name="decode")
    return ListenerConfig(listener_id="d", fn=fn, batch=True, max_batch_size=max_batch_size)


async def test_a_step_out_of_memory_fails_its_items_and_caps_later_running_sets(engine: Engine) -> None:
    device = Device(width=4)
    engine.add_listener(listener(device))
    burst = [engine.submit("d", [f"x{i}", 2]) for i in range(8)]
    assert all(isinstance(error, MemoryError) for error in [await outcome(job) for job in burst])
    assert device.steps == [8]
    stats = engine.stats().listeners["d"]
    assert (stats.batch_cap, stats.out_of_memory) == (4, 1)
    later = [engine.submit("d", [f"y{i}", 2]) for i in range(8)]
    assert await results(later) == [f"y{i}" for i in range(8)]
    assert max(device.steps[1:]) == 4  # the running set stayed under the size that failed
    assert engine.stats().listeners["d"].out_of_memory == 1


async def test_a_join_out_of_memory_isolates_the_newcomer_and_leaves_the_cap_alone(engine: Engine) -> None:
    device = Device(rows=3)
    engine.add_listener(listener(device))
    long = [engine.submit("d", [name, 50]) for name in ("a", "b")]
    await asyncio.wait_for(device.stepped.wait(), 5)  # a and b run, holding 2 of the 3 rows
    short = [engine.submit("d", [name, 1]) for name in ("c", "d")]
    outcomes = [await outcome(job) for job in long + short]
    assert outcomes[:3] == ["a", "b", "c"]  # split: c fits beside a and b
    assert isinstance(outcomes[3], MemoryError)  # d alone does not
    assert device.joins == [["a", "b"], ["c", "d"], ["c"], ["d"]]
    assert engine.stats().listeners["d"].batch_cap == 8  # not shrunk for everyone


async def test_clean_steps_at_the_cap_probe_it_back_up_when_memory_frees(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(batch_cap, "STEP_PROBE_AFTER", 2)  # read when the listener is added
    device = Device(width=4)
    engine.add_listener(listener(device))
    for job in [engine.submit("d", [f"x{i}", 2]) for i in range(8)]:
        await outcome(job)
    assert engine.stats().listeners["d"].batch_cap == 4
    device.width = 8  # memory was freed: the limit moved up
    failed_before = len(device.steps)
    jobs = [engine.submit("d", [f"y{i}", 3]) for i in range(64)]
    assert await results(jobs) == [f"y{i}" for i in range(64)]
    assert max(device.steps[failed_before:]) == 8  # probed back up to the full size
    assert engine.stats().listeners["d"].out_of_memory == 1  # and never failed again
