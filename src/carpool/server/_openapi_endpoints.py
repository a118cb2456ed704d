"""The typed half of ``/openapi.json``: request and response bodies of each endpoint, from its components.

The schemas say exactly what the server accepts, so that a generated request the schema allows is
served and one it forbids is refused (schemathesis checks both ways):

- an input whose component takes ``null`` (a cleared value) documents ``null``;
- an output may be ``null`` or an update object (``{"__type__": "update", ...}``);
- a pre-batched call sends one list per input, all of the same length ``n <= max_batch_size``.
"""

from __future__ import annotations

from typing import Any

from carpool.components import FILE_DATA_SCHEMA
from carpool.server._spec import AppSpec, Endpoint

__all__ = [
    "SESSION_HASH_SCHEMA",
    "api_dependencies",
    "api_request_schema",
    "api_response_schema",
    "join_request_schema",
]

# Mirrors the server's check (``_queue_routes.session_hash``): 1-128 visible ASCII characters.
SESSION_HASH_SCHEMA: dict[str, Any] = {
    "type": "string",
    "minLength": 1,
    "maxLength": 128,
    "pattern": "^[!-~]+$",
}
ANNOTATIONS = frozenset({"title", "description", "examples"})  # keywords that constrain nothing
UPDATE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["__type__"],
    "properties": {"__type__": {"const": "update"}},
}
# A file input is a reference the server minted: a "path" is refused, and a "url", if sent, must be the
# /file/<id> the server gave out (the server checks that it names the same id).
FILE_INPUT_SCHEMA: dict[str, Any] = {
    **FILE_DATA_SCHEMA,
    "properties": {
        **FILE_DATA_SCHEMA["properties"],
        "url": {"type": "string", "pattern": "/file/[^/]+$"},
    },
    "not": {"required": ["path"]},
}
SAMPLE_ERROR_SCHEMA: dict[str, Any] = {
    "type": ["object", "null"],
    "required": ["type", "message"],
    "properties": {
        "type": {"type": "string"},
        "message": {"type": "string"},
        "parameter": {"type": ["string", "null"]},
    },
}


def api_dependencies(blocks: AppSpec) -> list[Endpoint]:
    """Dependencies callable over ``/api``: a backend function and a public api_name."""
    return [
        dep
        for dep in blocks.dependencies
        if dep.listener_id is not None and getattr(dep, "show_api", bool(dep.api_name))
    ]


def _api_components(components: Any) -> list[Any]:
    return [c for c in components or () if not getattr(c, "stateful", False)]


def _accepts_null(component: Any) -> bool:
    # A component's schema describes its values, not whether it may be empty; the server passes a
    # cleared input (null) through preprocess, so that is where the answer lives.
    try:
        component.preprocess(None)
    except Exception:
        return False
    return True


def _allows_everything(schema: dict[str, Any]) -> bool:
    return set(schema) <= ANNOTATIONS


