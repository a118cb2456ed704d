"""Continuous batching: a ``Stepwise`` function's running set, its step boundaries and their semantics."""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import Any

import pytest

from carpool.core import FINISHED, BatchRecord, Done, Engine, Job, ListenerConfig, Stepwise, report_progress
from carpool.core.executor import ThreadExecutor
from carpool.core.messages import Generating, ProcessStarts, Progress
from carpool.core.steploop import StepLoop
from carpool.core.stepwise import StepEstimator
from carpool.exceptions import BatchShapeError, EngineClosedError, EventCancelledError, EventTimeoutError

from .helpers import FakeClock, outcome, results


class Decoder:
    """A decode loop: each item "generates" its name ``length`` times, one letter per step.

    Steps wait for ``allow()`` when ``gated``, so a test decides where the boundaries fall.
    """

    def __init__(self, *, gated: bool = False) -> None:
        self.joins: list[list[str]] = []
        self.steps: list[list[str]] = []
        self.left: list[list[str]] = []
        self.gated = gated
        self.permits: asyncio.Queue[None] = asyncio.Queue()
        self.stepping = asyncio.Event()

    def allow(self, steps: int = 1) -> None:
        for _ in range(steps):
            self.permits.put_nowait(None)

    async def wait_steps(self, count: int) -> None:
        while len(self.steps) < count:
            self.stepping.clear()
            await asyncio.wait_for(self.stepping.wait(), 2)

    async def join(self, names: list[str], lengths: list[int]) -> list[Any]:
        self.joins.append(list(names))
        return [{"name": n, "left": k, "text": ""} for n, k in zip(names, lengths, strict=True)]

    async def step(self, states: list[dict[str, Any]]) -> list[Any]:
        self.steps.append([s["name"] for s in states])
        self.stepping.set()
        if self.gated:
            await self.permits.get()
        else:
            await asyncio.sleep(0)
        outputs: list[Any] = []
        for state in states:
            state["text"] += state["name"][0]
            state["left"] -= 1
            outputs.append(Done(state["text"]) if state["left"] <= 0 else state["text"])
        return outputs

    async def leave(self, states: list[dict[str, Any]]) -> None:
        self.left.append([s["name"] for s in states])

    def stepwise(self) -> Stepwise[Any]:
        return Stepwise(self.join, self.step, self.leave)


def continuous(listener_id: str, fn: Any, **options: Any) -> ListenerConfig:
    return ListenerConfig(listener_id=listener_id, fn=fn, batch=True, **options)


def streamed(engine: Engine, listener_id: str, inputs: list[Any], **kw: Any) -> tuple[Job, list[Any]]:
    outputs: list[Any] = []
    job = engine.submit(
        listener_id,
        inputs,
        on_message=lambda m: outputs.append(m.output) if isinstance(m, Generating) else None,
        **kw,
    )
    return job, outputs


async def test_items_join_between_steps_and_leave_as_soon_as_they_finish(
    engine: Engine, records: list[BatchRecord]
) -> None:
    decoder = Decoder()
    engine.add_listener(continuous("d", decoder.stepwise(), max_batch_size=2))
    a, a_out = streamed(engine, "d", ["a", 1])
    b, b_out = streamed(engine, "d", ["b", 3])
    c, c_out = streamed(engine, "d", ["c", 2])
    assert await results([a, b, c]) == ["a", "bbb", "cc"]
    # c joins at the boundary after a finished, and is prefilled alone (join sees newcomers only)
    assert decoder.joins == [["a", "b"], ["c"]]
    assert decoder.steps == [["a", "b"], ["b", "c"], ["b", "c"]]
    assert decoder.left == [["a"], ["b", "c"]]
    assert (a_out, b_out, c_out) == ([], ["b", "bb"], ["c"])  # per-item streaming, Done is the final
    steps = [r for r in records if r.reason == "step"]
    assert [(r.size, r.joined, r.left) for r in steps] == [(2, 2, 0), (2, 1, 1), (2, 0, 0)]
    assert len(steps[1].waits) == 1 and steps[1].waits[0] >= 0
    stats = engine.stats()
    assert (stats.steps, stats.joins, stats.leaves, stats.completed) == (3, 3, 3, 3)
    assert stats.listeners["d"].in_flight == 0


