"""A caller's per-request deadline (``submit(timeout=)``): a waiting event past it fails and never runs."""

from __future__ import annotations

import asyncio
import math
from typing import Any

import pytest

from carpool.core import Done, Engine, Stepwise
from carpool.exceptions import EventExpiredError

from .helpers import FakeClock, Gate, batched, outcome, results


async def test_an_event_past_its_deadline_never_runs_even_when_its_timer_is_late() -> None:
    clock = FakeClock()  # the expiry timer is armed for 10 real seconds; the clock jumps past it now
    async with Engine(clock=clock, close_grace=1.0) as engine:
        gate = Gate()
        engine.add_listener(batched("f", gate, max_batch_size=1))
        first = engine.submit("f", ["first"])
        await gate.wait_started()
        late = engine.submit("f", ["late"], timeout=10.0)
        patient = engine.submit("f", ["patient"])
        clock.advance(10.5)
        gate.open()  # the slot frees: the next batch is formed before the late timer fires
        assert await results([first, patient]) == ["out-first", "out-patient"]
        error = await outcome(late)
        assert isinstance(error, EventExpiredError) and "deadline" in str(error)
        assert gate.calls == [["first"], ["patient"]]
        assert engine.stats().expired == 1
        assert engine._container_sizes()["deadlines"] == 0


async def test_a_zero_timeout_expires_without_running(engine: Engine) -> None:
    gate = Gate()
    engine.add_listener(batched("f", gate, max_batch_size=4))
    job = engine.submit("f", ["x"], timeout=0)
    assert isinstance(await outcome(job), EventExpiredError)
    assert gate.calls == []


async def test_the_callers_timeout_cannot_outlast_the_listeners(engine: Engine) -> None:
    gate = Gate()
    engine.add_listener(batched("f", gate, max_batch_size=1, timeout=0.01))
    running = engine.submit("f", ["a"])
    await gate.wait_started()
    waiting = engine.submit("f", ["b"], timeout=60.0)  # the earlier deadline, the listener's, wins
    assert isinstance(await outcome(waiting), EventExpiredError)
    gate.open()
    assert await results([running]) == ["out-a"]


async def test_a_batch_of_samples_shares_the_callers_deadline(engine: Engine) -> None:
    gate = Gate()
    engine.add_listener(batched("f", gate, max_batch_size=4))
    running = engine.submit("f", ["a"])
    await gate.wait_started()
    jobs = engine.submit_batch("f", [["b"], ["c"]], timeout=0.01)
    for job in jobs:
        assert isinstance(await outcome(job), EventExpiredError)
    gate.open()
    assert await results([running]) == ["out-a"]
    assert gate.calls == [["a"]]


@pytest.mark.parametrize("bad", [-1.0, math.nan, math.inf, "5"])
async def test_a_timeout_that_is_no_finite_non_negative_number_is_refused(engine: Engine, bad: Any) -> None:
    engine.add_listener(batched("f", Gate(), max_batch_size=4))
    with pytest.raises(ValueError, match="timeout must be a finite number"):
        engine.submit("f", ["x"], timeout=bad)
    with pytest.raises(ValueError, match="timeout must be a finite number"):
        engine.submit_batch("f", [["x"]], timeout=bad)
    assert engine._container_sizes()["queue_entries"] == 0


async def test_a_step_loop_boundary_does_not_admit_an_event_past_its_deadline() -> None:
    clock = FakeClock()
    permits: asyncio.Queue[None] = asyncio.Queue()
    joined: list[list[str]] = []
    first_joined = asyncio.Event()

    async def join(names: list[str]) -> list[Any]:
        joined.append(list(names))
        first_joined.set()
        return [[name, 2] for name in names]

    async def step(states: list[list[Any]]) -> list[Any]:
        await permits.get()
        for state in states:
            state[1] -= 1
        return [Done(state[0]) if state[1] <= 0 else state[0] for state in states]

    async with Engine(clock=clock, close_grace=1.0) as engine:
        engine.add_listener(batched("d", Stepwise(join, step), max_batch_size=4))
        first = engine.submit("d", ["first"])
        await asyncio.wait_for(first_joined.wait(), 2.0)
        late = engine.submit("d", ["late"], timeout=5.0)
        clock.advance(6.0)
        permits.put_nowait(None)  # the boundary after this step would admit "late"
        permits.put_nowait(None)
        assert await results([first]) == ["first"]
        assert isinstance(await outcome(late), EventExpiredError)
        assert joined == [["first"]]
