"""Reading a listener function's signature: which parameters take inputs, which ask for extras.

A function may declare, anywhere among its parameters, ``request: carpool.Request``,
``progress=carpool.Progress()`` and ``store=carpool.Cache()``. Those are not inputs: carpool fills them
per call. A :class:`CallPlan`
records, once at registration, where each goes, so the per-call work is a short loop.
"""

from __future__ import annotations

import enum
import functools
import inspect
import re
import typing
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from carpool.app._cache import Cache
from carpool.app._event_data import EVENT_DATA_CLASSES, EventData
from carpool.app._progress import Progress
from carpool.app._request import Request
from carpool.core.callables import FnKind

__all__ = ["CallPlan", "FnKind", "Slot", "call_plan", "fn_kind", "fn_name", "free_parameters"]

_REQUEST_ANNOTATION = re.compile(r"(^|[\s\[|.(,])Request\b")
_EVENT_DATA_ANNOTATION = re.compile(r"(^|[\s\[|.(,])(" + "|".join(EVENT_DATA_CLASSES) + r")\b")


class Slot(enum.Enum):
    INPUT = "input"
    REQUEST = "request"
    PROGRESS = "progress"
    EVENT_DATA = "event_data"
    CACHE = "cache"  # a ``carpool.Cache()`` default: the function always gets that store


@dataclass(frozen=True)
class Param:
    name: str
    slot: Slot
    positional: bool  # may be passed by position
    default: Any = inspect.Parameter.empty
    event_class: type[EventData] = EventData  # for Slot.EVENT_DATA: the kind the parameter asks for


@dataclass(frozen=True)
class CallPlan:
    """Where the inputs and the injected extras go in a call of the function."""

    params: tuple[Param, ...]  # the named, non-variadic parameters in order
    input_names: tuple[str, ...]  # names of the parameters that take inputs, in order
    required_inputs: int  # inputs without a default
    takes_varargs: bool

    @property
    def injects(self) -> bool:
        return any(param.slot is not Slot.INPUT for param in self.params)

    @property
    def max_inputs(self) -> int | None:
        return None if self.takes_varargs else len(self.input_names)

    def arguments(
        self, values: Sequence[Any], extras: Mapping[Slot, Any]
    ) -> tuple[list[Any], dict[str, Any]]:
        """Positional and keyword arguments: inputs by position, extras in place or by keyword."""
        args: list[Any] = []
        kwargs: dict[str, Any] = {}
        remaining = iter(values)
        positional = True  # still filling parameters by position, with no gap
        for param in self.params:
            if param.slot is Slot.INPUT:
                value = next(remaining, _MISSING)
                if value is _MISSING:
                    positional = False
                elif positional and param.positional:
                    args.append(value)
                else:
                    kwargs[param.name] = value
            elif positional and param.positional:
                args.append(_extra(param, extras))
            else:
                kwargs[param.name] = _extra(param, extras)
        args.extend(remaining)  # into *args, or a TypeError from the call itself
        return args, kwargs


_MISSING = object()


def _extra(param: Param, extras: Mapping[Slot, Any]) -> Any:
    if param.slot is Slot.CACHE:
        return param.default
    # event data is built per parameter: each asks for its own kind (SelectData, LikeData, ...)
    value = extras[param.slot]
    return value(param.event_class) if param.slot is Slot.EVENT_DATA else value


def _event_data_class(annotation: Any) -> type[EventData] | None:
    """The EventData kind an annotation names (``gr.LikeData``, ``"LikeData | None"``), if any."""
    if isinstance(annotation, type) and issubclass(annotation, EventData):
        return annotation
    if isinstance(annotation, str):
        match = _EVENT_DATA_ANNOTATION.search(annotation)
        return EVENT_DATA_CLASSES[match.group(2)] if match else None
    for arg in typing.get_args(annotation):
        found = _event_data_class(arg)
        if found is not None:
            return found
    return None


def _annotation_is_request(annotation: Any) -> bool:
    if annotation is Request:
        return True
    if isinstance(annotation, str):
        return bool(_REQUEST_ANNOTATION.search(annotation))
    return any(_annotation_is_request(arg) for arg in typing.get_args(annotation))


def _resolved_hints(fn: Callable[..., Any]) -> dict[str, Any]:
    # With ``from __future__ import annotations`` annotations are strings; resolve them when the
    # function's globals allow it, else match the string (``"gr.Request | None"``).
    try:
        return typing.get_type_hints(fn)
    except Exception:
        return {}


def _slot(param: inspect.Parameter, hints: Mapping[str, Any]) -> Slot:
    if isinstance(param.default, Progress):
        return Slot.PROGRESS
    if isinstance(param.default, Cache):
        return Slot.CACHE
    annotation = hints.get(param.name, param.annotation)
    if annotation is not inspect.Parameter.empty and _annotation_is_request(annotation):
        return Slot.REQUEST
    if annotation is not inspect.Parameter.empty and _event_data_class(annotation) is not None:
        return Slot.EVENT_DATA
    return Slot.INPUT


def call_plan(fn: Callable[..., Any]) -> CallPlan:
    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError):  # some builtins: assume plain positional inputs
        return CallPlan(params=(), input_names=(), required_inputs=0, takes_varargs=True)
    hints = _resolved_hints(fn)
    params: list[Param] = []
    takes_varargs = False
    for param in signature.parameters.values():
        if param.kind is inspect.Parameter.VAR_POSITIONAL:
            takes_varargs = True
            continue
        if param.kind is inspect.Parameter.VAR_KEYWORD:
            continue
        slot = _slot(param, hints)
        if slot is Slot.INPUT and param.kind is inspect.Parameter.KEYWORD_ONLY:
            continue  # never filled from inputs; keeps its default
        positional = param.kind is not inspect.Parameter.KEYWORD_ONLY
        event_class = (
            _event_data_class(hints.get(param.name, param.annotation)) if slot is Slot.EVENT_DATA else None
        )
        params.append(Param(param.name, slot, positional, param.default, event_class or EventData))
    inputs = [param for param in params if param.slot is Slot.INPUT]
    required = sum(1 for param in inputs if param.default is inspect.Parameter.empty)
    return CallPlan(tuple(params), tuple(p.name for p in inputs), required, takes_varargs)


def free_parameters(fn: Callable[..., Any], names: Sequence[str], n_inputs: int) -> tuple[str, ...]:
    """Those of ``names`` that ``fn`` declares as parameters no input fills (``**kwargs`` does not count)."""
    try:
        parameters = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return ()
    filled = set(call_plan(fn).input_names[:n_inputs])
    variadic = (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
    return tuple(
        name
        for name in names
        if name in parameters and parameters[name].kind not in variadic and name not in filled
    )


def fn_kind(fn: Callable[..., Any]) -> FnKind:
    """What calling ``fn`` gives (the engine's own classifier: partials, objects with ``__call__``)."""
    return FnKind.of(fn)


def fn_name(fn: Callable[..., Any]) -> str:
    """A readable name for messages and default api names (``"lambda"`` for a lambda)."""
    target: Any = fn
    while isinstance(target, functools.partial):
        target = target.func
    name = getattr(target, "__name__", None) or type(target).__name__
    return "lambda" if name == "<lambda>" else str(name)