async def test_a_slot_freed_mid_run_goes_to_the_oldest_waiting_event(engine: Engine) -> None:
    decoder = Decoder(gated=True)
    engine.add_listener(continuous("d", decoder.stepwise(), max_batch_size=1))
    first = engine.submit("d", ["first", 1])
    await asyncio.wait_for(decoder.stepping.wait(), 2)
    later = [engine.submit("d", [name, 1]) for name in ("x", "y", "z")]
    assert [job.estimation().position for job in later] == [0, 1, 2]
    decoder.allow(4)
    await results([first, *later])
    assert decoder.joins == [["first"], ["x"], ["y"], ["z"]]


async def test_session_fairness_decides_who_joins(engine: Engine) -> None:
    decoder = Decoder(gated=True)
    engine.add_listener(continuous("d", decoder.stepwise(), max_batch_size=1, fairness="session"))
    first = engine.submit("d", ["first", 1], session_id="s1")
    await asyncio.wait_for(decoder.stepping.wait(), 2)
    jobs = [engine.submit("d", [name, 1], session_id="s1") for name in ("a1", "a2")]
    jobs.append(engine.submit("d", ["b1", 1], session_id="s2"))
    decoder.allow(4)
    await results([first, *jobs])
    assert decoder.joins == [["first"], ["a1"], ["b1"], ["a2"]]  # s2 is not stuck behind s1's backlog


async def test_a_cancelled_or_disconnected_member_leaves_and_the_others_go_on(engine: Engine) -> None:
    decoder = Decoder(gated=True)
    engine.add_listener(continuous("d", decoder.stepwise(), max_batch_size=3))
    a = engine.submit("d", ["a", 3], session_id="sa")
    b = engine.submit("d", ["b", 3], session_id="sb")
    c = engine.submit("d", ["c", 3], session_id="sc")
    await asyncio.wait_for(decoder.stepping.wait(), 2)
    waiting = engine.submit("d", ["w", 1])
    assert a.cancel()
    assert engine.cancel_session("sb") == 1  # a client disconnected
    decoder.allow(10)
    assert await results([c, waiting]) == ["ccc", "w"]
    assert isinstance(await outcome(a), EventCancelledError)
    assert isinstance(await outcome(b), EventCancelledError)
    assert decoder.steps[1] == ["c", "w"]  # both slots freed at the next boundary, w took one
    assert ["a", "b"] in decoder.left
    assert engine._container_sizes()["batches"] == 0


async def test_per_item_errors_fail_only_their_item(engine: Engine) -> None:
    def join(names: list[str]) -> list[Any]:
        return [ValueError(f"bad {n}") if n == "bad-join" else [n, 0] for n in names]

    def step(states: list[list[Any]]) -> list[Any]:
        out: list[Any] = []
        for state in states:
            state[1] += 1
            if state[0] == "bad-step":
                out.append(RuntimeError("step failed for this item"))
            elif state[0] == "stop" and state[1] == 2:
                out.append(FINISHED)
            else:
                out.append(Done(f"{state[0]}!") if state[1] >= 3 else state[1])
        return out

    engine.add_listener(continuous("d", Stepwise(join, step), max_batch_size=8))
    jobs = [engine.submit("d", [name]) for name in ("ok", "bad-join", "bad-step", "stop")]
    ok, bad_join, bad_step, stop = [await outcome(job) for job in jobs]
    assert ok == "ok!"
    assert isinstance(bad_join, ValueError) and str(bad_join) == "bad bad-join"
    assert isinstance(bad_step, RuntimeError)
    assert stop == 1  # FINISHED: the item ends with the last value it streamed


