"""report_log: a running function's notes (carpool.Info / Warning) reach each event of its batch."""

from __future__ import annotations

import asyncio
from typing import Any

from carpool.core import Engine, ListenerConfig, Log, report_log

from .helpers import batched, results


def _logs(messages: list[Any]) -> list[tuple[str, str, str, float | None, bool]]:
    return [(m.level, m.message, m.title, m.duration, m.visible) for m in messages if isinstance(m, Log)]


async def test_a_log_from_a_batched_function_reaches_every_event_of_the_batch(engine: Engine) -> None:
    def model(xs: list[str]) -> list[list[str]]:
        report_log("loaded", title="Note", duration=None)
        return [xs]

    engine.add_listener(batched("f", model, max_batch_size=4, pad_to_multiple=4))
    seen: dict[str, list[Any]] = {"a": [], "b": []}
    jobs = [engine.submit("f", [name], on_message=seen[name].append) for name in seen]
    assert await results(jobs) == ["a", "b"]
    assert _logs(seen["a"]) == _logs(seen["b"]) == [("info", "loaded", "Note", None, True)]


async def test_a_log_from_a_worker_thread_keeps_its_level_and_order(engine: Engine) -> None:
    def slow(x: str) -> str:  # sync: runs in a worker thread, the log hops to the loop
        report_log("first", level="warning", title="Warning", visible=False)
        report_log("second")
        return x

    engine.add_listener(ListenerConfig(listener_id="g", fn=slow))
    seen: list[Any] = []
    job = engine.submit("g", ["x"], on_message=seen.append)
    assert await results([job]) == ["x"]
    await asyncio.sleep(0)
    assert _logs(seen) == [("warning", "first", "Warning", 10, False), ("info", "second", "Info", 10, True)]


def test_report_log_outside_an_event_says_nobody_heard() -> None:
    assert report_log("nobody") is False
