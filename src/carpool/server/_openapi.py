"""``GET /openapi.json``: OpenAPI 3.1 of every route, with each endpoint typed by its components' schemas."""

from __future__ import annotations

from typing import Any

__all__ = ["api_dependencies", "openapi_document"]

JSON = "application/json"
ERROR_REF = {"$ref": "#/components/schemas/ErrorBody"}
ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["type", "message"],
            "properties": {
                "type": {"type": "string"},
                "message": {"type": "string"},
                "parameter": {"type": ["string", "null"]},
            },
        }
    },
}
FILE_DATA_SCHEMA = {
    "type": "object",
    "required": ["file_id"],
    "properties": {
        "file_id": {"type": "string"},
        "url": {"type": "string"},
        "orig_name": {"type": ["string", "null"]},
        "size": {"type": ["integer", "null"]},
        "mime_type": {"type": ["string", "null"]},
        "meta": {"type": "object", "properties": {"_type": {"const": "carpool.FileData"}}},
    },
}


def api_dependencies(blocks: Any) -> list[Any]:
    """Dependencies callable over ``/api``: a backend function and a public api_name."""
    return [
        dep
        for dep in blocks.dependencies
        if dep.listener_id is not None and getattr(dep, "show_api", bool(dep.api_name))
    ]


def _api_components(components: Any) -> list[Any]:
    return [c for c in components or () if not getattr(c, "stateful", False)]


def _schema(component: Any) -> dict[str, Any]:
    schema = dict(component.api_schema())
    label = getattr(component, "label", None)
    if label and "title" not in schema:
        schema["title"] = str(label)
    return schema


def _list_of(schemas: list[dict[str, Any]]) -> dict[str, Any]:
    n = len(schemas)
    return {"type": "array", "prefixItems": schemas, "minItems": n, "maxItems": n, "items": False}


def _errors(*statuses: int) -> dict[str, Any]:
    return {str(s): {"description": "error", "content": {JSON: {"schema": ERROR_REF}}} for s in statuses}


def _endpoint_operation(dep: Any) -> dict[str, Any]:
    inputs = [_schema(c) for c in _api_components(dep.inputs)]
    outputs = [_schema(c) for c in _api_components(dep.outputs)]
    max_n = int(getattr(dep, "max_batch_size", 1) or 1)
    columns = [{"type": "array", "items": s, "minItems": 1, "maxItems": max_n} for s in inputs]
    single = {
        "type": "object",
        "required": ["data"],
        "properties": {"data": _list_of(inputs), "batched": {"const": False}},
    }
    batched = {
        "type": "object",
        "required": ["data", "batched"],
        "properties": {"data": _list_of(columns), "batched": {"const": True}},
    }
    out_columns = [{"type": "array", "items": s} for s in outputs]
    response = {"oneOf": [_data_object(_list_of(outputs)), _data_object(_list_of(out_columns))]}
    return {
        "operationId": f"predict_{dep.api_name}",
        "summary": f"Call {dep.api_name}" + (" (batched function)" if dep.batch else ""),
        "requestBody": {"required": True, "content": {JSON: {"schema": {"oneOf": [single, batched]}}}},
        "responses": {
            "200": {"description": "outputs", "content": {JSON: {"schema": response}}},
            **_errors(400, 404, 409, 413, 422, 500, 503, 504),
        },
    }


def _data_object(data: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "required": ["data"], "properties": {"data": data}}


def _json_get(summary: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    content = {JSON: {"schema": schema or {"type": "object"}}}
    return {"get": {"summary": summary, "responses": {"200": {"description": "ok", "content": content}}}}


def _fixed_paths() -> dict[str, Any]:
    join_body = {
        "type": "object",
        "required": ["session_hash"],
        "properties": {
            "data": {"type": "array"},
            "fn_index": {"type": "integer"},
            "api_name": {"type": "string"},
            "session_hash": {"type": "string", "minLength": 1, "maxLength": 128},
            "trigger_id": {"type": ["integer", "null"]},
        },
    }
    cancel_body = {
        "type": "object",
        "required": ["session_hash", "event_id"],
        "properties": {"session_hash": {"type": "string"}, "event_id": {"type": "string"}},
    }
    return {
        "/config": _json_get("The app spec the front end renders"),
        "/info": _json_get("Every endpoint with typed parameters and returns"),
        "/health": _json_get("Liveness", {"type": "object", "properties": {"status": {"const": "ok"}}}),
        "/queue/join": _post("Join the queue", join_body, {"type": "object"}, 400, 404, 422, 503),
        "/queue/cancel": _post("Cancel an event", cancel_body, {"type": "object"}, 400),
        "/queue/data": {
            "get": {
                "summary": "The session's event stream (server-sent events)",
                "parameters": [
                    {"name": "session_hash", "in": "query", "required": True, "schema": {"type": "string"}}
                ],
                "responses": {"200": {"description": "stream", "content": {"text/event-stream": {}}}},
            }
        },
        "/upload": {
            "post": {
                "summary": "Upload files (multipart field 'files')",
                "requestBody": {"content": {"multipart/form-data": {"schema": {"type": "object"}}}},
                "responses": {
                    "200": {
                        "description": "FileData per file",
                        "content": {
                            JSON: {
                                "schema": {
                                    "type": "object",
                                    "properties": {"files": {"type": "array", "items": FILE_DATA_SCHEMA}},
                                }
                            }
                        },
                    },
                    **_errors(400, 413),
                },
            }
        },
        "/file/{file_id}": {
            "get": {
                "summary": "A server-minted file",
                "parameters": [
                    {"name": "file_id", "in": "path", "required": True, "schema": {"type": "string"}}
                ],
                "responses": {"200": {"description": "the file"}, **_errors(404)},
            }
        },
        "/metrics": {"get": {"summary": "Prometheus metrics", "responses": {"200": {"description": "text"}}}},
    }


def _post(summary: str, body: dict[str, Any], result: dict[str, Any], *errors: int) -> dict[str, Any]:
    return {
        "post": {
            "summary": summary,
            "requestBody": {"required": True, "content": {JSON: {"schema": body}}},
            "responses": {
                "200": {"description": "ok", "content": {JSON: {"schema": result}}},
                **_errors(*errors),
            },
        }
    }


def openapi_document(blocks: Any, *, title: str, version: str) -> dict[str, Any]:
    paths = _fixed_paths()
    for dep in api_dependencies(blocks):
        paths[f"/api/{dep.api_name}"] = {"post": _endpoint_operation(dep)}
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version},
        "paths": paths,
        "components": {"schemas": {"ErrorBody": ERROR_SCHEMA, "FileData": FILE_DATA_SCHEMA}},
    }