async def test_a_join_that_raises_is_split_to_isolate_the_bad_newcomer(engine: Engine) -> None:
    calls: list[list[str]] = []

    def join(names: list[str]) -> list[str]:
        calls.append(list(names))
        if "bad" in names:
            raise ValueError("cannot prefill bad")
        return list(names)

    engine.add_listener(continuous("d", Stepwise(join, lambda s: [Done(x) for x in s]), max_batch_size=4))
    jobs = [engine.submit("d", [name]) for name in ("a", "bad", "c", "d")]
    outcomes = [await outcome(job) for job in jobs]
    assert outcomes[0] == "a" and outcomes[2:] == ["c", "d"]
    assert isinstance(outcomes[1], ValueError)
    assert calls[0] == ["a", "bad", "c", "d"] and ["bad"] in calls


async def test_a_join_that_raises_fails_its_newcomers_without_split(engine: Engine) -> None:
    def join(names: list[str]) -> list[str]:
        raise ValueError("no")

    engine.add_listener(
        continuous(
            "d", Stepwise(join, lambda s: [Done(x) for x in s]), max_batch_size=4, on_batch_error="fail"
        )
    )
    jobs = [engine.submit("d", [name]) for name in ("a", "b")]
    assert [type(await outcome(job)) for job in jobs] == [ValueError, ValueError]


async def test_wrong_counts_from_join_or_step_fail_that_call_naming_the_function(engine: Engine) -> None:
    def join(names: list[str]) -> Any:
        return "not a list" if names == ["short-join"] else list(names)

    def step(states: list[str]) -> list[Any]:
        if "short-step" in states:
            return []
        return [Done(s) for s in states]

    engine.add_listener(continuous("d", Stepwise(join, step, name="decode"), max_batch_size=4))
    bad_join = await outcome(engine.submit("d", ["short-join"]))
    assert isinstance(bad_join, BatchShapeError)
    assert "'decode'" in str(bad_join) and "join returned str" in str(bad_join)
    bad_step = await outcome(engine.submit("d", ["short-step"]))
    assert isinstance(bad_step, BatchShapeError) and "step returned a list of 0" in str(bad_step)
    assert await outcome(engine.submit("d", ["fine"])) == "fine"  # the loop goes on


async def test_a_step_that_raises_fails_that_steps_items_and_the_loop_goes_on(engine: Engine) -> None:
    def step(states: list[str]) -> list[Any]:
        if "boom" in states:
            raise RuntimeError("step exploded")
        return [Done(s) for s in states]

    engine.add_listener(continuous("d", Stepwise(lambda names: list(names), step), max_batch_size=1))
    boom, after = engine.submit("d", ["boom"]), engine.submit("d", ["after"])
    assert isinstance(await outcome(boom), RuntimeError)
    assert await outcome(after) == "after"


async def test_time_limit_applies_per_item(engine: Engine) -> None:
    decoder = Decoder()

    async def slow_step(states: list[dict[str, Any]]) -> list[Any]:
        await asyncio.sleep(0.005)
        return await decoder.step(states)

    engine.add_listener(continuous("d", Stepwise(decoder.join, slow_step), max_batch_size=2, time_limit=0.15))
    short, long = engine.submit("d", ["s", 1]), engine.submit("d", ["l", 10_000])
    assert await outcome(short) == "s"
    error = await outcome(long)
    assert isinstance(error, EventTimeoutError) and "time_limit" in str(error)
    assert await outcome(engine.submit("d", ["n", 2])) == "nn"


