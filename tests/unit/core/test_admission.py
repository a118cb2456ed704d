"""Admission of pre-batched submissions: a batch that can never fit is refused as such, not as "full"."""

from __future__ import annotations

import pytest

from carpool.core import Engine
from carpool.exceptions import BatchTooLargeError, QueueFullError

from .helpers import batched, results


async def test_a_batch_larger_than_the_queue_is_too_large_even_on_an_idle_queue() -> None:
    async with Engine(max_size=3) as engine:
        engine.add_listener(batched("f", lambda xs: [xs], max_batch_size=8))
        with pytest.raises(BatchTooLargeError, match="max_size=3") as caught:
            engine.submit_batch("f", [[i] for i in range(4)])
        assert caught.value.limit == 3
        assert not isinstance(caught.value, QueueFullError)  # no Retry-After: waiting cannot help
        assert await results(engine.submit_batch("f", [[i] for i in range(3)])) == [0, 1, 2]


async def test_a_batch_larger_than_max_batch_size_is_too_large_with_that_limit(engine: Engine) -> None:
    engine.add_listener(batched("f", lambda xs: [xs], max_batch_size=2))
    with pytest.raises(BatchTooLargeError) as caught:
        engine.submit_batch("f", [[1], [2], [3]])
    assert caught.value.limit == 2 and isinstance(caught.value, ValueError)


async def test_a_single_event_on_a_zero_size_queue_is_still_queue_full() -> None:
    async with Engine(max_size=0) as engine:
        engine.add_listener(batched("f", lambda xs: [xs]))
        with pytest.raises(QueueFullError):
            engine.submit("f", [1])


async def test_a_batch_over_max_batch_size_is_too_large_even_when_the_queue_is_also_full() -> None:
    async with Engine(max_size=4) as engine:
        engine.add_listener(batched("f", lambda xs: [xs], max_batch_size=2))
        engine.add_listener(batched("g", lambda xs: [xs], max_batch_size=8))
        waiting = engine.submit_batch("g", [[i] for i in range(4)])
        with pytest.raises(QueueFullError):  # the queue is full now
            engine.submit("f", [0])
        with pytest.raises(BatchTooLargeError) as caught:  # not "full, retry": retrying cannot help
            engine.submit_batch("f", [[1], [2], [3]])
        assert caught.value.limit == 2
        assert engine.stats().listeners["f"].rejected == 1  # the single event only
        assert await results(waiting) == [0, 1, 2, 3]
