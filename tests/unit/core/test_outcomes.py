"""What a function returns becomes per-event outcomes: items, errors, shapes, padding, streams."""

from __future__ import annotations

import asyncio
import pickle
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from carpool.core import FINISHED, BatchRecord, Engine, Generating, ListenerConfig, report_progress
from carpool.exceptions import BatchShapeError, Error

from .helpers import batched, outcome, results


async def test_an_item_that_is_an_exception_fails_only_its_event(engine: Engine) -> None:
    def check(xs: list[int]) -> list[list[Any]]:
        return [[Error("negative") if x < 0 else x * 2 for x in xs]]

    engine.add_listener(batched("f", check, max_batch_size=4))
    good, bad, other = (engine.submit("f", [x]) for x in (1, -1, 3))
    assert await outcome(good) == 2 and await outcome(other) == 6
    failure = await outcome(bad)
    assert isinstance(failure, Error) and failure.message == "negative"
    assert engine.stats().failed == 1


async def test_with_several_outputs_an_exception_in_any_fails_the_event(engine: Engine) -> None:
    def two(xs: list[int]) -> tuple[list[Any], list[Any]]:
        return [x + 1 for x in xs], [ValueError("odd") if x % 2 else x for x in xs]

    engine.add_listener(batched("f", two, n_outputs=2, max_batch_size=4))
    even, odd = engine.submit("f", [2]), engine.submit("f", [3])
    assert await outcome(even) == (3, 2)
    assert isinstance(await outcome(odd), ValueError)


async def test_split_retry_isolates_one_bad_sample_in_sixteen(
    engine: Engine, records: list[BatchRecord]
) -> None:
    calls: list[int] = []

    def fragile(xs: list[int]) -> list[list[int]]:
        calls.append(len(xs))
        if 7 in xs:
            raise RuntimeError("sample 7 breaks the whole call")
        return [[x * 10 for x in xs]]

    engine.add_listener(batched("f", fragile, max_batch_size=16))
    jobs = [engine.submit("f", [i]) for i in range(16)]
    outcomes = [await outcome(job) for job in jobs]
    assert [o for i, o in enumerate(outcomes) if i != 7] == [i * 10 for i in range(16) if i != 7]
    assert isinstance(outcomes[7], RuntimeError)
    assert calls == [16, 8, 4, 4, 2, 2, 1, 1, 8]
    assert len(records) == 1 and records[0].size == 16


async def test_on_batch_error_fail_fails_the_whole_batch(engine: Engine) -> None:
    def broken(xs: list[int]) -> list[list[int]]:
        raise RuntimeError("boom")

    engine.add_listener(batched("f", broken, max_batch_size=4, on_batch_error="fail"))
    jobs = [engine.submit("f", [i]) for i in range(3)]
    errors = [await outcome(job) for job in jobs]
    assert all(isinstance(e, RuntimeError) for e in errors)
    assert engine.stats().failed == 3


@pytest.mark.parametrize(
    ("returned", "described"),
    [
        (["a", "b"], "a list of 2"),  # forgot to wrap the single output
        ([["a"]], "inner lengths: [1]"),  # one item for two events
        ([["a", "b", "c"]], "inner lengths: [3]"),  # never truncated
        (None, "NoneType None"),
        ("ab", "str 'ab'"),
        ([["a", "b"], ["c", "d"]], "a list of 2"),  # two outputs for one
        ([{"a": 1, "b": 2}], "inner lengths: [-]"),
    ],
)
async def test_wrong_shape_is_a_batch_shape_error_naming_the_function(
    engine: Engine, returned: Any, described: str
) -> None:
    def model(xs: list[str]) -> Any:
        return returned

    engine.add_listener(batched("f", model, max_batch_size=2))
    errors = [await outcome(job) for job in (engine.submit("f", ["x"]), engine.submit("f", ["y"]))]
    assert all(isinstance(e, BatchShapeError) for e in errors)
    assert "model" in str(errors[0]) and described in str(errors[0])


async def test_shape_error_describes_long_returns_briefly(engine: Engine) -> None:
    engine.add_listener(batched("f", lambda xs: [[1]] * 9, max_batch_size=2, name="wide"))
    error = await outcome(engine.submit("f", ["x"]))
    assert isinstance(error, BatchShapeError)
    assert "'wide'" in str(error) and "a list of 9 (inner lengths: [1, 1, 1, 1, 1, 1, 1, 1, ...])" in str(
        error
    )


