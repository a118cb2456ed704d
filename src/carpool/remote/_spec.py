"""What a remote app offers, read from its ``/config``: endpoints with their input and output components.

carpool's and Gradio's ``/config`` share the shape this needs -- ``components`` as ``{"id", "type",
"props"}`` and ``dependencies`` naming input/output component ids, ``api_name``, ``batch``,
``max_batch_size`` and ``types.generator`` -- so one reader serves both. ``State`` components are left
out: they live on the remote server, and neither API takes or returns them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from carpool.exceptions import ProtocolError

__all__ = ["RemoteComponent", "RemoteEndpoint", "endpoints_of"]

_SERVER_SIDE = frozenset({"state"})


@dataclass(frozen=True)
class RemoteComponent:
    type: str  # the remote's component name, lower case ("textbox", "image", ...)
    props: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RemoteEndpoint:
    api_name: str
    inputs: tuple[RemoteComponent, ...]
    outputs: tuple[RemoteComponent, ...]
    batch: bool = False
    max_batch_size: int = 4
    generator: bool = False


def endpoints_of(config: Any) -> list[RemoteEndpoint]:
    """Every named endpoint with a function that the remote's API shows, in its order."""
    if not isinstance(config, dict):
        raise ProtocolError("the remote /config is not a JSON object")
    components = {
        item["id"]: RemoteComponent(str(item.get("type", "")).lower(), item.get("props") or {})
        for item in config.get("components", [])
        if isinstance(item, dict) and "id" in item
    }
    endpoints = []
    for dep in config.get("dependencies", []):
        if not isinstance(dep, dict) or not _is_public_api(dep):
            continue
        endpoints.append(
            RemoteEndpoint(
                api_name=str(dep["api_name"]).strip("/"),
                # a carpool app shows Gradio's clients a chat listener's history as a state slot;
                # its own view of the listener (the history an argument) is under carpool_*
                inputs=_client_side(dep.get("carpool_inputs", dep.get("inputs", [])), components),
                outputs=_client_side(dep.get("carpool_outputs", dep.get("outputs", [])), components),
                batch=bool(dep.get("batch", False)),
                max_batch_size=int(dep.get("max_batch_size") or 4),
                generator=bool((dep.get("types") or {}).get("generator", False)),
            )
        )
    return endpoints


def _is_public_api(dep: Mapping[str, Any]) -> bool:
    if not dep.get("backend_fn") or not isinstance(dep.get("api_name"), str):
        return False
    # carpool says "show_api"; Gradio 5+ says "api_visibility" ("public", "private", "undocumented")
    return dep.get("show_api", True) is not False and dep.get("api_visibility", "public") == "public"


def _client_side(ids: Any, components: Mapping[Any, RemoteComponent]) -> tuple[RemoteComponent, ...]:
    found = []
    for component_id in ids if isinstance(ids, list) else []:
        component = components.get(component_id)
        if component is None:
            raise ProtocolError(f"the remote /config names an unknown component {component_id!r}")
        if component.type not in _SERVER_SIDE:
            found.append(component)
    return tuple(found)
