"""Out-of-memory-aware batch caps: a batched call that runs out of memory caps later batches below its
size, and clean batches probe the cap back up over time (``core.batch_cap``)."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from carpool.core import Engine, Job, ListenerConfig
from carpool.core.batch_cap import MAX_PROBE_AFTER, PROBE_AFTER, BatchCap, is_out_of_memory

from .helpers import batched, outcome, results


class OutOfMemoryError(RuntimeError):
    """Named like torch.cuda.OutOfMemoryError / torch.OutOfMemoryError (no torch import needed)."""


class DeviceFull(Exception):
    """An author's own out-of-memory type, listed in ``oom_errors``."""


class Device:
    """A batched function that runs out of memory above ``fits`` samples; ``fits`` changes mid-test."""

    def __init__(self, fits: int, error: type[BaseException] = OutOfMemoryError) -> None:
        self.fits = fits
        self.error = error
        self.sizes: list[int] = []

    def __call__(self, xs: list[Any]) -> list[list[Any]]:
        self.sizes.append(len(xs))
        if len(xs) > self.fits:
            raise self.error(f"out of memory: {len(xs)} samples")
        return [[x * 2 for x in xs]]


def burst(engine: Engine, n: int, listener: str = "f") -> list[Job]:
    """``n`` events queued in one loop tick, so the first batch can take as many as the cap allows."""
    return [engine.submit(listener, [i]) for i in range(n)]


def cap_of(engine: Engine, listener: str = "f") -> int:
    return engine.stats().listeners[listener].batch_cap


# -- what counts as out of memory -------------------------------------------------------------------------


class Exhausted(Exception):
    pass


class TorchLike(OutOfMemoryError):  # a subclass of a class so named counts too
    pass


@pytest.mark.parametrize(
    ("error", "extra", "expected"),
    [
        (MemoryError(), (), True),
        (OutOfMemoryError("CUDA"), (), True),
        (TorchLike(), (), True),
        (RuntimeError("CUDA out of memory. Tried to allocate 2.00 GiB"), (), True),
        (RuntimeError("RESOURCE_EXHAUSTED: Out of memory while trying to allocate"), (), True),
        (RuntimeError("shape mismatch"), (), False),
        (ValueError("out of memory"), (), False),  # only a RuntimeError's message is read
        (Exhausted(), (), False),
        (Exhausted(), (Exhausted,), True),
    ],
)
def test_out_of_memory_errors_are_recognised_without_importing_a_framework(
    error: BaseException, extra: tuple[type[BaseException], ...], expected: bool
) -> None:
    assert is_out_of_memory(error, extra) is expected


# -- the cap on its own -----------------------------------------------------------------------------------


def test_an_out_of_memory_error_halves_the_cap_and_other_errors_do_not() -> None:
    cap = BatchCap("f", 64)
    assert cap.failed(64, ValueError("bad sample")) is False
    assert cap.limit == 64 and cap.out_of_memory == 0
    assert cap.failed(64, MemoryError()) is True
    assert (cap.limit, cap.failed_at, cap.out_of_memory) == (32, 64, 1)
    assert cap.failed(32, MemoryError())  # split-retry's half failed too
    assert (cap.limit, cap.failed_at) == (16, 32)


def test_clean_batches_at_the_cap_probe_it_up_towards_the_failing_size_then_past_it() -> None:
    cap = BatchCap("f", 64)
    cap.failed(32, MemoryError())
    assert cap.limit == 16
    for _ in range(PROBE_AFTER * 3):
        cap.succeeded(8)  # smaller batches say nothing about the cap
    assert cap.limit == 16
    seen = []
    while cap.limit < 32:
        for _ in range(PROBE_AFTER):
            cap.succeeded(cap.limit)
        seen.append(cap.limit)
    assert seen == [24, 28, 30, 31, 32]  # halfway each time, then the failing size itself
    assert cap.failed_at == 32
    for _ in range(PROBE_AFTER):
        cap.succeeded(32)  # it fits now (memory was freed): forgotten, and on towards the maximum
    assert cap.failed_at is None and cap.limit == 48
    for _ in range(PROBE_AFTER):
        cap.succeeded(48)
    assert cap.limit == 56


def test_a_failed_probe_falls_back_to_the_largest_clean_size_and_waits_longer() -> None:
    cap = BatchCap("f", 16)
    cap.failed(16, MemoryError())
    for _ in range(PROBE_AFTER):
        cap.succeeded(8)
    assert cap.limit == 12
    assert cap.failed(12, MemoryError())  # the probe failed: back to 8 (known to run), not 6
    assert (cap.limit, cap.probe_after) == (8, 2 * PROBE_AFTER)
    for _ in range(2 * PROBE_AFTER - 1):
        cap.succeeded(8)
    assert cap.limit == 8
    cap.succeeded(8)
    assert cap.limit == 10
    cap.succeeded(10)  # the probe passed: the wait is back to normal
    assert cap.probe_after == PROBE_AFTER
    for _ in range(20):  # a size that keeps failing is probed ever more rarely, up to a bound
        cap.limit, cap._probing = 12, True
        cap.failed(12, MemoryError())
    assert cap.probe_after == MAX_PROBE_AFTER