async def test_padding_repeats_the_last_sample_and_drops_padded_outputs(
    engine: Engine, records: list[BatchRecord]
) -> None:
    seen: list[list[int]] = []

    def model(xs: list[int]) -> list[list[int]]:
        seen.append(list(xs))
        return [[x + 100 for x in xs]]

    engine.add_listener(batched("f", model, max_batch_size=8, pad_to_multiple=4))
    assert await results([engine.submit("f", [x]) for x in (1, 2, 3, 4, 5)]) == [101, 102, 103, 104, 105]
    assert seen == [[1, 2, 3, 4, 5, 5, 5, 5]]
    assert (records[0].size, records[0].padded_size) == (5, 8)


async def test_function_with_no_outputs_completes_with_none(engine: Engine) -> None:
    engine.add_listener(batched("none", lambda xs: None, n_outputs=0))
    engine.add_listener(batched("empty", lambda xs: [], n_outputs=0))
    assert await results([engine.submit("none", [1]), engine.submit("empty", [1])]) == [None, None]


async def test_batched_async_generator_streams_one_sample_values(engine: Engine) -> None:
    async def stream(xs: list[str], ns: list[int]) -> AsyncIterator[tuple[list[Any], list[Any]]]:
        for i in range(2):
            yield [f"{x}{i}" for x in xs], [n + i for n in ns]

    engine.add_listener(batched("f", stream, n_outputs=2, max_batch_size=2))
    a_seen: list[Any] = []
    a, b = engine.submit("f", ["a", 10], on_message=a_seen.append), engine.submit("f", ["b", 20])
    assert await results([a, b]) == [("a1", 11), ("b1", 21)]
    assert [m.output for m in a_seen if isinstance(m, Generating)] == [("a0", 10), ("a1", 11)]


async def test_batched_generator_items_finish_or_fail_single_events(engine: Engine) -> None:
    def stream(xs: list[str]) -> Iterator[tuple[list[Any], list[Any]]]:
        yield ["a0", "b0", "c0"], [0, 0, 0]
        yield [FINISHED, "b1", "c1"], [0, ValueError("b broke"), 0]
        yield ["c2"], [0]

    engine.add_listener(batched("f", stream, n_outputs=2, max_batch_size=3))
    a, b, c = (engine.submit("f", [x]) for x in "abc")
    assert await outcome(a) == ("a0", 0)
    assert isinstance(await outcome(b), ValueError)
    assert await outcome(c) == ("c2", 0)


async def test_batched_generator_with_padding_ignores_padded_slots(engine: Engine) -> None:
    def stream(xs: list[str]) -> Iterator[list[list[Any]]]:
        assert len(xs) == 4
        yield [[f"{x}0" for x in xs]]
        yield [["a1", FINISHED, RuntimeError("pad"), "pad"]]
        yield [["a2", "pad"]]

    engine.add_listener(batched("f", stream, max_batch_size=4, pad_to_multiple=4))
    a, b = engine.submit("f", ["a"]), engine.submit("f", ["b"])
    assert await results([a, b]) == ["a2", "b0"]


async def test_batched_generator_shape_error_fails_remaining_events(engine: Engine) -> None:
    def stream(xs: list[str]) -> Iterator[list[list[str]]]:
        yield [[f"{x}0" for x in xs]]
        yield [["only-one"]]

    engine.add_listener(batched("f", stream, max_batch_size=2))
    jobs = [engine.submit("f", [x]) for x in "ab"]
    errors = [await outcome(job) for job in jobs]
    assert all(isinstance(e, BatchShapeError) and "yielded" in str(e) for e in errors)


async def test_batched_generator_failing_mid_stream_is_not_retried(engine: Engine) -> None:
    calls: list[int] = []

    def stream(xs: list[str]) -> Iterator[list[list[str]]]:
        calls.append(len(xs))
        yield [[f"{x}0" for x in xs]]
        raise RuntimeError("mid-stream")

    engine.add_listener(batched("f", stream, max_batch_size=2))
    errors = [await outcome(job) for job in [engine.submit("f", [x]) for x in "ab"]]
    assert all(isinstance(e, RuntimeError) for e in errors)
    assert calls == [2]


