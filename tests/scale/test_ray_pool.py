"""RayPool on its own: dispatch, errors, cancellation, replica deaths and lifetime."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import pytest

ray = pytest.importorskip("ray", reason="carpool.scale needs Ray: pip install 'carpool[ray]'")

from scale_models import AsyncTagger, BrokenModel, Streamer, Tagger, parse, shout  # noqa: E402

from carpool.exceptions import Error  # noqa: E402
from carpool.scale import (  # noqa: E402
    PoolClosedError,
    RayPool,
    RemoteTraceback,
    ReplicaDiedError,
    ReplicaStartError,
)


@pytest.fixture
def pool(ray_cluster: None) -> Iterator[RayPool]:
    with RayPool(Tagger, num_replicas=2) as pool:
        yield pool


def pid_of(actor: Any) -> int:
    return int(ray.get(actor.ready.remote(), timeout=30))


async def test_pool_returns_the_models_outputs_and_alternates_idle_replicas(pool: RayPool) -> None:
    first = await pool(["a", "b"])
    second = await pool(["c"])
    assert [parse(tag)[::2] for tag in first[0]] == [("a", 2), ("b", 2)]
    assert parse(first[0][0])[1] != parse(second[0][0])[1]  # the idle replica used longest ago
    assert {parse(first[0][0])[1], parse(second[0][0])[1]} == {pid_of(a) for a in pool.actors}


async def test_concurrent_batches_run_at_once_on_different_replicas(gate: Any) -> None:
    with RayPool(Tagger, gate, num_replicas=2) as pool:
        calls = [asyncio.ensure_future(pool([f"hold{i}"])) for i in range(2)]
        # Both held at once: each replica runs one batch at a time, so they went to different ones.
        await asyncio.wait_for(gate.wait_held.remote(2), 30)
        await gate.open.remote()
        pids = {parse((await call)[0][0])[1] for call in calls}
        assert pids == {pid_of(actor) for actor in pool.actors}
        assert len(pids) == 2


async def test_a_per_sample_exception_comes_back_as_that_samples_item(pool: RayPool) -> None:
    [items] = await pool(["ok", "bad"])
    assert parse(items[0])[0] == "ok"
    assert isinstance(items[1], Error)
    assert items[1].message == "bad word: bad"


async def test_an_exception_raised_in_the_replica_comes_back_as_its_own_type(pool: RayPool) -> None:
    with pytest.raises(ValueError, match="boom in a batch of 2") as caught:
        await pool(["boom", "x"])
    assert type(caught.value) is ValueError
    assert isinstance(caught.value.__cause__, RemoteTraceback)
    assert "scale_models" in str(caught.value.__cause__)  # the replica's own traceback


async def test_a_crashed_replica_fails_its_batch_and_is_replaced(pool: RayPool) -> None:
    before = pool.actors
    with pytest.raises(ReplicaDiedError, match=r"replica \d of Tagger died .* batch of 2"):
        await pool(["crash", "x"])
    assert len(pool.actors) == 1  # out of the rotation until its replacement has loaded the model
    deadline = time.monotonic() + 60
    while len(pool.actors) < 2:
        assert time.monotonic() < deadline, "the crashed replica was not replaced"
        await asyncio.sleep(0.05)
    after = pool.actors
    assert len(set(before) & set(after)) == 1  # only the crashed replica is new
    results = await asyncio.gather(pool(["y"]), pool(["z"]))
    assert {parse(result[0][0])[0] for result in results} == {"y", "z"}


async def test_a_call_cancelled_while_every_replica_is_busy_never_reaches_a_replica(gate: Any) -> None:
    with RayPool(Tagger, gate, num_replicas=1) as pool:
        held = asyncio.ensure_future(pool(["hold"]))
        await gate.wait_held.remote(1)
        queued = asyncio.ensure_future(pool(["never"]))
        await asyncio.sleep(0)  # the call is now waiting for the busy replica
        queued.cancel()
        with pytest.raises(asyncio.CancelledError):
            await queued
        await gate.open.remote()
        assert parse((await held)[0][0])[0] == "hold"
        await pool(["after"])
        assert await gate.seen.remote() == [["hold"], ["after"]]


async def test_close_kills_the_replicas_so_running_and_later_calls_fail_as_closed(gate: Any) -> None:
    pool = RayPool(Tagger, gate, num_replicas=2).start()
    running = [asyncio.ensure_future(pool([f"hold{i}"])) for i in range(2)]
    await gate.wait_held.remote(2)  # each replica holds a batch the gate never lets go
    pool.close()
    for call in running:
        with pytest.raises(PoolClosedError):  # only a killed replica ends a held batch
            await call
    assert pool.actors == ()
    with pytest.raises(PoolClosedError):
        await pool(["x"])
    with pytest.raises(PoolClosedError):
        pool.start()


async def test_the_first_call_starts_the_pool_off_the_event_loop(ray_cluster: None) -> None:
    pool = RayPool(Tagger, suffix="!", name="lazy")
    try:
        assert not pool.started
        [items] = await pool(["hi"])
        assert pool.started
        assert parse(items[0])[0] == "hi!"
    finally:
        pool.close()


def test_a_replica_whose_init_raises_fails_start_with_its_error(ray_cluster: None) -> None:
    pool = RayPool(BrokenModel, num_replicas=2)
    with pytest.raises(ReplicaStartError, match=r"weights\.bin is missing"):
        pool.start()
    assert not pool.started


async def test_from_function_runs_a_plain_batched_function_in_the_replicas(ray_cluster: None) -> None:
    with RayPool.from_function(shout, num_replicas=1) as pool:
        assert pool.__name__ == "shout"
        assert await pool(["a", "b"]) == [["A", "B"]]


async def test_an_async_model_method_runs_in_an_async_replica(ray_cluster: None) -> None:
    with RayPool(AsyncTagger, method="predict") as pool:
        [items] = await pool(["a"])
        assert items[0].endswith("|async")


def test_a_generator_method_or_a_missing_method_is_refused_before_anything_starts() -> None:
    with pytest.raises(TypeError, match="generator"):
        RayPool(Streamer)
    with pytest.raises(ValueError, match="no method 'predict'"):
        RayPool(Tagger, method="predict")
    with pytest.raises(ValueError, match="num_replicas"):
        RayPool(Tagger, num_replicas=0)


def test_the_pool_is_named_after_its_model_and_recommends_one_batch_per_replica() -> None:
    pool = RayPool(Tagger, num_replicas=3)
    assert pool.__name__ == pool.__qualname__ == "Tagger"
    assert pool.recommended_concurrency == 3
    assert repr(pool) == "<RayPool Tagger num_replicas=3 not started>"


async def test_shared_pools_of_one_name_use_the_same_replicas_and_closing_one_keeps_them(
    ray_cluster: None,
) -> None:
    first = RayPool(Tagger, num_replicas=2, name="shared-tagger", shared=True).start()
    second = RayPool(Tagger, num_replicas=2, name="shared-tagger", shared=True).start()
    try:
        assert [a._actor_id for a in first.actors] == [a._actor_id for a in second.actors]
        first.close()  # lets go of the replicas: the other front still uses them
        [items] = await second(["still"])
        assert parse(items[0])[0] == "still"
    finally:
        second.close(kill_shared=True)
    deadline = time.monotonic() + 30
    while True:  # the kill is asynchronous: the name goes once Ray has recorded the death
        try:
            ray.get_actor("shared-tagger-0", namespace="carpool")
        except ValueError:
            break
        assert time.monotonic() < deadline, "close(kill_shared=True) left the shared replica alive"
        await asyncio.sleep(0.05)


def test_a_shared_pool_cannot_autoscale() -> None:
    with pytest.raises(ValueError, match=r"shared pool .* cannot autoscale"):
        RayPool(Tagger, shared=True, max_replicas=3)


async def test_batches_waiting_at_a_merging_replica_run_as_one_model_call_and_split_back(
    gate: Any,
) -> None:
    # Three "fronts" (pools sharing one named replica) each send a batch while the replica is busy.
    options: dict[str, Any] = {"name": "merging-tagger", "shared": True, "merge_batches": 8}
    fronts = [RayPool(Tagger, gate, **options).start() for _ in range(3)]
    replica = fronts[0].actors[0]

    async def run_two_behind_a_held_batch(second: list[str], third: list[str]) -> list[Any]:
        held = asyncio.ensure_future(fronts[0](["hold"]))
        await asyncio.wait_for(gate.wait_held.remote(1), 30)
        calls = [asyncio.ensure_future(fronts[1](second)), asyncio.ensure_future(fronts[2](third))]
        deadline = time.monotonic() + 30
        while await replica.queued.remote() < 2:  # both wait at the replica behind the held call
            assert time.monotonic() < deadline, "the batches did not reach the replica"
            await asyncio.sleep(0.02)
        await gate.open.remote()
        assert parse((await held)[0][0])[0] == "hold"
        return await asyncio.gather(*calls, return_exceptions=True)

    try:
        second, third = await run_two_behind_a_held_batch(["b1", "b2"], ["c1"])
        assert [parse(tag)[::2] for tag in second[0]] == [("b1", 3), ("b2", 3)]  # ran as one of 3
        assert [parse(tag)[::2] for tag in third[0]] == [("c1", 3)]
        assert await gate.seen.remote() == [["hold"], ["b1", "b2", "c1"]]
        # A merged call that fails runs its batches one by one: each gets its own answer.
        await gate.reset.remote()
        fine, failed = await run_two_behind_a_held_batch(["ok"], ["boom"])
        assert [parse(tag)[::2] for tag in fine[0]] == [("ok", 1)]
        assert isinstance(failed, ValueError) and str(failed) == "boom in a batch of 1"
        assert await gate.seen.remote() == [["hold"], ["ok", "boom"], ["ok"], ["boom"]]
        assert fronts[0].model_stats()["model_calls"] == 6
    finally:
        for pool in fronts:
            pool.close(kill_shared=True)


def test_merge_batches_needs_a_sync_model_and_a_positive_size() -> None:
    with pytest.raises(TypeError, match="sync model"):
        RayPool(AsyncTagger, method="predict", merge_batches=8)
    with pytest.raises(ValueError, match="merge_batches must be >= 1"):
        RayPool(Tagger, merge_batches=0)
