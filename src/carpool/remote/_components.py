"""Local components standing in for a remote app's: same kind, label, choices, range and value.

A kind carpool does not have becomes a ``JSON`` component, which passes any value through. Components
that hold files are built with ``type="filepath"``: the local function then gets a path it can upload
to the remote app, and returns the path of what it downloaded.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from functools import cache
from typing import Any

import carpool.components as cc
from carpool.components import Component
from carpool.remote._spec import RemoteComponent

__all__ = ["FILE_KINDS", "local_component"]

FILE_KINDS = frozenset({"image", "audio", "video", "file", "model3d"})
# Properties that mean the same on both sides and that the local constructors take.
_COPIED = (
    "label",
    "info",
    "show_label",
    "value",
    "lines",
    "max_lines",
    "placeholder",
    "minimum",
    "maximum",
    "step",
    "precision",
    "choices",
    "multiselect",
)


@cache
def _classes() -> dict[str, type[Component]]:
    """Component kind -> the carpool class of that kind (the first exported one)."""
    found: dict[str, type[Component]] = {}
    for name in sorted(cc.__all__):
        value = getattr(cc, name, None)
        if inspect.isclass(value) and issubclass(value, Component) and value.block_type != "component":
            found.setdefault(value.block_type, value)
    return found


def _accepted(cls: type[Component]) -> frozenset[str]:
    names: set[str] = set()
    for klass in _init_chain(cls):
        names.update(inspect.signature(klass.__init__).parameters)
    return frozenset(names)


def _init_chain(cls: type[Component]) -> Iterator[type[Any]]:
    for klass in cls.__mro__:
        if "__init__" in vars(klass) and klass is not object:
            yield klass


def local_component(remote: RemoteComponent) -> Component:
    """An unrendered local component like ``remote`` (place it with ``.render()``)."""
    cls = _classes().get(remote.type, cc.JSON)
    accepted = _accepted(cls)
    kwargs: dict[str, Any] = {k: remote.props[k] for k in _COPIED if k in remote.props and k in accepted}
    if remote.type in FILE_KINDS:
        kwargs.pop("value", None)  # a remote file reference means nothing here
        if "type" in accepted:
            kwargs["type"] = "filepath"
    try:
        return cls(**kwargs, render=False)
    except (TypeError, ValueError):  # a property the local class reads differently: keep the label
        label = remote.props.get("label")
        extra: dict[str, Any] = {"type": "filepath"} if "type" in kwargs else {}
        return cls(label=label if isinstance(label, str) else None, render=False, **extra)
