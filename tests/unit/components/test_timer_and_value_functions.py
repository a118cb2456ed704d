"""Timer (interval in, interval out, ticks) and components whose value is a function of inputs/timers."""

from __future__ import annotations

import random

import pytest

import carpool as cp
from carpool.components import Timer
from carpool.exceptions import InvalidInputError


def test_timer_value_is_its_interval_in_seconds() -> None:
    timer = Timer(0.5, active=False, render=False)
    assert timer.preprocess(2) == 2.0 and timer.postprocess(0.2) == 0.2 and timer.preprocess(None) is None
    assert timer.props()["active"] is False and timer.props()["value"] == 0.5
    assert timer.props()["visible"] is False


@pytest.mark.parametrize("payload", [0, -1, "1", True, float("inf")])
def test_timer_rejects_what_is_not_a_positive_interval(payload: object) -> None:
    with pytest.raises(InvalidInputError, match="Timer expects a positive number of seconds"):
        Timer(render=False).preprocess(payload)
    with pytest.raises(ValueError, match="Timer output"):
        Timer(render=False).postprocess(payload)


def test_timer_interval_must_be_positive_at_build_time() -> None:
    with pytest.raises(ValueError, match="Timer interval must be a positive number"):
        Timer(0, render=False)


def test_a_returned_timer_is_an_update_of_active() -> None:
    assert Timer(active=True, render=False).update_props() == {"__type__": "update", "active": True}


def test_tick_registers_a_listener_on_the_timer() -> None:
    with cp.Blocks() as demo:
        timer = cp.Timer(1)
        out = cp.Number()
        timer.tick(lambda: 1, None, out, api_name="tick_once")
    (dependency,) = demo.dependencies
    assert dependency.targets == [(timer.id, "tick")] and dependency.api_name == "tick_once"


def test_value_function_with_every_seconds_places_a_timer_and_runs_on_load_and_tick() -> None:
    def now() -> int:
        return 1

    with cp.Blocks() as demo:
        number = cp.Number(now, every=2, label="Clock")
    (dependency,) = demo.dependencies
    (timer,) = [block for block in demo.blocks.values() if isinstance(block, Timer)]
    assert timer.value == 2 and timer in demo.children
    assert dependency.targets == [(0, "load"), (timer.id, "tick")]
    assert dependency.fn is now and dependency.outputs == [number] and dependency.api_name is None
    assert dependency.options.show_progress == "hidden"
    assert number.config_value() is None  # computed when a page opens, not when the config is built


def test_value_function_of_inputs_reruns_when_an_input_changes_or_its_timer_ticks() -> None:
    def pick(low: float, high: float) -> int:
        return random.randint(int(low), int(high))

    with cp.Blocks() as demo:
        timer = cp.Timer(1)
        low, high = cp.Number(1), cp.Number(10)
        number = cp.Number(pick, inputs=[low, high], every=timer)
    (dependency,) = demo.dependencies
    assert dependency.targets == [(0, "load"), (low.id, "change"), (high.id, "change"), (timer.id, "tick")]
    assert dependency.inputs == [low, high] and dependency.outputs == [number]
    assert demo(1, 1, fn_index=0) == 1


def test_a_plain_value_with_every_is_kept_as_it_is() -> None:
    with cp.Blocks() as demo:
        box = cp.Textbox("fixed", every=1)
    assert box.config_value() == "fixed" and demo.dependencies == []


@pytest.mark.parametrize("every", ["often", True])
def test_every_must_be_seconds_or_a_timer(every: object) -> None:
    with (
        pytest.raises(TypeError, match=r"every= must be a number of seconds or a carpool\.Timer"),
        cp.Blocks(),
    ):
        cp.Number(lambda: 1, every=every)


def test_value_function_outside_a_blocks_says_where_it_belongs() -> None:
    with pytest.raises(RuntimeError, match="must be created inside"):
        cp.Number(lambda: 1, every=1, render=False)


def test_text_and_textarea_are_textboxes() -> None:
    assert cp.Text is cp.Textbox
    area = cp.TextArea(render=False)
    assert isinstance(area, cp.Textbox) and area.lines == 7 and area.props()["max_lines"] == 20
