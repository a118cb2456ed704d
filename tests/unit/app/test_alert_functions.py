"""carpool.Info / Warning / Success / Error: Gradio's signatures, and what happens outside an event."""

from __future__ import annotations

import inspect

import pytest

import carpool as cp

gradio = pytest.importorskip("gradio")


@pytest.mark.parametrize("name", ["Info", "Warning", "Success"])
def test_the_notes_take_gradios_arguments_with_its_defaults(name: str) -> None:
    ours = inspect.signature(getattr(cp, name)).parameters
    theirs = inspect.signature(getattr(gradio, name)).parameters
    assert [(p.name, p.default) for p in ours.values()] == [(p.name, p.default) for p in theirs.values()]


def test_error_takes_gradios_arguments_with_its_defaults() -> None:
    ours = cp.Error()
    theirs = gradio.Error()
    for name in ("message", "duration", "visible", "title", "print_exception"):
        assert getattr(ours, name) == getattr(theirs, name), name
    positional = cp.Error("m", 3, False, "T")  # Gradio's positional order
    assert (positional.duration, positional.visible, positional.title) == (3, False, "T")


def test_outside_an_event_info_prints_and_warning_warns(capsys: pytest.CaptureFixture[str]) -> None:
    cp.Info("hello")
    cp.Success("done")
    assert capsys.readouterr().out == "hello\ndone\n"
    with pytest.warns(UserWarning, match="careful"):
        cp.Warning("careful")


def test_a_direct_call_prints_the_notes_of_its_function(
    capsys: pytest.CaptureFixture[str],
) -> None:
    def shout(text: str) -> str:
        cp.Info("shouting")
        return text.upper()

    demo = cp.Interface(shout, "textbox", "textbox")
    assert demo("hi") == "HI"
    assert capsys.readouterr().out == "shouting\n"  # no server, no event: printed, as Gradio does
