"""Messages per event: order, fan-out to subscribers, estimations and their ETA."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from carpool.core import (
    Cancelled,
    Completed,
    Engine,
    Estimation,
    Failed,
    Generating,
    Job,
    ListenerConfig,
    Message,
    ProcessStarts,
)

from .helpers import FakeClock, Gate, batched, outcome, results


async def test_an_event_emits_estimation_starts_then_one_final_message(engine: Engine) -> None:
    received: list[Message] = []
    engine.add_listener(batched("f", lambda xs: [xs]))
    job = engine.submit("f", [1], on_message=received.append)
    assert await results([job]) == [1]
    kinds = [type(m) for m in received]
    assert kinds == [Estimation, ProcessStarts, Completed]
    assert received[0] == Estimation(job.id, 0, 1, None)
    assert [m async for m in job.messages()] == received
    assert job.done() and repr(job).endswith("completed>")


async def test_messages_iterator_waits_for_new_messages(engine: Engine) -> None:
    gate = Gate()
    engine.add_listener(batched("f", gate))
    job = engine.submit("f", [1])
    reader = asyncio.ensure_future(_collect(job))
    await gate.wait_started()
    gate.open()
    messages = await asyncio.wait_for(reader, 1.0)
    # the reader's first step came after the batch left: it never saw the event wait
    assert [type(m) for m in messages] == [ProcessStarts, Completed]


async def test_an_unwatched_event_owes_its_estimation_until_a_reader_turns_up(engine: Engine) -> None:
    """Nobody can see a plain API call's Estimation, so its ETA is not computed (a real share of a fast
    event's cost); a reader that turns up while it still waits gets a fresh one, and then the rest."""
    gate = Gate()
    engine.add_listener(batched("f", gate, max_batch_size=1))
    first = engine.submit("f", [1])
    await gate.wait_started()
    second = engine.submit("f", [2])
    assert second._record.history == []  # nothing computed yet
    assert second.history() == [Estimation(second.id, 0, 1, second.estimation().eta)]
    third = engine.submit("f", [3])  # a session stream watches this one's session: sent at once
    subscription = engine.subscribe_session("s")
    watched = engine.submit("f", [4], session_id="s")
    assert isinstance(watched._record.history[0], Estimation) and third._record.history == []
    gate.open()
    assert await results([first, second, third, watched]) == ["out-1", "out-2", "out-3", "out-4"]
    assert [type(m) for m in third.history()] == [ProcessStarts, Completed]  # over: no stale ETA
    assert sum(isinstance(m, Estimation) for m in second.history()) == 1
    subscription.close()


async def _collect(job: Job) -> list[Message]:
    return [message async for message in job.messages()]


async def test_a_reader_that_stops_waiting_does_not_disturb_the_event(engine: Engine) -> None:
    gate = Gate()
    engine.add_listener(batched("f", gate))
    job = engine.submit("f", [1])
    await gate.wait_started()
    reader = asyncio.ensure_future(_collect(job))
    waiter = asyncio.ensure_future(job.result())
    await asyncio.sleep(0)
    reader.cancel()
    waiter.cancel()
    await asyncio.gather(reader, waiter, return_exceptions=True)
    gate.open()
    assert await results([job]) == ["out-1"]
    assert job._record.waiters == [] and job._record.msg_waiters == []


async def test_a_reader_cancelled_in_the_same_tick_as_the_result_is_skipped(engine: Engine) -> None:
    gate = Gate()
    engine.add_listener(batched("f", gate))
    job = engine.submit("f", [1])
    await gate.wait_started()
    reader = asyncio.ensure_future(_collect(job))
    waiter = asyncio.ensure_future(job.result())
    await asyncio.sleep(0)
    reader.cancel()
    waiter.cancel()
    job._record.complete("early")  # the futures are cancelled but their tasks have not resumed yet
    await asyncio.gather(reader, waiter, return_exceptions=True)
    gate.open()
    assert await results([job]) == ["early"]


async def test_session_subscription_receives_every_message_of_its_events(engine: Engine) -> None:
    engine.add_listener(batched("f", lambda xs: [xs]))
    subscription = engine.subscribe_session("s")
    other = engine.subscribe_session("s")
    other.close()
    other.close()
    mine, theirs = engine.submit("f", [1], session_id="s"), engine.submit("f", [2], session_id="t")
    await results([mine, theirs])
    subscription.close()
    messages = [m async for m in subscription]
    assert {m.event_id for m in messages} == {mine.id}
    assert [type(m) for m in messages] == [Estimation, ProcessStarts, Completed]
    assert [m async for m in other] == []


async def test_subscription_waits_for_messages_and_ends_on_close(engine: Engine) -> None:
    engine.add_listener(batched("f", lambda xs: [xs]))
    subscription = engine.subscribe_session("s")
    first = asyncio.ensure_future(subscription.__anext__())
    await asyncio.sleep(0)
    job = engine.submit("f", [1], session_id="s")
    assert isinstance(await asyncio.wait_for(first, 1.0), Estimation)
    await results([job])
    subscription.close()
    subscription.push(Cancelled("x", "late"))  # ignored after close
    remaining = [m async for m in subscription]
    assert [type(m) for m in remaining] == [ProcessStarts, Completed]


