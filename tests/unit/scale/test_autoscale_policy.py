"""The autoscaling decision on its own: bounds, hysteresis on the way up and (longer) on the way down."""

from __future__ import annotations

import pytest

from carpool.scale._autoscale import AutoscalePolicy, PoolLoad


def policy(**options: float) -> AutoscalePolicy:
    settings = {"min_replicas": 1, "max_replicas": 4, "upscale_delay": 1.0, "downscale_delay": 10.0}
    settings.update(options)
    return AutoscalePolicy(**settings)  # type: ignore[arg-type]


def test_wanted_covers_running_and_waiting_batches_within_the_bounds() -> None:
    scaler = policy()
    assert scaler.wanted(PoolLoad(replicas=1, running=1, waiting=2)) == 3
    assert scaler.wanted(PoolLoad(replicas=1, running=1, waiting=20)) == 4  # max_replicas
    assert scaler.wanted(PoolLoad(replicas=3, running=0, waiting=0)) == 1  # min_replicas


def test_wanted_counts_batches_per_replica_capacity() -> None:
    scaler = policy(capacity=2)
    assert scaler.wanted(PoolLoad(replicas=1, running=2, waiting=3)) == 3


def test_growth_waits_for_the_upscale_delay_and_a_dip_restarts_the_clock() -> None:
    scaler = policy()
    busy = PoolLoad(replicas=1, running=1, waiting=1)
    assert scaler.decide(busy, now=0.0) == 1
    assert scaler.decide(busy, now=0.5) == 1
    assert scaler.decide(PoolLoad(1, 1, 0), now=0.8) == 1  # the waiter got served: no longer wanted
    assert scaler.decide(busy, now=1.2) == 1  # the clock started again at 1.2
    assert scaler.decide(busy, now=2.2) == 2


def test_shrinking_waits_for_the_longer_downscale_delay() -> None:
    scaler = policy()
    idle = PoolLoad(replicas=3, running=0, waiting=0)
    assert scaler.decide(idle, now=0.0) == 3
    assert scaler.decide(idle, now=9.9) == 3
    assert scaler.decide(idle, now=10.0) == 1


def test_a_burst_during_the_downscale_delay_keeps_the_replicas() -> None:
    scaler = policy()
    assert scaler.decide(PoolLoad(3, 0, 0), now=0.0) == 3
    assert scaler.decide(PoolLoad(3, 3, 0), now=5.0) == 3  # busy again: shrinking is called off
    assert scaler.decide(PoolLoad(3, 0, 0), now=12.0) == 3  # the idle clock started at 12
    assert scaler.decide(PoolLoad(3, 0, 0), now=22.0) == 1


def test_a_pool_scaled_to_zero_grows_at_once_when_a_batch_waits() -> None:
    scaler = policy(min_replicas=0)
    assert scaler.decide(PoolLoad(replicas=0, running=0, waiting=1), now=0.0) == 1
    assert scaler.decide(PoolLoad(replicas=0, running=0, waiting=0), now=1.0) == 0


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"min_replicas": -1}, "min_replicas"),
        ({"min_replicas": 3, "max_replicas": 2}, "max_replicas"),
        ({"max_replicas": 0, "min_replicas": 0}, "max_replicas"),
        ({"upscale_delay": -1}, "delay"),
    ],
)
def test_bad_bounds_are_refused_with_the_option_named(options: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        policy(**options)
