"""A hung sync function holds only its own concurrency group's threads (issue 12, item 9).

Every concurrency group runs its sync calls on a lane of its own, at most ``thread_budget`` threads, so
calls abandoned at their ``time_limit`` (still running in their threads) cannot starve other endpoints.
The threads they hold are counted in the listener's stats (``stuck_threads``, shown in /metrics) and
logged.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from typing import Any, TypeVar

import pytest

from carpool.core import Engine, ListenerConfig
from carpool.core.executor import ThreadExecutor, thread_budget
from carpool.exceptions import EventTimeoutError

from .helpers import outcome

T = TypeVar("T")
LIMIT = 0.02


async def wait_until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    """Worker threads change the count: nothing on the loop to wait on, so look again, bounded."""
    async with asyncio.timeout(timeout):
        while not condition():  # noqa: ASYNC110
            await asyncio.sleep(0.005)


async def test_hung_calls_of_one_endpoint_do_not_starve_another_on_a_small_pool(
    caplog: pytest.LogCaptureFixture,
) -> None:
    release = threading.Event()

    def hangs(x: Any) -> Any:
        release.wait(10)
        return x

    caplog.set_level(logging.INFO, logger="carpool.core")
    async with Engine(max_workers=2) as engine:  # the old shared pool: two hung calls took all of it
        engine.add_listener(ListenerConfig(listener_id="hung", fn=hangs, time_limit=LIMIT))
        engine.add_listener(ListenerConfig(listener_id="fine", fn=lambda x: f"ok-{x}", time_limit=5.0))
        for index in range(3):
            assert isinstance(await outcome(engine.submit("hung", [index])), EventTimeoutError)
        stats = engine.stats().listeners
        assert stats["hung"].stuck_threads == 2 and stats["fine"].stuck_threads == 0  # its budget: 2
        assert await asyncio.wait_for(engine.submit("fine", ["x"]).result(), 2.0) == "ok-x"
        assert "still runs in its thread" in caplog.text
        release.set()
        await wait_until(lambda: engine.stats().listeners["hung"].stuck_threads == 0)
        assert "returned" in caplog.text


def test_the_thread_budget_leaves_room_for_as_many_abandoned_calls_as_may_run() -> None:
    assert [thread_budget(limit, 64) for limit in (1, 4, 40, None)] == [2, 8, 64, 64]
    assert thread_budget(1, 1) == 1


async def test_a_lane_is_made_once_per_group_and_shut_down_with_its_executor() -> None:
    executor = ThreadExecutor(4)
    lane = executor.lane("group", 2)
    assert executor.lane("group", 3) is lane and lane.max_workers == 2
    assert await lane.run(lambda: threading.current_thread().name) == "carpool-group_0"
    executor.shutdown()
    with pytest.raises(RuntimeError):
        await lane.run(lambda: None)


class InlineExecutor:
    """An executor that is no thread pool (a replica pool, say): it bounds itself, and has no lanes."""

    async def run(self, fn: Callable[..., T], /, *args: Any) -> T:
        return fn(*args)

    def shutdown(self) -> None:
        pass


async def test_an_executor_without_lanes_runs_every_call_itself() -> None:
    async with Engine(executor=InlineExecutor()) as engine:
        engine.add_listener(ListenerConfig(listener_id="f", fn=lambda x: x * 2))
        assert await engine.submit("f", [21]).result() == 42
        assert engine.stats().listeners["f"].stuck_threads == 0
