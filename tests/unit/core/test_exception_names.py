"""Exception names follow the parameters that cause them: ``time_limit=`` -> ``EventTimeLimitError``,
``timeout=`` -> ``EventExpiredError``; the former name ``EventTimeoutError`` is an alias."""

from __future__ import annotations

import asyncio

import carpool
from carpool.core import Engine, ListenerConfig
from carpool.exceptions import EventExpiredError, EventTimeLimitError, EventTimeoutError

from .helpers import outcome


def test_the_former_name_is_the_same_class_and_both_are_exported() -> None:
    assert EventTimeoutError is EventTimeLimitError
    assert carpool.EventTimeLimitError is carpool.EventTimeoutError is EventTimeLimitError
    assert "EventTimeLimitError" in carpool.__all__ and "EventTimeoutError" in carpool.__all__


async def test_time_limit_raises_the_time_limit_error_and_timeout_the_expired_error() -> None:
    release = asyncio.Event()

    async def slow(x: str) -> str:
        await release.wait()
        return x

    async with Engine() as engine:
        engine.add_listener(ListenerConfig(listener_id="f", fn=slow, time_limit=0.02, concurrency_limit=1))
        running = engine.submit("f", ["runs too long"])
        waiting = engine.submit("f", ["waits too long"], timeout=0.01)
        assert isinstance(await outcome(waiting), EventExpiredError)
        error = await outcome(running)
        assert type(error) is EventTimeLimitError and "time_limit" in str(error)
        release.set()
