"""ReplicaSet on its own (no Ray cluster): hand-outs, waiting, hand-overs, cancellation, closing."""

from __future__ import annotations

import asyncio

import pytest

pytest.importorskip("ray", reason="carpool.scale needs Ray: pip install 'carpool[ray]'")

from carpool.scale import PoolClosedError
from carpool.scale._replicas import ReplicaSet


def replica_set(actors: list[str], capacity: int = 1) -> ReplicaSet:
    replicas = ReplicaSet("model", capacity)
    replicas.fill(actors)
    return replicas


async def test_idle_replicas_are_handed_out_used_longest_ago_first() -> None:
    replicas = replica_set(["a", "b"])
    first = await replicas.acquire()
    replicas.release(first)
    second = await replicas.acquire()
    third = await replicas.acquire()
    assert [first.actor, second.actor, third.actor] == ["a", "b", "a"]


async def test_a_replica_takes_up_to_its_capacity_before_anyone_waits() -> None:
    replicas = replica_set(["a"], capacity=2)
    held = [await replicas.acquire(), await replicas.acquire()]
    waiter = asyncio.ensure_future(replicas.acquire())
    await asyncio.sleep(0)
    assert not waiter.done()
    replicas.release(held[0])
    assert (await waiter).actor == "a"


async def test_a_freed_replica_goes_to_the_oldest_waiter() -> None:
    replicas = replica_set(["a"])
    busy = await replicas.acquire()
    waiters = [asyncio.ensure_future(replicas.acquire()) for _ in range(2)]
    await asyncio.sleep(0)
    replicas.release(busy)
    assert (await waiters[0]) is busy
    assert not waiters[1].done()
    replicas.release(busy)
    assert (await waiters[1]) is busy
    replicas.release(busy)
    assert busy.busy == 0


async def test_a_waiter_cancelled_before_its_turn_leaves_the_line() -> None:
    replicas = replica_set(["a"])
    busy = await replicas.acquire()
    gone, stays = asyncio.ensure_future(replicas.acquire()), asyncio.ensure_future(replicas.acquire())
    await asyncio.sleep(0)
    gone.cancel()
    with pytest.raises(asyncio.CancelledError):
        await gone
    replicas.release(busy)
    assert (await stays) is busy


async def test_a_replica_handed_to_a_waiter_cancelled_on_the_way_goes_to_the_next() -> None:
    replicas = replica_set(["a"])
    busy = await replicas.acquire()
    gone, stays = asyncio.ensure_future(replicas.acquire()), asyncio.ensure_future(replicas.acquire())
    await asyncio.sleep(0)
    replicas.release(busy)  # on its way to `gone` (delivered on the loop's next turn)
    gone.cancel()
    with pytest.raises(asyncio.CancelledError):
        await gone
    assert (await stays) is busy
    replicas.release(busy)
    assert busy.busy == 0


async def test_a_replica_delivered_to_a_caller_cancelled_before_it_resumed_is_released() -> None:
    replicas = replica_set(["a"])
    busy = await replicas.acquire()
    waiter = asyncio.ensure_future(replicas.acquire())
    await asyncio.sleep(0)
    replicas.release(busy)
    await asyncio.sleep(0)  # delivered: the waiter's future holds the replica, its task not yet resumed
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    assert busy.busy == 0


async def test_closing_fails_the_waiters_and_refuses_new_callers() -> None:
    replicas = replica_set(["a", "b"])
    await replicas.acquire()
    await replicas.acquire()
    waiter = asyncio.ensure_future(replicas.acquire())
    await asyncio.sleep(0)
    assert replicas.close() == ["a", "b"]
    with pytest.raises(PoolClosedError, match="model is closed"):
        await waiter
    with pytest.raises(PoolClosedError):
        await replicas.acquire()


async def test_a_dead_replica_leaves_the_rotation_until_its_replacement_is_ready() -> None:
    replicas = replica_set(["a", "b"])
    dead = await replicas.acquire()
    assert dead.actor == "a"
    assert replicas.take_out(dead, "a")
    assert not replicas.take_out(dead, "a")  # only the first to see the death replaces it
    assert replicas.live() == 1 and replicas.load().replicas == 2  # restarting still counts as held
    replicas.settle(dead, "a")  # a late settlement of the dead actor's batch changes nothing
    other = await replicas.acquire()
    assert other.actor == "b"
    waiter = asyncio.ensure_future(replicas.acquire())
    await asyncio.sleep(0)
    assert not waiter.done()  # b is busy and a is restarting: nothing to hand out
    assert replicas.restarting_with(dead, "a2")
    assert replicas.put_back(dead, "a2")
    assert (await waiter) is dead  # the replacement goes straight to the oldest waiter
    assert dead.actor == "a2" and dead.restarts == 1
    assert replicas.close() == ["b", "a2"]


async def test_a_retried_batch_waits_ahead_of_the_others() -> None:
    replicas = replica_set(["a"])
    busy = await replicas.acquire()
    later = asyncio.ensure_future(replicas.acquire())
    await asyncio.sleep(0)
    retried = asyncio.ensure_future(replicas.acquire(first_in_line=True))
    await asyncio.sleep(0)
    replicas.release(busy)
    assert (await retried) is busy
    assert not later.done()
    replicas.release(busy)
    assert (await later) is busy


async def test_closing_kills_a_replacement_still_loading_and_a_dropped_replica_is_forgotten() -> None:
    replicas = replica_set(["a", "b"])
    first, second = await replicas.acquire(), await replicas.acquire()
    assert replicas.take_out(first, "a") and replicas.take_out(second, "b")
    replicas.drop(second)
    assert replicas.load().replicas == 1
    assert replicas.restarting_with(first, "a2")
    assert replicas.close() == ["a2"]
    assert not replicas.put_back(first, "a2")
