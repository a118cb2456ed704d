"""Cancelling events (waiting, running in a batch, streaming), disconnects and deadlines."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from carpool.core import (
    FINISHED,
    Cancelled,
    Engine,
    Failed,
    Generating,
    JobState,
    ListenerConfig,
    ProcessStarts,
)
from carpool.exceptions import EventCancelledError, EventExpiredError

from .helpers import Gate, batched, outcome, results


async def test_cancelled_waiting_event_never_runs(engine: Engine) -> None:
    gate = Gate()
    engine.add_listener(batched("f", gate, max_batch_size=4))
    running = engine.submit("f", ["a"])
    await gate.wait_started()
    doomed, kept = engine.submit("f", ["b"]), engine.submit("f", ["c"])
    assert engine.cancel(doomed.id) is True
    assert engine.cancel(doomed.id) is False
    assert engine.cancel("no-such-event") is False
    gate.open()
    assert await results([running, kept]) == ["out-a", "out-c"]
    assert isinstance(await outcome(doomed), EventCancelledError)
    assert doomed.state is JobState.CANCELLED
    assert gate.calls == [["a"], ["c"]]
    assert engine.stats().cancelled == 1


async def test_cancelling_a_running_event_ends_it_at_once_and_the_batch_completes(engine: Engine) -> None:
    gate = Gate()
    engine.add_listener(batched("f", gate, max_batch_size=4))
    jobs = [engine.submit("f", [x]) for x in "abc"]
    await gate.wait_started()
    assert jobs[1].cancel() is True
    with pytest.raises(EventCancelledError):
        await asyncio.wait_for(jobs[1].result(), 1.0)  # before the batch finishes
    assert not jobs[0].done()
    gate.open()
    assert await results([jobs[0], jobs[2]]) == ["out-a", "out-c"]
    assert isinstance(jobs[1].history()[-1], Cancelled)
    assert sum(m.final for m in jobs[1].history()) == 1


async def test_unbatched_async_function_is_really_cancelled(engine: Engine) -> None:
    started, stopped = asyncio.Event(), asyncio.Event()

    async def forever(x: int) -> int:
        started.set()
        try:
            await asyncio.Event().wait()
        finally:
            stopped.set()
        return x

    engine.add_listener(ListenerConfig(listener_id="f", fn=forever))
    job = engine.submit("f", [1])
    await asyncio.wait_for(started.wait(), 1.0)
    job.cancel()
    await asyncio.wait_for(stopped.wait(), 1.0)
    assert engine.stats().in_flight == 0


async def test_batched_async_call_is_cancelled_once_every_event_is(engine: Engine) -> None:
    gate = Gate()
    engine.add_listener(batched("f", gate, max_batch_size=4))
    jobs = [engine.submit("f", [x]) for x in "ab"]
    await gate.wait_started()
    for job in jobs:
        job.cancel()
    follow = engine.submit("f", ["c"])  # the slot frees without opening the gate
    await gate.wait_started(2)
    gate.open()
    assert await results([follow]) == ["out-c"]


async def test_cancelled_event_of_a_batched_generator_stops_receiving_items(engine: Engine) -> None:
    step = asyncio.Event()
    seen_lengths: list[int] = []

    async def stream(xs: list[str]) -> AsyncIterator[list[list[str]]]:
        for i in range(3):
            await step.wait()
            step.clear()
            seen_lengths.append(len(xs))
            yield [[f"{x}{i}" for x in xs]]

    engine.add_listener(batched("f", stream, max_batch_size=2))
    b_seen: list[Any] = []
    a = engine.submit("f", ["a"])
    b = engine.submit("f", ["b"], on_message=b_seen.append)
    step.set()
    await asyncio.wait_for(_output(a, "a0"), 1.0)
    b.cancel()
    step.set()
    await asyncio.wait_for(_output(a, "a1"), 1.0)
    step.set()
    assert await results([a]) == ["a2"]
    b_outputs = [m.output for m in b_seen if hasattr(m, "output")]
    assert b_outputs == ["b0"]


async def _output(job: Any, value: Any) -> None:
    async for message in job.messages():
        if getattr(message, "output", None) == value:
            return


async def _until(job: Any, kind: type) -> None:
    async for message in job.messages():
        if isinstance(message, kind):
            return


async def test_sync_batched_generator_stops_when_all_its_events_are_cancelled(engine: Engine) -> None:
    produced = threading.Event()
    resume = threading.Event()
    steps: list[str] = []

    def stream(xs: list[str]) -> Iterator[list[list[str]]]:
        for i in range(100):
            steps.extend(xs)
            produced.set()
            resume.wait(1.0)
            yield [[f"{x}{i}" for x in xs]]

    engine.add_listener(batched("f", stream, max_batch_size=2))
    job = engine.submit("f", ["a"])
    await asyncio.to_thread(produced.wait, 1.0)
    job.cancel()
    resume.set()
    follow = engine.submit("f", ["b"])
    await asyncio.wait_for(follow.result(), 2.0)
    assert steps.count("a") < 5


async def test_cancel_session_cancels_its_waiting_and_running_events(engine: Engine) -> None:
    gate = Gate()
    engine.add_listener(batched("f", gate, max_batch_size=1))
    running = engine.submit("f", ["a"], session_id="s")
    await gate.wait_started()
    waiting = engine.submit("f", ["b"], session_id="s")
    other = engine.submit("f", ["c"], session_id="t")
    assert engine.cancel_session("s") == 2
    assert engine.cancel_session("s") == 0
    for job in (running, waiting):
        assert isinstance(await outcome(job), EventCancelledError)
        assert job.history()[-1] == Cancelled(job.id, "disconnected")
    gate.open()
    assert await results([other]) == ["out-c"]


async def test_waiting_event_expires_on_time_while_every_worker_is_busy(engine: Engine) -> None:
    gate = Gate()
    engine.add_listener(batched("f", gate, max_batch_size=1, timeout=30.0))
    running = engine.submit("f", ["a"])
    await gate.wait_started()
    expiring = engine.submit("f", ["b"], timeout=0.01)
    patient = engine.submit("f", ["c"])
    assert isinstance(await outcome(expiring), EventExpiredError)
    assert not running.done()
    assert isinstance(expiring.history()[-1], Failed)
    assert engine.stats().expired == 1 and engine.stats().failed == 0
    gate.open()
    assert await results([running, patient]) == ["out-a", "out-c"]
    assert engine._container_sizes()["deadlines"] == 0


async def test_deadline_heap_drops_entries_of_events_that_left_the_queue(engine: Engine) -> None:
    gate = Gate()
    engine.add_listener(batched("f", gate, max_batch_size=64, timeout=60.0))
    first = engine.submit("f", ["first"])
    await gate.wait_started()
    keep = engine.submit("f", ["keep"], timeout=0.005)
    jobs = [engine.submit("f", [i]) for i in range(40)]
    for job in jobs:
        job.cancel()
    assert engine._container_sizes()["deadlines"] < 40  # compacted, not one entry per cancelled event
    assert isinstance(await outcome(keep), EventExpiredError)
    assert engine._container_sizes()["deadlines"] == 0
    gate.open()
    assert await results([first]) == ["out-first"]


async def test_later_deadline_does_not_delay_an_earlier_one(engine: Engine) -> None:
    gate = Gate()
    engine.add_listener(batched("f", gate, max_batch_size=1))
    first = engine.submit("f", ["first"])
    await gate.wait_started()
    late = engine.submit("f", ["late"], timeout=60.0)
    early = engine.submit("f", ["early"], timeout=0.005)
    assert isinstance(await outcome(early), EventExpiredError)
    assert not late.done()
    gate.open()
    assert await results([first, late]) == ["out-first", "out-late"]


async def test_cancel_running_unbatched_sync_generator_stops_stepping_it(engine: Engine) -> None:
    resume = threading.Event()
    steps: list[str] = []

    def stream(x: str) -> Iterator[str]:
        for i in range(100):
            steps.append(x)
            resume.wait(1.0)
            yield f"{x}{i}"

    engine.add_listener(ListenerConfig(listener_id="f", fn=stream))
    job = engine.submit("f", ["a"])
    await asyncio.wait_for(_until(job, ProcessStarts), 1.0)
    job.cancel()
    resume.set()
    assert isinstance(await outcome(job), EventCancelledError)
    follow = engine.submit("f", ["b"])
    await asyncio.wait_for(_until(follow, Generating), 2.0)
    assert steps.count("a") < 5
    follow.cancel()


async def test_batched_generator_finished_event_frees_its_slot_in_later_steps(engine: Engine) -> None:
    def stream(xs: list[str]) -> Iterator[list[list[Any]]]:
        yield [[f"{x}0" for x in xs]]
        yield [[FINISHED, "b1", "c1"]]
        yield [["b2", FINISHED]]  # one item per event not finished by the function
        yield [["b3"]]

    engine.add_listener(batched("f", stream, max_batch_size=3))
    assert await results([engine.submit("f", [x]) for x in "abc"]) == ["a0", "b3", "c1"]


@pytest.mark.parametrize("kind", ["function", "generator"])
async def test_sync_batch_whose_events_were_all_cancelled_before_it_started_does_not_call(
    engine: Engine, kind: str
) -> None:
    calls: list[list[str]] = []

    def function(xs: list[str]) -> list[list[str]]:
        calls.append(xs)
        return [xs]

    def generator(xs: list[str]) -> Iterator[list[list[str]]]:
        calls.append(xs)
        yield [xs]

    engine.add_listener(batched("f", function if kind == "function" else generator))
    job = engine.submit("f", ["a"])
    await asyncio.sleep(0)  # dispatched; its task has not run yet
    assert job.state is JobState.RUNNING
    job.cancel()
    assert job.cancel() is False
    follow = engine.submit("f", ["b"])
    assert await results([follow]) == ["b"]
    assert calls == [["b"]]


async def test_dead_entries_behind_a_taken_group_are_skipped(engine: Engine) -> None:
    gate = Gate()
    engine.add_listener(batched("f", gate, max_batch_size=4))
    first = engine.submit("f", ["x"])
    await gate.wait_started()
    group = engine.submit_batch("f", [["p"], ["q"]])
    tail = engine.submit("f", ["z"])
    gate.open()
    await results([first, *group, tail])
    assert gate.calls == [["x"], ["p", "q", "z"]]
