"""What the client knows of an app's endpoints, read once from ``GET /info``.

It lets a call fail early and helpfully, as Gradio's client does: trailing inputs that have a default
(an Interface's ``additional_inputs``) may be left out, a plain path where a file is expected names
``handle_file()``, and a call to an endpoint that does not exist lists the ones that do. When ``/info``
cannot be read, calls go to the server unchanged and its own errors speak.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from carpool.exceptions import InvalidInputError, UnknownEndpointError

__all__ = ["Endpoint", "EndpointDirectory", "Parameter"]


@dataclass(frozen=True)
class Parameter:
    name: str
    takes_files: bool
    has_default: bool
    default: Any
    stateful: bool = False  # a State input: its value lives on the server, the call sends null


@dataclass(frozen=True)
class Endpoint:
    name: str
    parameters: tuple[Parameter, ...]
    stateful_returns: tuple[bool, ...]

    def complete(self, data: Sequence[Any]) -> list[Any]:
        """``data`` with the left-out trailing inputs filled from their defaults; checked for files.

        As in ``gradio_client``, a call may leave State inputs out (their values live on the server):
        given no more values than the endpoint has other inputs, ``null`` goes in each State's slot.
        """
        data = self._with_state_slots(data)
        missing = self.parameters[len(data) :]
        required = [param.name for param in missing if not (param.has_default or param.stateful)]
        if required:
            raise TypeError(f"/{self.name} is missing required input(s): {', '.join(required)}")
        values = [*data, *(None if param.stateful else param.default for param in missing)]
        for param, value in zip(self.parameters, values, strict=False):
            if param.takes_files and _holds_plain_path(value):
                raise InvalidInputError(
                    f"{param.name!r} takes a file: pass handle_file({_first_path(value)!r}), "
                    "not the path as a string (the client uploads it)",
                    parameter=param.name,
                )
        return values

    def _with_state_slots(self, data: Sequence[Any]) -> Sequence[Any]:
        if not any(p.stateful for p in self.parameters):
            return data
        if len(data) > sum(not p.stateful for p in self.parameters):
            return data  # the State slots were sent too (carpool's own call shape)
        given = iter(data)
        filled: list[Any] = []
        for param in self.parameters:
            if param.stateful:
                filled.append(None)
                continue
            value = next(given, _LEFT_OUT)
            if value is _LEFT_OUT:
                break
            filled.append(value)
        return filled


_LEFT_OUT = object()


class EndpointDirectory:
    """The endpoints listed in ``/info``, by api name (hidden endpoints are callable but not listed)."""

    def __init__(self, info: Any) -> None:
        endpoints = info.get("endpoints", {}) if isinstance(info, Mapping) else {}
        self._endpoints = {
            str(name): _endpoint(str(name), spec)
            for name, spec in endpoints.items()
            if isinstance(spec, Mapping)
        }

    def get(self, api_name: str) -> Endpoint | None:
        return self._endpoints.get(api_name.strip("/"))

    def unknown(self, api_name: str) -> UnknownEndpointError:
        """The error for a call to an endpoint the server does not have, naming those it has."""
        names = ", ".join(f"/{name}" for name in sorted(self._endpoints)) or "none"
        return UnknownEndpointError(
            f"this app has no endpoint {'/' + api_name.strip('/')!r}; its endpoints: {names} "
            "(choose one with api_name=...)"
        )


def _endpoint(name: str, spec: Mapping[str, Any]) -> Endpoint:
    parameters = tuple(
        Parameter(
            name=str(param.get("parameter_name") or param.get("label") or f"param_{index}"),
            takes_files=_mentions_file_data(param.get("schema")),
            has_default=bool(param.get("parameter_has_default")),
            default=param.get("parameter_default"),
            stateful=bool(param.get("stateful")),
        )
        for index, param in enumerate(spec.get("parameters", []))
        if isinstance(param, Mapping)
    )
    returns = tuple(
        bool(entry.get("stateful")) for entry in spec.get("returns", []) if isinstance(entry, Mapping)
    )
    return Endpoint(name, parameters, returns)


def _mentions_file_data(schema: Any) -> bool:
    if isinstance(schema, Mapping):
        return schema.get("title") == "FileData" or any(_mentions_file_data(v) for v in schema.values())
    if isinstance(schema, list):
        return any(_mentions_file_data(item) for item in schema)
    return False


def _holds_plain_path(value: Any) -> bool:
    if isinstance(value, str):
        return True
    return isinstance(value, list | tuple) and any(isinstance(item, str) for item in value)


def _first_path(value: Any) -> str:
    if isinstance(value, str):
        return value
    return str(next(item for item in value if isinstance(item, str)))
