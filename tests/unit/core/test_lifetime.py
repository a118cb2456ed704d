"""Starting, closing, validation, and that nothing grows without bound."""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import Any

import pytest

import carpool.core
from carpool.core import Engine, EngineStats, JobState, ListenerConfig, Subscription, ThreadExecutor
from carpool.core.runner import Runner
from carpool.exceptions import EngineClosedError, EventCancelledError, UnknownEndpointError

from .helpers import Gate, batched, outcome, results


async def test_close_fails_waiting_events_and_lets_running_batches_finish() -> None:
    gate = Gate()
    engine = Engine()
    await engine.start()
    engine.add_listener(batched("f", gate, max_batch_size=1))
    running = engine.submit("f", ["a"])
    await gate.wait_started()
    waiting = engine.submit("f", ["b"])
    subscription = engine.subscribe_session("s")
    closing = asyncio.ensure_future(engine.close(grace=5.0))
    assert isinstance(await outcome(waiting), EngineClosedError)
    with pytest.raises(EngineClosedError):
        engine.submit("f", ["c"])
    gate.open()
    await asyncio.wait_for(closing, 1.0)
    assert await outcome(running) == "out-a"
    assert subscription.closed and [m async for m in subscription] == []
    await engine.close()  # idempotent


async def test_close_fails_batches_that_outlive_the_grace_period() -> None:
    gate = Gate()
    release = threading.Event()
    async with Engine(close_grace=0.01) as engine:
        engine.add_listener(batched("async", gate, max_batch_size=1))
        engine.add_listener(batched("sync", lambda xs: [xs] if release.wait(1.0) else None))
        stuck = [engine.submit("async", ["a"]), engine.submit("sync", ["b"])]
        await gate.wait_started()
    for job in stuck:
        assert isinstance(await outcome(job), EngineClosedError)
        assert job.state is JobState.FAILED
    release.set()


async def test_a_batch_cancelled_before_it_starts_still_frees_its_slot(engine: Engine) -> None:
    gate = Gate()
    engine.add_listener(batched("f", gate, max_batch_size=2))
    doomed = engine.submit("f", ["a"])
    await asyncio.sleep(0)  # dispatched: its task exists but has not run yet
    assert doomed.state is JobState.RUNNING
    doomed.cancel()
    follow = engine.submit("f", ["b"])
    gate.open()
    assert await results([follow]) == ["out-b"]
    assert isinstance(await outcome(doomed), EventCancelledError)
    assert gate.calls == [["b"]]


async def test_an_internal_error_still_ends_every_event(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken_run(self: Runner, batch: Any) -> None:
        raise RuntimeError("bug")

    monkeypatch.setattr(Runner, "run", broken_run)
    engine.add_listener(batched("f", lambda xs: [xs]))
    with caplog.at_level(logging.ERROR, "carpool.core"):
        assert isinstance(await outcome(engine.submit("f", [1])), EngineClosedError)
    assert "internal error" in caplog.text


@pytest.mark.timeout(600)  # ~40 s alone; under coverage on a busy machine it can pass the default 120 s
async def test_after_100000_events_every_container_is_empty(engine: Engine) -> None:
    async def identity(xs: list[int]) -> list[list[int]]:
        return [xs]

    engine.add_listener(batched("f", identity, max_batch_size=16, timeout=60.0, fairness="session"))
    engine.add_listener(ListenerConfig(listener_id="g", fn=lambda x: x, concurrency_limit=None))
    subscription = engine.subscribe_session("s0")

    async def submitter(index: int) -> None:
        for i in range(100_000 // 50):
            job = engine.submit("f", [i], session_id=f"s{index % 5}")
            if i % 97 == 0:
                job.cancel()
            await outcome(job)

    await asyncio.gather(*(submitter(i) for i in range(50)))
    await results([engine.submit("g", [i]) for i in range(50)])
    subscription.close()
    await asyncio.sleep(0.01)  # let the last batches' done-callbacks run
    assert all(size == 0 for size in engine._container_sizes().values()), engine._container_sizes()
    stats = engine.stats()
    assert stats.completed + stats.cancelled == 100_050 and stats.waiting == stats.in_flight == 0


async def test_submit_needs_a_started_engine_and_a_known_listener() -> None:
    engine = Engine()
    engine.add_listener(batched("f", lambda xs: [xs]))
    with pytest.raises(RuntimeError, match="not started"):
        engine.submit("f", [1])
    async with engine:
        with pytest.raises(UnknownEndpointError):
            engine.submit("nope", [1])
        await engine.start()  # idempotent
        assert engine.get_job("nope") is None
        job = engine.submit("f", [1])
        assert engine.get_job(job.id) == job  # a handle on the same event (handles compare equal)
        await results([job])
        assert engine.get_job(job.id) is None


async def test_an_executor_given_to_the_engine_is_not_shut_down_by_it() -> None:
    executor = ThreadExecutor(2)
    async with Engine(executor=executor) as engine:
        engine.add_listener(batched("f", lambda xs: [xs]))
        assert await results([engine.submit("f", [1])]) == [1]
    assert await executor.run(sum, [1, 2]) == 3
    executor.shutdown()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"n_outputs": -1}, "n_outputs"),
        ({"max_batch_size": 0}, "max_batch_size"),
        ({"batch_timeout": -1.0}, "batch_timeout"),
        ({"batch_timeout": "soon"}, "batch_timeout"),
        ({"concurrency_limit": 0}, "concurrency_limit"),
        ({"fairness": "random"}, "fairness"),
        ({"on_batch_error": "ignore"}, "on_batch_error"),
        ({"pad_to_multiple": 0}, "pad_to_multiple"),
        ({"timeout": 0.0}, "timeout"),
    ],
)
def test_listener_config_rejects_invalid_options(options: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ListenerConfig(listener_id="f", fn=print, **options)


@pytest.mark.parametrize("options", [{"max_size": -1}, {"estimation_interval": 0.0}, {"max_workers": 0}])
def test_engine_rejects_invalid_options(options: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        Engine(**options)


def test_listener_ids_are_unique() -> None:
    engine = Engine()
    engine.add_listener(batched("f", print))
    with pytest.raises(ValueError, match="already exists"):
        engine.add_listener(batched("f", print))


def test_stats_start_at_zero() -> None:
    engine = Engine()
    engine.add_listener(batched("f", print))
    stats = engine.stats()
    assert isinstance(stats, EngineStats)
    assert (stats.waiting, stats.completed, stats.batches) == (0, 0, 0)
    assert stats.listeners["f"].failed == 0


def test_public_names_are_exported_sorted() -> None:
    assert carpool.core.__all__ == sorted(carpool.core.__all__, key=lambda n: (not n.isupper(), n))
    assert set(carpool.core.__all__) == {
        "FINISHED", "BatchRecord", "Cancelled", "Completed", "Done", "Engine", "EngineStats", "Estimation",
        "Executor", "Failed", "Generating", "Job", "JobState", "ListenerConfig", "ListenerStats",
        "Log", "Message", "ProcessStarts", "Progress", "ProgressUnit", "Stepwise", "Subscription",
        "ThreadExecutor", "report_log", "report_progress",
    }  # fmt: skip
    assert Subscription.__aiter__ is not None
