"""``time_limit``: a function that runs too long fails its events and frees its slot; the queue goes on."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest

from carpool.core import Engine, ListenerConfig
from carpool.exceptions import EventTimeoutError

from .helpers import Gate, batched, outcome, results

LIMIT = 0.02  # seconds: short, so the tests stay fast


async def test_a_hung_sync_function_fails_at_its_time_limit_and_the_next_event_runs(engine: Engine) -> None:
    release = threading.Event()
    calls: list[list[Any]] = []

    def hangs_on_first_call(xs: list[Any]) -> list[list[Any]]:
        calls.append(list(xs))
        if xs == ["stuck"]:
            release.wait(5)
        return [[f"out-{x}" for x in xs]]

    engine.add_listener(batched("f", hangs_on_first_call, time_limit=LIMIT))
    stuck = engine.submit("f", ["stuck"])
    await asyncio.sleep(0)  # let the first batch leave alone
    after = engine.submit("f", ["after"])
    error = await outcome(stuck)
    assert isinstance(error, EventTimeoutError) and "time_limit" in str(error)
    assert await results([after]) == ["out-after"]  # ran while the first call still hangs in its thread
    assert calls == [["stuck"], ["after"]]
    release.set()


async def test_an_async_function_past_its_time_limit_is_cancelled(engine: Engine) -> None:
    cancelled = asyncio.Event()

    async def sleeps(x: Any) -> Any:
        try:
            await asyncio.sleep(5)
        except asyncio.CancelledError:
            cancelled.set()
            raise
        return x

    engine.add_listener(ListenerConfig(listener_id="f", fn=sleeps, time_limit=LIMIT))
    assert isinstance(await outcome(engine.submit("f", ["x"])), EventTimeoutError)
    await asyncio.wait_for(cancelled.wait(), 1.0)
    assert engine.stats().in_flight == 0


async def test_a_batch_that_ends_in_time_is_not_touched_by_its_time_limit(engine: Engine) -> None:
    gate = Gate()
    engine.add_listener(batched("f", gate, time_limit=5.0))
    jobs = [engine.submit("f", [i]) for i in range(3)]
    await gate.wait_started()
    gate.open()
    assert await results(jobs) == ["out-0", "out-1", "out-2"]


def test_time_limit_must_be_positive() -> None:
    with pytest.raises(ValueError, match="time_limit"):
        ListenerConfig(listener_id="f", fn=print, time_limit=0)
