"""``/config`` and ``/gradio_api/info`` as Gradio 6's clients read them, derived from carpool's own.

carpool's ``/config`` already has Gradio's skeleton (``components`` with ``id``/``type``/``props``,
``dependencies`` with ``id``, ``targets``, ``inputs``, ``outputs``, ``api_name``, ``backend_fn``...);
this adds the fields Gradio's clients branch on, without removing any that carpool's page reads:

- ``version``: a Gradio 6 version. A client that finds an old version (before 3.37) does not ask the
  app for its API but POSTs the whole config to a web service on the internet; carpool's own version
  moves to ``carpool_version``, its protocol name to ``carpool_protocol``;
- ``protocol: "sse_v3"`` and ``api_prefix: "/gradio_api"``: where and how to queue events;
- per component ``skip_api`` (State and layout blocks are not API values) and, for every component an
  endpoint reads or writes, ``api_info`` (its value's JSON schema, files as Gradio's FileData);
- per dependency ``api_visibility`` (``public``, ``undocumented`` for ``show_api=False``, ``private``
  for an unnamed one).
"""

from __future__ import annotations

from typing import Any

from carpool.server.gradio._chat import HISTORY_INPUT, HISTORY_OUTPUT, chat_config
from carpool.server.gradio._values import GRADIO_FILE_TYPE, to_gradio

__all__ = ["API_PREFIX", "GRADIO_VERSION", "gradio_config", "gradio_info"]

GRADIO_VERSION = "6.0.0"  # the Gradio release whose wire protocol this layer speaks
API_PREFIX = "/gradio_api"  # where Gradio's routes live, below the app's root
# Blocks that hold no API value: Gradio's clients insert or drop their slots.
SKIP_API_TYPES = frozenset(
    {"state", "row", "column", "group", "accordion", "tabs", "tab", "form", "layout", "block"}
)
_CLASS_NAMES = {
    "checkboxgroup": "CheckboxGroup",
    "multimodaltextbox": "MultimodalTextbox",
    "highlightedtext": "HighlightedText",
    "colorpicker": "ColorPicker",
    "datetime": "DateTime",
    "nativeplot": "NativePlot",
    "lineplot": "LinePlot",
    "barplot": "BarPlot",
    "scatterplot": "ScatterPlot",
    "json": "JSON",
    "html": "HTML",
}
FILE_SCHEMA: dict[str, Any] = {
    "title": "FileData",
    "type": "object",
    "description": "A file: the path POST /gradio_api/upload returned (gradio_client: handle_file(path)).",
    "properties": {
        "path": {"type": "string"},
        "url": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": None},
        "size": {"anyOf": [{"type": "integer"}, {"type": "null"}], "default": None},
        "orig_name": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": None},
        "mime_type": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": None},
        "is_stream": {"type": "boolean", "default": False},
        "meta": {
            "type": "object",
            "properties": {"_type": {"type": "string", "const": GRADIO_FILE_TYPE}},
            "required": ["_type"],
        },
    },
    "required": ["path"],
}
FILE_EXAMPLE = {"path": "<a path returned by POST /gradio_api/upload>", "meta": {"_type": GRADIO_FILE_TYPE}}


def class_name(component_type: str) -> str:
    return _CLASS_NAMES.get(component_type, component_type.capitalize())


def _is_carpool_file_schema(schema: dict[str, Any]) -> bool:
    return schema.get("title") == "FileData" and "file_id" in (schema.get("properties") or {})


