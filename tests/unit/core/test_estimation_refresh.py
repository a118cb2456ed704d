"""When a waiting event leaves its queue, the events behind it hear their new position at once."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from carpool.core import Engine, Estimation, Message

from .helpers import FakeClock, Gate, batched, results


async def test_cancelling_the_event_ahead_updates_the_position_of_those_behind_it_at_once() -> None:
    clock = FakeClock()  # frozen: the periodic refresh (once a second) never comes due
    gate = Gate()
    seen: dict[str, list[int]] = {"behind": [], "last": []}

    def positions_of(name: str) -> Callable[[Message], None]:
        def record(message: Message) -> None:
            if isinstance(message, Estimation):
                seen[name].append(message.position)

        return record

    async with Engine(clock=clock, estimation_interval=1.0) as engine:
        engine.add_listener(batched("f", gate, max_batch_size=1))
        running = engine.submit("f", ["running"])
        await gate.wait_started()
        ahead = engine.submit("f", ["ahead"])
        behind = engine.submit("f", ["behind"], on_message=positions_of("behind"))
        last = engine.submit("f", ["last"], on_message=positions_of("last"))
        assert seen == {"behind": [1], "last": [2]}
        engine.cancel(ahead.id)
        await asyncio.sleep(0)
        assert seen == {"behind": [1, 0], "last": [2, 1]}
        engine.cancel(last.id)
        await asyncio.sleep(0)
        assert seen["behind"] == [1, 0]  # it did not move: no new message
        gate.open()
        assert await results([running, behind]) == ["out-running", "out-behind"]


async def test_a_refresh_pending_at_close_is_dropped() -> None:
    gate = Gate()
    engine = Engine()
    await engine.start()
    engine.add_listener(batched("f", gate, max_batch_size=1))
    engine.submit("f", ["running"])
    await gate.wait_started()
    engine.cancel(engine.submit("f", ["waiting"]).id)
    gate.open()
    await engine.close(grace=5)
    await asyncio.sleep(0)


async def test_events_moved_up_by_a_dispatch_hear_it_from_the_periodic_refresh() -> None:
    releases = {name: asyncio.Event() for name in "abc"}

    async def one_at_a_time(names: list[str]) -> list[list[str]]:
        await releases[names[0]].wait()
        return [names]

    async with Engine(estimation_interval=0.005) as engine:
        engine.add_listener(batched("f", one_at_a_time, max_batch_size=1))
        jobs = [engine.submit("f", [name]) for name in "abc"]
        releases["a"].set()  # a ends, b is taken (not cancelled): c moves up with no event of its own
        async for message in jobs[2].messages():
            if isinstance(message, Estimation) and message.position == 0:
                break
        releases["b"].set()
        releases["c"].set()
        assert await results(jobs) == ["a", "b", "c"]
