"""Batch formation: when a batch leaves, how big it is, and which concurrency slot it takes."""

from __future__ import annotations

import asyncio

import pytest

from carpool.core import BatchRecord, Engine, ListenerConfig
from carpool.exceptions import QueueFullError

from .helpers import Gate, batched, results


async def test_batcher_takes_only_waiting_events_when_timeout_is_zero(
    engine: Engine, records: list[BatchRecord]
) -> None:
    gate = Gate()
    engine.add_listener(batched("f", gate, max_batch_size=4))
    first = engine.submit("f", ["a"])
    await gate.wait_started()
    rest = [engine.submit("f", [x]) for x in "bcd"]
    gate.open()
    assert await results([first, *rest]) == ["out-a", "out-b", "out-c", "out-d"]
    assert gate.calls == [["a"], ["b", "c", "d"]]
    assert [(r.size, r.reason) for r in records] == [(1, "idle"), (3, "idle")]


async def test_batcher_fills_batches_up_to_max_batch_size(engine: Engine, records: list[BatchRecord]) -> None:
    engine.add_listener(batched("f", lambda xs: [xs], max_batch_size=4))
    jobs = [engine.submit("f", [i]) for i in range(10)]
    assert await results(jobs) == list(range(10))
    assert [(r.size, r.reason) for r in records] == [(4, "full"), (4, "full"), (2, "idle")]


async def test_batcher_waits_up_to_batch_timeout_for_more_events(records: list[BatchRecord]) -> None:
    async with Engine(on_batch=records.append) as engine:
        engine.add_listener(batched("f", lambda xs: [xs], max_batch_size=4, batch_timeout=0.03))
        first = engine.submit("f", [1])
        await asyncio.sleep(0.002)
        second = engine.submit("f", [2])
        assert await results([first, second]) == [1, 2]
    [record] = records
    assert (record.size, record.reason) == (2, "timeout")
    assert record.waits[0] >= 0.03


async def test_batcher_leaves_at_once_when_full_despite_timeout(records: list[BatchRecord]) -> None:
    async with Engine(on_batch=records.append) as engine:
        engine.add_listener(batched("f", lambda xs: [xs], max_batch_size=2, batch_timeout=60.0))
        assert await results([engine.submit("f", [i]) for i in range(2)]) == [0, 1]
    assert [(r.size, r.reason) for r in records] == [(2, "full")]


async def test_listeners_with_one_concurrency_id_share_one_limit_and_take_turns(
    engine: Engine, records: list[BatchRecord]
) -> None:
    gate_a, gate_b = Gate(), Gate()
    engine.add_listener(batched("a", gate_a, max_batch_size=2, concurrency_id="gpu"))
    engine.add_listener(batched("b", gate_b, max_batch_size=2, concurrency_id="gpu"))
    jobs = [engine.submit("a", [1]), engine.submit("b", [2])]
    await gate_a.wait_started()
    jobs += [engine.submit("a", [3])]
    await asyncio.sleep(0.002)
    assert gate_b.calls == []  # the shared slot is busy
    assert engine.stats().in_flight == 1
    gate_a.open()
    await gate_b.wait_started()
    assert gate_a.calls == [[1]]  # b's turn came before a's second batch
    gate_b.open()
    assert await results(jobs) == ["out-1", "out-2", "out-3"]
    assert [r.listener_id for r in records] == ["a", "b", "a"]


async def test_lowest_limit_of_a_concurrency_group_wins(engine: Engine) -> None:
    gates = [Gate() for _ in range(3)]
    engine.add_listener(batched("a", gates[0], concurrency_id="g", concurrency_limit=None))
    engine.add_listener(batched("b", gates[1], concurrency_id="g", concurrency_limit=2))
    engine.add_listener(batched("c", gates[2], concurrency_id="g", concurrency_limit=3))
    jobs = [engine.submit(name, [name]) for name in "abc"]
    await gates[0].wait_started()
    await gates[1].wait_started()
    await asyncio.sleep(0.002)
    assert gates[2].calls == []
    for gate in gates:
        gate.open()
    assert await results(jobs) == ["out-a", "out-b", "out-c"]


async def test_unlimited_concurrency_is_bounded_by_max_workers() -> None:
    gate = Gate()
    async with Engine(max_workers=2) as engine:
        engine.add_listener(batched("f", gate, max_batch_size=1, concurrency_limit=None))
        jobs = [engine.submit("f", [i]) for i in range(3)]
        await gate.wait_started(2)
        await asyncio.sleep(0.002)
        assert len(gate.calls) == 2
        assert engine.stats().waiting == 1
        gate.open()
        assert await results(jobs) == ["out-0", "out-1", "out-2"]