async def test_a_failing_on_message_callback_is_logged_not_fatal(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    def explode(message: Message) -> None:
        raise RuntimeError("consumer bug")

    engine.add_listener(batched("f", lambda xs: [xs]))
    with caplog.at_level(logging.ERROR, "carpool.core"):
        assert await results([engine.submit("f", [1], on_message=explode)]) == [1]
    assert "on_message callback failed" in caplog.text


async def test_a_failing_on_batch_callback_is_logged_not_fatal(caplog: pytest.LogCaptureFixture) -> None:
    def explode(record: Any) -> None:
        raise RuntimeError("metrics bug")

    async with Engine(on_batch=explode) as engine:
        engine.add_listener(batched("f", lambda xs: [xs]))
        with caplog.at_level(logging.ERROR, "carpool.core"):
            assert await results([engine.submit("f", [1])]) == [1]
    assert "on_batch callback failed" in caplog.text


async def test_failed_event_message_carries_the_error(engine: Engine) -> None:
    def broken(x: int) -> int:
        raise ValueError("bad")

    engine.add_listener(ListenerConfig(listener_id="f", fn=broken))
    job = engine.submit("f", [1])
    error = await outcome(job)
    assert job.history()[-1] == Failed(job.id, error)


async def test_eta_knows_batch_size_and_parallel_batches() -> None:
    clock = FakeClock()
    gate_open = asyncio.Event()

    async def model(xs: list[int]) -> list[list[int]]:
        if xs[0] < 0:
            await gate_open.wait()
        else:
            clock.advance(1.0 + 0.1 * len(xs))  # the function's cost is exactly 1 + 0.1 n seconds
        return [xs]

    async with Engine(clock=clock, close_grace=0.5) as engine:
        engine.add_listener(batched("f", model, max_batch_size=4, concurrency_limit=2))
        for size in (1, 4):
            await results([engine.submit("f", [i]) for i in range(size)])
        blockers = [engine.submit("f", [-1])]
        await asyncio.sleep(0.002)
        blockers.append(engine.submit("f", [-2]))
        await asyncio.sleep(0.002)
        assert engine.stats().in_flight == 2
        watch: list[Message] = []  # observed from submit: each event's first ETA is computed then
        waiting = [engine.submit("f", [i], on_message=watch.append) for i in range(10)]
        try:
            # Both slots busy with batches of one, expected to end 1.1 s after they started (the
            # clock has not moved since); 8 events fill the next wave of two batches of 4.
            etas = [job.estimation().eta for job in waiting]
            full, partial = 1.0 + 0.1 * 4, 1.0 + 0.1 * 2
            assert etas == pytest.approx([1.1 + full] * 8 + [1.1 + full + partial] * 2)
            assert [job.estimation().position for job in waiting] == list(range(10))
            assert waiting[0].history()[0].eta == pytest.approx(1.1 + 1.1)  # at submit: a batch of 1
        finally:
            gate_open.set()
        await results(blockers + waiting)
        done = waiting[0].estimation()
        assert (done.position, done.eta) == (-1, None)


async def test_estimations_are_refreshed_when_the_position_changes() -> None:
    gate = Gate()
    async with Engine(estimation_interval=0.005) as engine:
        engine.add_listener(batched("f", gate, max_batch_size=1))
        first = engine.submit("f", [0])
        await gate.wait_started()
        second, third = engine.submit("f", [1]), engine.submit("f", [2], on_message=lambda m: None)
        second.cancel()
        updates: list[Message] = []
        async for message in third.messages():
            updates.append(message)
            if isinstance(message, Estimation) and message.position == 0:
                break
        assert [m.position for m in updates if isinstance(m, Estimation)] == [1, 0]
        gate.open()
        await results([first, third])


async def test_finishing_batches_sends_no_estimation_to_every_waiter() -> None:
    async with Engine(estimation_interval=60.0) as engine:
        engine.add_listener(batched("f", lambda xs: [xs], max_batch_size=1))
        jobs = [engine.submit("f", [i], on_message=lambda m: None) for i in range(20)]
        await results(jobs)  # 20 batches ran one after another while the rest waited
        assert all(sum(isinstance(m, Estimation) for m in job.history()) == 1 for job in jobs)


async def test_a_job_keeps_only_the_latest_of_each_superseded_message(engine: Engine) -> None:
    """A generator yielding cumulative text keeps one copy of it, not one per step (#12 item 19)."""

    def cumulative(n: int) -> Iterator[str]:
        for i in range(n):
            yield "x" * (i + 1)

    engine.add_listener(ListenerConfig(listener_id="g", fn=cumulative))
    job = engine.submit("g", [2000])
    reader = [m async for m in job.messages()]  # a reader from the start sees messages as they come
    assert await job.result() == "x" * 2000
    kept = sum(len(m.output) for m in job.history() if isinstance(m, Generating))
    assert kept == 2000 and len(job.history()) <= 5  # estimation, starts, last generating, completed
    late = [m async for m in job.messages()]  # a late reader gets what is needed: the last output, the end
    assert [type(m) for m in late] == [Estimation, ProcessStarts, Generating, Completed]
    assert late[2].output == "x" * 2000 and reader[-1] == late[-1]