def test_a_limit_that_moves_down_is_followed_below_what_ran_before() -> None:
    cap = BatchCap("f", 32)
    cap.failed(32, MemoryError())
    cap.succeeded(16)
    assert cap.good == 16
    cap.failed(16, MemoryError())  # 16 ran before, not now: the cap halves
    assert (cap.limit, cap.good) == (8, None)


def test_caps_stay_multiples_of_the_padding_and_within_the_maximum() -> None:
    cap = BatchCap("f", 24, multiple=8)
    cap.failed(24, MemoryError())
    assert cap.limit == 8  # 12 rounded down to a multiple of 8
    cap.failed(8, MemoryError())
    assert cap.limit == 8  # never below one multiple: a padded call is at least that big
    small = BatchCap("g", 4, multiple=8)
    assert small.limit == 4 and small._round(8) == 4


# -- through the engine -----------------------------------------------------------------------------------


async def test_later_batches_are_capped_below_the_failing_size_and_probed_back_up(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    device = Device(fits=10)
    engine.add_listener(batched("f", device, max_batch_size=16))
    with caplog.at_level(logging.INFO, "carpool.batch"):
        assert await results(burst(engine, 16)) == [i * 2 for i in range(16)]  # split-retry recovered
        assert device.sizes == [16, 8, 8] and cap_of(engine) == 8
        assert "out of memory at batch size 16 (OutOfMemoryError): batches capped at 8" in caplog.text
        device.sizes.clear()
        await results(burst(engine, 16))
        assert device.sizes == [8, 8]  # the next burst does not pay the failed call again
        device.fits = 16  # memory was freed: the cap climbs back, probing
        for _ in range(4 * PROBE_AFTER):
            await results(burst(engine, 16))
        assert cap_of(engine) == 16
        assert "probing a larger batch: cap 8 -> 12" in caplog.text
        device.fits = 4  # and tighter again: followed down
        device.sizes.clear()
        assert await results(burst(engine, 16)) == [i * 2 for i in range(16)]
        assert device.sizes[:3] == [16, 8, 4] and cap_of(engine) == 4
    stats = engine.stats().listeners["f"]
    assert stats.out_of_memory >= 3 and stats.failed == 0


async def test_an_authors_own_out_of_memory_type_is_listed_on_the_listener(engine: Engine) -> None:
    device = Device(fits=2, error=DeviceFull)
    engine.add_listener(batched("f", device, max_batch_size=8, oom_errors=(DeviceFull,)))
    await results(burst(engine, 8))
    assert cap_of(engine) == 2  # 8 and then its half 4 ran out of memory
    plain = Device(fits=2, error=DeviceFull)
    engine.add_listener(batched("g", plain, max_batch_size=8))
    await results(burst(engine, 8, "g"))
    assert cap_of(engine, "g") == 8  # not listed: an ordinary error, split-retried but not learned


async def test_a_pre_batched_group_larger_than_the_cap_still_runs_whole(engine: Engine) -> None:
    device = Device(fits=4)
    engine.add_listener(batched("f", device, max_batch_size=8))
    await results(burst(engine, 8))
    assert cap_of(engine) == 4
    device.sizes.clear()
    group = engine.submit_batch("f", [[i] for i in range(6)])
    assert await results(group) == [i * 2 for i in range(6)]
    assert device.sizes[0] == 6  # left whole (then split), never stuck behind a cap it cannot fit


async def test_a_batched_generator_that_runs_out_of_memory_lowers_the_cap(engine: Engine) -> None:
    def stream(xs: list[Any]) -> Any:
        if len(xs) > 2:
            raise MemoryError
        yield [list(xs)]

    def late(xs: list[Any]) -> Any:
        yield [list(xs)]
        if len(xs) > 2:
            raise MemoryError

    engine.add_listener(batched("f", stream, max_batch_size=8))
    engine.add_listener(batched("g", late, max_batch_size=8))
    assert await results(burst(engine, 8)) == list(range(8))
    assert cap_of(engine) == 2
    jobs = burst(engine, 8, "g")
    for job in jobs:
        assert isinstance(await outcome(job), MemoryError)  # it streamed already: no retry
    assert cap_of(engine, "g") == 4


def test_oom_errors_must_be_exception_classes() -> None:
    with pytest.raises(ValueError, match="oom_errors must be a tuple of exception classes"):
        ListenerConfig(listener_id="f", fn=lambda xs: [xs], batch=True, oom_errors=(ValueError, "x"))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="oom_errors"):
        ListenerConfig(listener_id="f", fn=lambda xs: [xs], batch=True, oom_errors=[ValueError])  # type: ignore[arg-type]


async def test_with_padding_the_cap_counts_padded_samples(engine: Engine) -> None:
    device = Device(fits=8)
    engine.add_listener(batched("f", device, max_batch_size=12, pad_to_multiple=4))
    assert await results(burst(engine, 12)) == [i * 2 for i in range(12)]
    assert device.sizes == [12, 8, 8]  # 12 failed; its halves of 6 ran padded to 8
    assert cap_of(engine) == 8  # the largest padded size known to run
    device.sizes.clear()
    await results(burst(engine, 10))
    assert device.sizes == [8, 4]  # 8 samples, then 2 padded to 4: never above the cap