def _or_null(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` that also allows null, keeping ``type`` and ``title`` at the top where possible."""
    kind = schema.get("type")
    if _allows_everything(schema):
        return schema
    if isinstance(kind, str):
        return {**schema, "type": [kind, "null"]}
    if isinstance(kind, list):
        return schema if "null" in kind else {**schema, "type": [*kind, "null"]}
    if "enum" in schema:
        enum = list(schema["enum"])
        return schema if None in enum else {**schema, "enum": [*enum, None]}
    annotations = {key: value for key, value in schema.items() if key in ANNOTATIONS}
    return {**annotations, "anyOf": [schema, {"type": "null"}]}


def _titled(component: Any) -> dict[str, Any]:
    schema = dict(component.api_schema())
    label = getattr(component, "label", None)
    if label and "title" not in schema:
        schema["title"] = str(label)
    return schema


def _as_file_input(schema: Any) -> Any:
    """``schema`` with every FileData in it (a File, a list of files, a gallery) as an input reference."""
    if schema == FILE_DATA_SCHEMA:
        return FILE_INPUT_SCHEMA
    if isinstance(schema, dict):
        return {key: _as_file_input(value) for key, value in schema.items()}
    if isinstance(schema, list):
        return [_as_file_input(value) for value in schema]
    return schema


def input_schema(component: Any) -> dict[str, Any]:
    schema = _as_file_input(_titled(component))
    return _or_null(schema) if _accepts_null(component) else schema


def output_schema(component: Any) -> dict[str, Any]:
    schema = _titled(component)
    if _allows_everything(schema):
        return schema
    return {"anyOf": [schema, {"type": "null"}, UPDATE_SCHEMA]}


def _list_of(schemas: list[dict[str, Any]]) -> dict[str, Any]:
    n = len(schemas)
    return {"type": "array", "prefixItems": schemas, "minItems": n, "maxItems": n, "items": False}


def _equal_lengths(columns: int, max_n: int) -> dict[str, Any]:
    """Every column has the same length n: JSON Schema says that only as one branch per n."""
    branches = []
    for n in range(1, max_n + 1):
        same = [{"minItems": n, "maxItems": n}] * columns
        branches.append({"properties": {"data": {"prefixItems": same}}})
    return {"anyOf": branches}


def api_request_schema(dep: Endpoint) -> dict[str, Any]:
    """``{"data": [v1..vk]}``, or pre-batched ``{"data": [[..n..] per input], "batched": true}``."""
    inputs = [input_schema(c) for c in _api_components(dep.inputs)]
    single = {
        "type": "object",
        "required": ["data"],
        # "stream": true (or Accept: text/event-stream) answers with server-sent events
        "properties": {"data": _list_of(inputs), "batched": {"const": False}, "stream": {"type": "boolean"}},
    }
    if not inputs:  # a batched call needs at least one column to say how many samples it holds
        return {"oneOf": [single]}
    max_n = int(getattr(dep, "max_batch_size", 1) or 1)
    columns = [{"type": "array", "items": s, "minItems": 1, "maxItems": max_n} for s in inputs]
    batched: dict[str, Any] = {
        "type": "object",
        "required": ["data", "batched"],
        "properties": {"data": _list_of(columns), "batched": {"const": True}, "stream": {"const": False}},
    }
    if len(columns) > 1:
        batched.update(_equal_lengths(len(columns), max_n))
    return {"oneOf": [single, batched]}


def _ordered(schemas: list[dict[str, Any]]) -> dict[str, Any]:
    """One value per output, in order. Responses say which schemas occur, not at which position:
    schemathesis 4 rewrites a response's ``prefixItems`` into draft-7 ``items: [...]`` and then
    rejects that under OpenAPI 3.1, so the exact tuple lives only in requests (and in ``/info``)."""
    n = len(schemas)
    distinct = [s for i, s in enumerate(schemas) if s not in schemas[:i]]
    if any(_allows_everything(s) for s in distinct):
        item: dict[str, Any] = {}
    else:
        item = distinct[0] if len(distinct) == 1 else {"anyOf": distinct}
    return {"type": "array", "items": item, "minItems": n, "maxItems": n}


def api_response_schema(dep: Endpoint) -> dict[str, Any]:
    outputs = [output_schema(c) for c in _api_components(dep.outputs)]
    single = {"type": "object", "required": ["data"], "properties": {"data": _ordered(outputs)}}
    out_columns = [{"type": "array", "items": s} for s in outputs]
    batched = {
        "type": "object",
        "required": ["data"],
        "properties": {
            "data": _ordered(out_columns),
            "errors": {"type": "array", "items": SAMPLE_ERROR_SCHEMA},
        },
    }
    # anyOf: with one output of any type, a single answer is also a valid batched one
    return {"anyOf": [single, batched]}


def join_request_schema(blocks: AppSpec) -> dict[str, Any]:
    """``POST /queue/join``: one branch per endpoint, named by ``api_name`` or by ``fn_index``."""
    common = {"session_hash": SESSION_HASH_SCHEMA, "trigger_id": {"type": ["integer", "null"]}}
    branches = []
    for dep in api_dependencies(blocks):
        data = _list_of([input_schema(c) for c in _api_components(dep.inputs)])
        by_name = {"api_name": {"const": dep.api_name}, "fn_index": {"type": ["integer", "null"]}}
        by_index = {"api_name": {"type": "null"}, "fn_index": {"const": dep.index}}
        needs_data = ["data"] if data["prefixItems"] else []  # no inputs: "data" may be left out
        for naming, name_key in ((by_name, "api_name"), (by_index, "fn_index")):
            branches.append(
                {
                    "type": "object",
                    "required": ["session_hash", name_key, *needs_data],
                    "properties": {**common, **naming, "data": data},
                }
            )
    return {"anyOf": branches} if branches else {"type": "object"}