async def test_a_hung_step_is_abandoned_once_every_member_timed_out(engine: Engine) -> None:
    release = threading.Event()

    def step(states: list[str]) -> list[Any]:
        if "stuck" in states:
            release.wait(5)
        return [Done(s) for s in states]

    engine.add_listener(continuous("d", Stepwise(lambda n: list(n), step), max_batch_size=2, time_limit=0.05))
    stuck = engine.submit("d", ["stuck"])
    await asyncio.sleep(0.01)
    after = engine.submit("d", ["after"])
    assert isinstance(await outcome(stuck), EventTimeoutError)
    assert await outcome(after) == "after"  # served by a fresh loop while the old step hangs
    release.set()


async def test_close_fails_members_of_a_step_that_outlives_the_grace() -> None:
    decoder = Decoder(gated=True)
    decoder.allow(1)  # one step completes (reported to no on_batch hook), the second hangs
    async with Engine() as engine:
        engine.add_listener(continuous("d", decoder.stepwise(), time_limit=30))
        job = engine.submit("d", ["a", 5])
        await decoder.wait_steps(2)
        await engine.close(grace=0.01)
    assert isinstance(await outcome(job), EngineClosedError)


async def test_an_event_cancelled_before_its_join_never_reaches_join(engine: Engine) -> None:
    decoder = Decoder()
    engine.add_listener(continuous("d", decoder.stepwise()))
    job = engine.submit("d", ["a", 1])
    await asyncio.sleep(0)  # dispatched: the loop's task exists but has not run yet
    assert job.cancel()
    await asyncio.sleep(0.01)
    assert decoder.joins == [] and engine._container_sizes()["batches"] == 0
    assert await outcome(engine.submit("d", ["b", 1])) == "b"