async def test_batched_generator_failing_before_streaming_is_split(engine: Engine) -> None:
    async def stream(xs: list[str]) -> AsyncIterator[list[list[str]]]:
        if "bad" in xs:
            raise RuntimeError("bad sample")
        yield [[x.upper() for x in xs]]

    engine.add_listener(batched("f", stream, max_batch_size=4))
    jobs = [engine.submit("f", [x]) for x in ("a", "bad", "c")]
    outcomes = [await outcome(job) for job in jobs]
    assert outcomes[0] == "A" and outcomes[2] == "C" and isinstance(outcomes[1], RuntimeError)


async def test_batched_generator_that_cannot_start_fails_its_events(engine: Engine) -> None:
    def stream(xs: list[str], ys: list[str]) -> Iterator[list[list[str]]]:
        yield [xs]

    engine.add_listener(batched("f", stream, max_batch_size=2))
    error = await outcome(engine.submit("f", ["only-one-input"]))
    assert isinstance(error, TypeError)


async def test_inputs_of_different_lengths_are_isolated_by_split(engine: Engine) -> None:
    engine.add_listener(batched("f", lambda *cols: [list(cols[0])], max_batch_size=2))
    good, odd = engine.submit("f", [1, 2]), engine.submit("f", [1])
    assert await outcome(good) == 1 and await outcome(odd) == 1


async def test_unbatched_generators_stream_and_end_with_their_last_value(engine: Engine) -> None:
    def count(n: int) -> Iterator[int]:
        yield from range(n)

    async def acount(n: int) -> AsyncIterator[int]:
        for i in range(n):
            yield i

    engine.add_listener(ListenerConfig(listener_id="sync", fn=count))
    engine.add_listener(ListenerConfig(listener_id="async", fn=acount))
    seen: list[Any] = []
    jobs = [engine.submit("sync", [3]), engine.submit("async", [3], on_message=seen.append)]
    jobs.append(engine.submit("sync", [0]))
    assert await results(jobs) == [2, 2, None]
    assert [m.output for m in seen if isinstance(m, Generating)] == [0, 1, 2]


async def test_unbatched_function_errors_fail_the_event(engine: Engine) -> None:
    async def broken(x: int) -> int:
        raise Error("nope")

    engine.add_listener(ListenerConfig(listener_id="f", fn=broken))
    assert isinstance(await outcome(engine.submit("f", [1])), Error)


async def test_callable_objects_run_by_the_kind_of_their_call(engine: Engine) -> None:
    class Model:
        async def __call__(self, x: int) -> int:
            return x + 1

    engine.add_listener(ListenerConfig(listener_id="f", fn=Model()))
    assert await results([engine.submit("f", [1])]) == [2]


async def test_report_progress_reaches_every_event_or_one(engine: Engine) -> None:
    def model(xs: list[str]) -> list[list[str]]:
        report_progress(0.5, desc="half")
        report_progress(event=1, index=1, length=2, unit="items")
        return [xs]

    async def amodel(x: str) -> str:
        report_progress(1.0)
        return x

    engine.add_listener(batched("f", model, max_batch_size=4, pad_to_multiple=4))
    engine.add_listener(ListenerConfig(listener_id="g", fn=amodel))
    seen: dict[str, list[Any]] = {"a": [], "b": [], "c": []}
    a = engine.submit("f", ["a"], on_message=seen["a"].append)
    b = engine.submit("f", ["b"], on_message=seen["b"].append)
    c = engine.submit("g", ["c"], on_message=seen["c"].append)
    await results([a, b, c])
    assert [m.units[0].desc for m in seen["a"] if hasattr(m, "units")] == ["half"]
    units = [m.units[0] for m in seen["b"] if hasattr(m, "units")]
    assert [(u.progress, u.index, u.length, u.unit) for u in units] == [
        (0.5, None, None, "steps"),
        (None, 1, 2, "items"),
    ]
    assert [m.units[0].progress for m in seen["c"] if hasattr(m, "units")] == [1.0]


def test_report_progress_outside_the_engine_does_nothing() -> None:
    report_progress(0.5)


def test_finished_sentinel_survives_pickling() -> None:
    assert pickle.loads(pickle.dumps(FINISHED)) is FINISHED
    assert repr(FINISHED) == "FINISHED"


async def test_generator_progress_is_reported_from_worker_threads(engine: Engine) -> None:
    def stream(xs: list[str]) -> Iterator[list[list[str]]]:
        report_progress(0.1)
        yield [xs]

    engine.add_listener(batched("f", stream))
    job = engine.submit("f", ["a"])
    await results([job])
    await asyncio.sleep(0)
    assert any(hasattr(m, "units") for m in job.history())