def gradio_schema(schema: Any) -> Any:
    """A carpool value schema with every file as Gradio's FileData, and a list of types (``"type":
    ["string", "null"]``) as ``anyOf``: Gradio's clients read one type per schema (``gradio_client``'s
    type printer fails on a list)."""
    if isinstance(schema, list):
        return [gradio_schema(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    if _is_carpool_file_schema(schema):
        return FILE_SCHEMA
    if isinstance(schema.get("type"), list):
        return _any_of(schema)
    if schema.get("type") == "array" and "items" not in schema and "prefixItems" not in schema:
        schema = {**schema, "items": {}}  # any items; Gradio's clients expect the key
    return {key: gradio_schema(value) for key, value in schema.items()}


def _any_of(schema: dict[str, Any]) -> dict[str, Any]:
    """``{"type": [a, b], ...constraints}`` -> ``{"anyOf": [{"type": a, ...}, {"type": b, ...}]}``
    (``null`` takes no constraints; ``title``/``description`` stay outside)."""
    outer = {k: v for k, v in schema.items() if k in ("title", "description")}
    inner = {k: v for k, v in schema.items() if k not in ("type", "title", "description")}
    branches = [
        {"type": "null"} if kind == "null" else gradio_schema({**inner, "type": kind})
        for kind in schema["type"]
    ]
    return {**outer, "anyOf": branches}


def _holds_file(schema: Any) -> bool:
    return bool(gradio_schema(schema) != schema)


def _example(value: Any) -> Any:
    if isinstance(value, list):
        return [_example(item) for item in value]
    if isinstance(value, dict):
        if isinstance(value.get("file_id"), str):
            return dict(FILE_EXAMPLE)
        return {key: _example(item) for key, item in value.items()}
    return value


def _python_type(entry: dict[str, Any]) -> dict[str, str]:
    if _holds_file(entry.get("schema")):
        return {"type": "filepath", "description": "a local file: gradio_client.handle_file(path)"}
    return {"type": str(entry.get("python_type") or "Any"), "description": ""}


def _parameter(entry: dict[str, Any], api_root: str) -> dict[str, Any]:
    name = entry.get("parameter_name")
    return {
        "label": entry.get("label") or name,
        "parameter_name": name,
        "parameter_has_default": bool(entry.get("parameter_has_default")),
        "parameter_default": to_gradio(entry.get("parameter_default"), api_root),
        "type": gradio_schema(entry.get("schema") or {}),
        "python_type": _python_type(entry),
        "component": class_name(str(entry.get("component", ""))),
        "example_input": _example(entry.get("example")),
    }


def _return(entry: dict[str, Any]) -> dict[str, Any]:
    return {
        "label": entry.get("label") or "value",
        "type": gradio_schema(entry.get("schema") or {}),
        "python_type": _python_type(entry),
        "component": class_name(str(entry.get("component", ""))),
    }


def gradio_info(carpool_info: dict[str, Any], api_root: str) -> dict[str, Any]:
    """``/gradio_api/info``: named endpoints ("/name") with their API values (State left out)."""
    named: dict[str, Any] = {}
    for api_name, endpoint in carpool_info.get("endpoints", {}).items():
        parameters, returns = endpoint["parameters"], endpoint["returns"]
        if endpoint.get("chat"):  # the conversation is the session's, as in Gradio (see _chat)
            parameters = [p for i, p in enumerate(parameters) if i != HISTORY_INPUT]
            returns = [r for i, r in enumerate(returns) if i != HISTORY_OUTPUT]
        named["/" + api_name] = {
            "parameters": [_parameter(p, api_root) for p in parameters if not p.get("stateful")],
            "returns": [_return(r) for r in returns if not r.get("stateful")],
            "api_visibility": "public",
            "description": "",
        }
    return {"named_endpoints": named, "unnamed_endpoints": {}}


def _component_api_info(config: dict[str, Any], carpool_info: dict[str, Any]) -> dict[Any, dict[str, Any]]:
    """Component id -> its API fields, for every component a named endpoint reads or writes."""
    endpoints = {e["fn_index"]: e for e in carpool_info.get("endpoints", {}).values()}
    found: dict[Any, dict[str, Any]] = {}
    for dependency in config.get("dependencies", []):
        endpoint = endpoints.get(dependency.get("id"))
        if endpoint is None:
            continue
        pairs = [
            *zip(dependency.get("inputs", []), endpoint["parameters"], strict=False),
            *zip(dependency.get("outputs", []), endpoint["returns"], strict=False),
        ]
        for component_id, entry in pairs:
            schema = gradio_schema(entry.get("schema") or {})
            found.setdefault(
                component_id,
                {
                    "api_info": schema,
                    "api_info_as_input": schema,
                    "api_info_as_output": schema,
                    "example_inputs": _example(entry.get("example")),
                },
            )
    return found


def _visibility(dependency: dict[str, Any]) -> str:
    if not dependency.get("api_name"):
        return "private"
    return "public" if dependency.get("show_api", True) else "undocumented"


def gradio_config(
    config: dict[str, Any], carpool_info: dict[str, Any], *, show_error: bool, max_file_size: int | None
) -> dict[str, Any]:
    """carpool's ``/config`` with the fields Gradio's clients read added (none of carpool's removed)."""
    api_fields = _component_api_info(config, carpool_info)
    components = [
        {
            "skip_api": component.get("type") in SKIP_API_TYPES,
            **component,
            **api_fields.get(component["id"], {}),
        }
        for component in config.get("components", [])
    ]
    dependencies = [
        {"api_visibility": _visibility(dep), "connection": "sse", "api_description": None, **dep}
        for dep in config.get("dependencies", [])
    ]
    chats = {int(e["fn_index"]) for e in carpool_info.get("endpoints", {}).values() if e.get("chat")}
    gradio_view = {
        **config,
        "carpool_version": config.get("version"),
        "carpool_protocol": config.get("protocol"),
        "version": GRADIO_VERSION,
        "protocol": "sse_v3",
        "api_prefix": API_PREFIX,
        "mode": "blocks",
        "enable_queue": True,
        "connect_heartbeat": False,  # sessions and their State outlive a stream here; no heartbeat needed
        "show_error": show_error,
        "max_file_size": max_file_size,
        "dev_mode": False,
        "analytics_enabled": False,
        "is_colab": False,
        "space_id": None,
        "run_history": False,  # @gradio/client keeps no run history of a carpool app
        "components": components,
        "dependencies": dependencies,
    }
    return chat_config(gradio_view, chats)