async def test_sync_functions_multiple_outputs_progress_and_leave_errors(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    class Counter(Stepwise[list[int]]):
        def join(self, starts: list[int]) -> list[list[int]]:
            return [[start] for start in starts]

        def step(self, states: list[list[int]]) -> list[Any]:
            report_progress(0.5, desc="decoding")
            for state in states:
                state[0] += 1
            return [Done((s[0], -s[0])) if s[0] >= 2 else (s[0], -s[0]) for s in states]

        def leave(self, states: list[list[int]]) -> None:
            raise RuntimeError("leave failed")

    messages: list[Any] = []
    engine.add_listener(continuous("d", Counter(), n_outputs=2))
    with caplog.at_level(logging.ERROR, "carpool.core"):
        job = engine.submit("d", [0], on_message=messages.append)
        assert await outcome(job) == (2, -2)
        await asyncio.sleep(0.05)  # leave runs at the boundary after the item finished
    assert [m.output for m in messages if isinstance(m, Generating)] == [(1, -1)]
    assert any(isinstance(m, Progress) for m in messages)
    assert "leave of" in caplog.text


async def test_an_async_step_that_never_suspends_does_not_starve_the_loop(engine: Engine) -> None:
    async def join(names: list[str]) -> list[list[Any]]:
        return [[n, 0] for n in names]

    async def step(states: list[list[Any]]) -> list[Any]:
        for state in states:
            state[1] += 1
        return [Done(s[1]) if s[1] >= 50 else s[1] for s in states]

    engine.add_listener(continuous("d", Stepwise(join, step)))
    job = engine.submit("d", ["a"])
    ticks = 0
    while not job.done():
        ticks += 1
        await asyncio.sleep(0)
    assert await outcome(job) == 50 and ticks > 1


async def test_eta_and_process_starts_use_step_time_and_item_lifetime(engine: Engine) -> None:
    decoder = Decoder()
    engine.add_listener(continuous("d", decoder.stepwise(), max_batch_size=1))
    first = engine.submit("d", ["warm", 4])
    assert first.estimation().eta is None or first.estimation().position == -1
    await results([first])
    decoder.gated = True
    running = engine.submit("d", ["r", 4], on_message=None)
    await asyncio.wait_for(decoder.stepping.wait(), 2)
    starts: list[Any] = []
    waiting = engine.submit("d", ["w", 1], on_message=starts.append)
    estimation = waiting.estimation()
    assert estimation.position == 0 and estimation.eta is not None and estimation.eta > 0
    decoder.allow(10)
    await results([running, waiting])
    process_starts = [m for m in starts if isinstance(m, ProcessStarts)]
    assert process_starts and process_starts[0].eta is not None


def test_step_estimator_arithmetic() -> None:
    estimator = StepEstimator()
    assert estimator.eta(0, 1, 4) is None and estimator.remaining() is None
    estimator.stepped(0.1)
    estimator.item_left(10)
    assert estimator.remaining() == pytest.approx(1.0)
    assert estimator.eta(0, 1, 4) == pytest.approx(1.1)  # joins at the next step, runs 10 steps
    # 4 slots, items live 10 steps: 0.4 slots free per step; the 2nd in line needs 2 leaves (5 steps)
    assert estimator.eta(1, 0, 4) == pytest.approx((1 + 2 * 10 / 4 + 10) * 0.1)
    estimator.stepped(0.2)
    assert estimator.step_time == pytest.approx(0.1 + 0.2 * 0.1)


def test_stepwise_configuration_errors() -> None:
    with pytest.raises(TypeError, match="join"):
        Stepwise(step=lambda s: s)
    with pytest.raises(TypeError, match="step"):
        Stepwise(join=lambda s: s)
    fn = Stepwise(lambda n: n, lambda s: s, name="decode")
    assert repr(fn) == "<Stepwise decode>" and fn.__name__ == "decode"
    with pytest.raises(ValueError, match="batch=True"):
        ListenerConfig(listener_id="x", fn=fn)
    with pytest.raises(ValueError, match="pad_to_multiple"):
        ListenerConfig(listener_id="x", fn=fn, batch=True, pad_to_multiple=8)
    assert ListenerConfig(listener_id="x", fn=fn, batch=True).stepwise


async def test_an_internal_error_in_the_loop_is_logged_and_its_events_fail(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(self: StepLoop) -> int:
        raise RuntimeError("bug")

    monkeypatch.setattr(StepLoop, "_drop_over", broken)
    engine.add_listener(continuous("d", Decoder().stepwise()))
    with caplog.at_level(logging.ERROR, "carpool.core"):
        assert isinstance(await outcome(engine.submit("d", ["a", 1])), EngineClosedError)
    assert "internal error in the step loop" in caplog.text


async def test_fake_clock_waits_and_run_times(records: list[BatchRecord]) -> None:
    clock = FakeClock()
    decoder = Decoder(gated=True)
    async with Engine(clock=clock, on_batch=records.append) as engine:
        engine.add_listener(continuous("d", decoder.stepwise(), max_batch_size=1))
        first = engine.submit("d", ["a", 1])
        await asyncio.wait_for(decoder.stepping.wait(), 2)
        second = engine.submit("d", ["b", 1])
        clock.advance(0.5)
        decoder.allow(2)
        await results([first, second])
    steps = [r for r in records if r.reason == "step"]
    assert steps[0].run_time == pytest.approx(0.5)
    assert len(steps[1].waits) == 1
    assert steps[1].waits[0] == pytest.approx(0.5)  # b waited for a's slot


def test_calling_a_stepwise_directly_runs_one_item_alone() -> None:
    left: list[Any] = []

    def step(states: list[list[Any]]) -> list[Any]:
        state = states[0]
        state[0] += 1
        if state[1] == "fail":
            return [ValueError("bad item")]
        if state[1] == "stop" and state[0] == 2:
            return [FINISHED]
        return [Done(state[0]) if state[0] >= 3 else state[0]]

    def join(names: list[str]) -> list[Any]:
        return [KeyError(n) if n == "no-join" else [0, n] for n in names]

    fn = Stepwise(join, step, left.append)
    assert list(fn("ok")) == [1, 2, 3]
    assert list(fn("stop")) == [1]
    with pytest.raises(ValueError, match="bad item"):
        list(fn("fail"))
    with pytest.raises(KeyError):
        list(fn("no-join"))
    assert len(left) == 4  # leave ran every time

    async def async_step(states: list[Any]) -> list[Any]:
        return states

    with pytest.raises(TypeError, match="through the engine"):
        list(Stepwise(join, async_step)("x"))


async def test_with_outputs_transforms_streamed_and_final_outputs_only(engine: Engine) -> None:
    def step(states: list[list[Any]]) -> list[Any]:
        out: list[Any] = []
        for state in states:
            state[1] += 1
            if state[0] == "bad":
                out.append(ValueError("bad"))
            elif state[0] == "stop" and state[1] == 2:
                out.append(FINISHED)
            else:
                out.append(Done(state[1]) if state[1] >= 2 else state[1])
        return out

    async def async_step(states: list[list[Any]]) -> list[Any]:
        return step(states)

    join = lambda names: [[n, 0] for n in names]  # noqa: E731
    for name, fn in (("sync", Stepwise(join, step)), ("async", Stepwise(join, async_step))):
        wrapped = fn.with_outputs(lambda n: f"reply {n}")
        engine.add_listener(continuous(name, wrapped))
        seen: list[Any] = []
        ok = engine.submit(name, ["ok"], on_message=seen.append)
        stop, bad = engine.submit(name, ["stop"]), engine.submit(name, ["bad"])
        assert await outcome(ok) == "reply 2" and await outcome(stop) == "reply 1"
        assert isinstance(await outcome(bad), ValueError)
        assert [m.output for m in seen if isinstance(m, Generating)] == ["reply 1"]


class _RecordingThreads(ThreadExecutor):
    """Records the name of every function sent to a thread."""

    def __init__(self) -> None:
        super().__init__(4)
        self.names: list[str] = []

    async def run(self, fn: Any, /, *args: Any) -> Any:
        self.names.append(getattr(fn, "__name__", repr(fn)))
        return await super().run(fn, *args)


def _countdown_join(lengths: list[int]) -> list[list[int]]:
    return [[int(n)] for n in lengths]


def _countdown_step(states: list[list[int]]) -> list[Any]:
    for state in states:
        state[0] -= 1
    return [Done("done") if state[0] <= 0 else "..." for state in states]


async def test_a_stepwise_without_leave_costs_no_call_when_items_leave() -> None:
    """Nothing to free: no thread hand-off at the boundaries where items left (the running set would
    wait for it). A given ``leave`` is still called."""
    freed: list[Any] = []
    plain = Stepwise(_countdown_join, _countdown_step)
    freeing = Stepwise(_countdown_join, _countdown_step, freed.extend)
    assert not plain.frees() and plain.leave([[0]]) is None  # the default frees nothing
    assert freeing.frees() and not plain.with_outputs(str).frees()
    assert freeing.with_outputs(str).frees()

    class Subclassed(Stepwise[list[int]]):
        def join(self, lengths: list[int]) -> list[list[int]]:
            return _countdown_join(lengths)

        def step(self, states: list[list[int]]) -> list[Any]:
            return _countdown_step(states)

        def leave(self, states: list[list[int]]) -> None:
            freed.extend(states)

    assert Subclassed().frees()
    for fn, leaves in ((plain, 0), (freeing, 1)):
        threads = _RecordingThreads()
        async with Engine(executor=threads) as engine:
            engine.add_listener(ListenerConfig(listener_id="f", fn=fn, batch=True, max_batch_size=4))
            assert await results([engine.submit("f", [n]) for n in (1, 3)]) == ["done", "done"]
            await asyncio.sleep(0.05)  # the boundary after the last item left
        threads.shutdown()
        assert sum(name in ("leave", "extend") for name in threads.names) >= leaves
        assert leaves or all(name in ("_countdown_join", "_countdown_step") for name in threads.names)