async def test_queue_full_rejects_with_a_retry_after_hint() -> None:
    gate = Gate()
    async with Engine(max_size=2) as engine:
        engine.add_listener(batched("f", gate, max_batch_size=1))
        running = engine.submit("f", [0])
        await gate.wait_started()
        waiting = [engine.submit("f", [1]), engine.submit("f", [2])]
        with pytest.raises(QueueFullError) as caught:
            engine.submit("f", [3])
        assert caught.value.retry_after > 0
        with pytest.raises(QueueFullError):
            engine.submit_batch("f", [[4]])
        assert engine.stats().rejected == 2
        gate.open()
        assert await results([running, *waiting]) == ["out-0", "out-1", "out-2"]
        engine.submit("f", [5])  # room again


async def test_session_fairness_round_robins_sessions(engine: Engine) -> None:
    gate = Gate()
    engine.add_listener(batched("f", gate, max_batch_size=2, fairness="session"))
    jobs = [engine.submit("f", ["first"], session_id="a")]
    await gate.wait_started()
    flood = [engine.submit("f", [f"a{i}"], session_id="a") for i in range(4)]
    others = [engine.submit("f", [f"b{i}"], session_id="b") for i in range(2)]
    assert [job.estimation().position for job in flood + others] == [0, 2, 4, 5, 1, 3]
    gate.open()
    await results(jobs + flood + others)
    assert gate.calls == [["first"], ["a0", "b0"], ["a1", "b1"], ["a2", "a3"]]


async def test_session_fairness_skips_the_members_of_a_group_it_already_took(engine: Engine) -> None:
    gate = Gate()
    engine.add_listener(batched("f", gate, max_batch_size=4, fairness="session"))
    first = engine.submit("f", ["first"], session_id="a")
    await gate.wait_started()
    group = engine.submit_batch("f", [["p"], ["q"]], session_id="b")
    after = engine.submit("f", ["s"], session_id="b")
    gate.open()
    await results([first, *group, after])
    assert gate.calls == [["first"], ["p", "q", "s"]]


async def test_fifo_serves_oldest_first_across_sessions(engine: Engine) -> None:
    gate = Gate()
    engine.add_listener(batched("f", gate, max_batch_size=2))
    jobs = [engine.submit("f", ["first"], session_id="a")]
    await gate.wait_started()
    jobs += [engine.submit("f", [f"a{i}"], session_id="a") for i in range(3)]
    jobs += [engine.submit("f", ["b0"], session_id="b")]
    gate.open()
    await results(jobs)
    assert gate.calls == [["first"], ["a0", "a1"], ["a2", "b0"]]


async def test_submit_batch_runs_its_samples_in_one_batch(engine: Engine, records: list[BatchRecord]) -> None:
    gate = Gate()
    engine.add_listener(batched("f", gate, max_batch_size=4))
    first = engine.submit("f", ["x"])
    await gate.wait_started()
    lone = engine.submit("f", ["y"])
    group = engine.submit_batch("f", [["p"], ["q"], ["r"]])
    tail = engine.submit("f", ["z"])
    gate.open()
    await results([first, lone, *group, tail])
    assert gate.calls == [["x"], ["y", "p", "q", "r"], ["z"]]
    assert engine.submit_batch("f", []) == []
    with pytest.raises(ValueError, match="max_batch_size"):
        engine.submit_batch("f", [[1]] * 5)


async def test_a_group_that_does_not_fit_waits_for_the_next_batch(engine: Engine) -> None:
    gate = Gate()
    engine.add_listener(batched("f", gate, max_batch_size=3))
    first = engine.submit("f", ["x"])
    await gate.wait_started()
    lone = engine.submit("f", ["y"], session_id="s")
    group = engine.submit_batch("f", [["p"], ["q"], ["r"]], session_id="s")
    gate.open()
    await results([first, lone, *group])
    assert gate.calls == [["x"], ["y"], ["p", "q", "r"]]


async def test_session_queue_keeps_groups_whole(engine: Engine) -> None:
    gate = Gate()
    engine.add_listener(batched("f", gate, max_batch_size=3, fairness="session"))
    first = engine.submit("f", ["x"], session_id="a")
    await gate.wait_started()
    lone = engine.submit("f", ["y"], session_id="a")
    group = engine.submit_batch("f", [["p"], ["q"], ["r"]], session_id="b")
    cancelled = engine.submit("f", ["gone"], session_id="c")
    later = engine.submit("f", ["z"], session_id="c")
    cancelled.cancel()
    gate.open()
    await results([first, lone, *group, later])
    assert gate.calls == [["x"], ["y"], ["p", "q", "r"], ["z"]]


async def test_unbatched_listener_runs_one_event_per_call(engine: Engine, records: list[BatchRecord]) -> None:
    engine.add_listener(ListenerConfig(listener_id="f", fn=lambda a, b: (b, a), n_outputs=2))
    assert await results([engine.submit("f", [1, 2]), engine.submit("f", [3, 4])]) == [(2, 1), (4, 3)]
    assert [r.size for r in records] == [1, 1]
