"""Step-wise (continuous) batching: the function's side of the contract.

A ``Stepwise`` function is two batched calls the engine alternates between, instead of one call per
batch: ``join`` turns newcomers' inputs into one state each (a prefill: a KV-cache row), and ``step``
advances every state of the running set by one step (one decode step) and returns one output per state.
The engine owns the running set and its step boundaries: waiting events join between steps, and an item
leaves the moment it finished, failed, timed out or was cancelled, so its slot goes to a waiting event at
the next step. See ``docs/batching.md`` for why the API has this shape.

What ``step`` returns for each state (one entry per state, in order):

- a value: the item's output so far, streamed to its event (a ``Generating`` message);
- ``Done(value)``: the item's final output; it leaves;
- ``FINISHED``: the item ends with the last value it streamed; it leaves;
- an exception instance: that item fails with it; the others go on.

``join`` returns one state per newcomer, or an exception instance for a newcomer that cannot join. Both
may be plain or ``async def``; plain ones run in the engine's executor (off the loop), one call at a time.
``leave(states)`` (optional) is called with the states of items that left, to free their rows.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from carpool.core.outputs import FINISHED

__all__ = ["Done", "StepEstimator", "Stepwise"]

S = TypeVar("S")

_EWMA = 0.2  # weight of the newest sample in the step-time / lifetime averages


@dataclass(frozen=True, slots=True)
class Done:
    """Put by ``step`` for an item that is complete: ``value`` is its final output."""

    value: Any


class Stepwise(Generic[S]):
    """A continuously batched function: pass ``join`` and ``step`` (and ``leave``), or subclass and
    define them as methods.

    ``join(*columns) -> list[state | exception]`` gets one list per input (like a batched function)
    holding the newcomers only; ``step(states) -> list[output]`` gets the states of the running set.
    """

    def __init__(
        self,
        join: Callable[..., Any] | None = None,
        step: Callable[[list[S]], Any] | None = None,
        leave: Callable[[list[S]], Any] | None = None,
        *,
        name: str | None = None,
    ) -> None:
        join = join or getattr(self, "join", None)  # a subclass defines them as methods
        step = step or getattr(self, "step", None)
        if join is None:
            raise TypeError("Stepwise needs a join function (or a subclass defining join)")
        if step is None:
            raise TypeError("Stepwise needs a step function (or a subclass defining step)")
        self._calls: dict[str, Callable[..., Any]] = {
            "join": join,
            "step": step,
            "leave": leave or self.leave,
        }
        # Without a leave of its own there is nothing to free: the engine then skips the call (a
        # thread hand-off at most step boundaries, time the running set would wait for).
        self._frees = leave is not None or type(self).leave is not Stepwise.leave
        self.__qualname__ = name or getattr(step, "__qualname__", None) or type(self).__qualname__
        self.__name__ = self.__qualname__  # what the app layer names the listener after

    def leave(self, states: list[S]) -> Any:
        """Items left the running set: free what their states hold (the default does nothing)."""
        return None

    def frees(self) -> bool:
        """Does ``leave`` do anything (given, or defined by a subclass)?"""
        return self._frees

    def call(self, method: str) -> Callable[..., Any]:
        """The function the engine calls for ``method`` ("join", "step" or "leave")."""
        return self._calls[method]

    def with_outputs(self, transform: Callable[[Any], Any]) -> Stepwise[S]:
        """This function with every output of ``step`` passed through ``transform`` (the value inside a
        ``Done`` too; ``FINISHED`` and exceptions pass as they are): how a wrapper such as a chat UI
        turns a reply into what its outputs show without knowing the decode loop."""
        step = self._calls["step"]

        def convert(outputs: Sequence[Any]) -> list[Any]:
            return [_transformed(output, transform) for output in outputs]

        if self.is_async("step"):

            async def async_step(states: list[S]) -> list[Any]:
                return convert(await step(states))

            return Stepwise(self._calls["join"], async_step, self._own_leave(), name=self.__qualname__)

        def sync_step(states: list[S]) -> list[Any]:
            return convert(step(states))

        return Stepwise(self._calls["join"], sync_step, self._own_leave(), name=self.__qualname__)

    def _own_leave(self) -> Callable[[list[S]], Any] | None:
        return self._calls["leave"] if self._frees else None

    def is_async(self, method: str) -> bool:
        return inspect.iscoroutinefunction(self._calls[method])

    def __call__(self, *inputs: Any) -> Iterator[Any]:
        """Run one item alone, outside an engine (a running set of one), yielding its outputs.

        This is what calling the listener's function directly does (as for any function in carpool);
        only plain ``join``/``step`` can run this way.
        """
        if self.is_async("join") or self.is_async("step"):
            raise TypeError(f"{self!r} has async join/step: run it through the engine (or a Blocks app)")
        states = list(self._calls["join"](*([value] for value in inputs)))
        try:
            while True:
                if isinstance(states[0], BaseException):
                    raise states[0]
                (output,) = self._calls["step"](states)
                if isinstance(output, BaseException):
                    raise output
                if output is FINISHED:
                    return
                if isinstance(output, Done):
                    yield output.value
                    return
                yield output
        finally:
            self._calls["leave"](states)

    def __repr__(self) -> str:
        return f"<Stepwise {self.__qualname__}>"


def _transformed(output: Any, transform: Callable[[Any], Any]) -> Any:
    if output is FINISHED or isinstance(output, BaseException):
        return output
    if isinstance(output, Done):
        return Done(transform(output.value))
    return transform(output)


class StepEstimator:
    """Running averages of a step loop for ETAs: seconds per step and steps an item stays."""

    def __init__(self) -> None:
        self.step_time: float | None = None
        self.lifetime: float | None = None  # steps from join to leave

    def stepped(self, seconds: float) -> None:
        self.step_time = (
            seconds if self.step_time is None else self.step_time + _EWMA * (seconds - self.step_time)
        )

    def item_left(self, steps: int) -> None:
        self.lifetime = steps if self.lifetime is None else self.lifetime + _EWMA * (steps - self.lifetime)

    def eta(self, position: int, free_slots: int, capacity: int) -> float | None:
        """Seconds until the event at ``position`` of the queue has its result.

        With ``free_slots`` free it joins at the next boundary; otherwise it needs ``position - free + 1``
        items to leave first, and a full running set of ``capacity`` items with a lifetime of ``L`` steps
        frees ``capacity / L`` slots per step.
        """
        if self.step_time is None or self.lifetime is None:
            return None
        lifetime = max(self.lifetime, 1.0)
        if position < free_slots:
            steps_to_join = 1.0
        else:
            steps_to_join = 1.0 + (position - free_slots + 1) * lifetime / capacity
        return (steps_to_join + lifetime) * self.step_time

    def remaining(self) -> float | None:
        """Expected seconds an item that just joined runs."""
        if self.step_time is None or self.lifetime is None:
            return None
        return max(self.lifetime, 1.0) * self.step_time
