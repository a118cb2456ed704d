"""``GET /openapi.json``: OpenAPI 3.1 of every route, with each endpoint typed by its components' schemas.

Every error a route can answer is documented with the protocol's error body, including those any
route can get from the middleware (401 without a login, 403 for a foreign Host or Origin) and the
500 of an unexpected failure. ``tests/security/test_openapi_schemathesis.py`` holds the server to it.
"""

from __future__ import annotations

from typing import Any

from carpool.components import FILE_DATA_SCHEMA
from carpool.protocol import FILE_META, FINAL_STATUSES, Msg
from carpool.server._files import takes_uploads
from carpool.server._openapi_endpoints import (
    SESSION_HASH_SCHEMA,
    api_dependencies,
    api_request_schema,
    api_response_schema,
    join_request_schema,
)
from carpool.server._spec import AppSpec, Endpoint

__all__ = ["api_dependencies", "openapi_document"]

JSON = "application/json"
MULTIPART = "multipart/form-data"
ERROR_REF = {"$ref": "#/components/schemas/ErrorBody"}
ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["type", "message", "parameter"],
            "properties": {
                "type": {"type": "string"},
                "message": {"type": "string"},
                "parameter": {"type": ["string", "null"]},
            },
        }
    },
}
# One server-sent event of a streamed POST /api call (the data is the JSON of an answer or error body).
STREAMED_EVENT_SCHEMA = {
    "type": "object",
    "required": ["event", "data"],
    "properties": {"event": {"enum": ["generating", "complete", "error"]}, "data": {"type": "string"}},
}
# What /upload answers: the components' FileData, whose meta always names its kind.
UPLOADED_FILE_SCHEMA = {
    **FILE_DATA_SCHEMA,
    "properties": {
        **FILE_DATA_SCHEMA["properties"],
        "meta": {"type": "object", "properties": {"_type": {"const": FILE_META["_type"]}}},
    },
}
MESSAGE_SCHEMA = {
    "type": "object",
    "required": ["msg"],
    "properties": {
        "msg": {"enum": [value for name, value in vars(Msg).items() if name.isupper()]},
        "event_id": {"type": "string"},
        "status": {"enum": list(FINAL_STATUSES)},
        "output": {"type": "object", "required": ["data"], "properties": {"data": {"type": "array"}}},
        "error": {"$ref": "#/components/schemas/ErrorBody/properties/error"},
    },
}
# Before OpenAPI 3.2's itemSchema, a text/event-stream schema describes one event: its "data" line
# holds a protocol message as JSON.
STREAM_EVENT_SCHEMA = {
    "type": "object",
    "required": ["data"],
    "properties": {
        "data": {"type": "string", "contentMediaType": JSON, "contentSchema": MESSAGE_SCHEMA},
        "event": {"const": "message"},
    },
}
ERROR_MEANINGS = {
    400: "bad_request: the body or a parameter is malformed",
    401: "unauthorized: auth= is set and the request has no valid session",
    403: "forbidden: a foreign Host (DNS rebinding) or a cross-origin state-changing request",
    404: "unknown_endpoint / not_found",
    408: "request_timeout: the request body did not arrive within body_timeout",
    409: "cancelled: the event was cancelled before it ended",
    413: "too_large: body, upload or batch over its limit; quota_exceeded: max_client_upload_size",
    422: "invalid_input: a value its component rejects (parameter names it)",
    500: "app_error / batch_shape: the function failed (or an unexpected server error)",
    503: "queue_full / shutting_down (Retry-After)",
    504: "expired: the event waited past its deadline; timeout: the function ran past its time_limit",
    507: "insufficient_storage: uploaded files would exceed max_total_upload_size (limit names it)",
}
RETRY_AFTER = {"Retry-After": {"description": "seconds", "required": True, "schema": {"type": "string"}}}
ANY_ROUTE = (401, 403, 500)  # from the middleware (login, Host/Origin) or an unexpected failure


def _errors(*statuses: int) -> dict[str, Any]:
    responses = {}
    for status in sorted({*statuses, *ANY_ROUTE}):
        response: dict[str, Any] = {
            "description": ERROR_MEANINGS[status],
            "content": {JSON: {"schema": ERROR_REF}},
        }
        if status == 503:
            response["headers"] = RETRY_AFTER
        responses[str(status)] = response
    return responses


def _object(properties: dict[str, Any]) -> dict[str, Any]:
    """An object with every one of ``properties``."""
    return {"type": "object", "required": list(properties), "properties": properties}


def _session_query(required: bool) -> dict[str, Any]:
    return {"name": "session_hash", "in": "query", "required": required, "schema": SESSION_HASH_SCHEMA}


def _endpoint_operation(dep: Endpoint) -> dict[str, Any]:
    return {
        "operationId": f"predict_{dep.api_name}",
        "summary": f"Call {dep.api_name}" + (" (batched function)" if dep.batch else ""),
        "requestBody": {"required": True, "content": {JSON: {"schema": api_request_schema(dep)}}},
        "responses": {
            "200": {
                "description": "outputs; asked to stream, server-sent events (docs/protocol.md)",
                "content": {
                    JSON: {"schema": api_response_schema(dep)},
                    "text/event-stream": {"schema": STREAMED_EVENT_SCHEMA},
                },
            },
            **_errors(400, 404, 409, 413, 422, 503, 504),
        },
    }


def _get(summary: str, content: dict[str, Any], *errors: int, **extra: Any) -> dict[str, Any]:
    ok = {"description": "ok", "content": content}
    return {"get": {"summary": summary, **extra, "responses": {"200": ok, **_errors(*errors)}}}


def _json_get(summary: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return _get(summary, {JSON: {"schema": schema or {"type": "object"}}})


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


def _queue_paths(blocks: AppSpec) -> dict[str, Any]:
    cancel_body = {
        "type": "object",
        "required": ["session_hash", "event_id"],
        "properties": {"session_hash": SESSION_HASH_SCHEMA, "event_id": {"type": "string"}},
    }
    joined = {
        "type": "object",
        "required": ["event_id"],
        "properties": {"event_id": {"type": ["string", "null"]}},
    }
    cancelled = {
        "type": "object",
        "required": ["cancelled"],
        "properties": {"cancelled": {"type": "boolean"}},
    }
    stream = {"text/event-stream": {"schema": STREAM_EVENT_SCHEMA}}
    return {
        "/queue/join": _post("Join the queue", join_request_schema(blocks), joined, 400, 404, 413, 422, 503),
        "/queue/cancel": _post("Cancel an event of this session", cancel_body, cancelled, 400, 413, 503),
        "/queue/data": _get(
            "The session's event stream (server-sent events)",
            stream,
            400,
            503,
            parameters=[_session_query(True)],
        ),
    }


def _file_paths() -> dict[str, Any]:
    files = {"type": "array", "items": {"type": "string", "format": "binary"}, "minItems": 1}
    upload_body = {"type": "object", "required": ["files"], "properties": {"files": files}}
    uploaded = {
        "type": "object",
        "required": ["files"],
        "properties": {"files": {"type": "array", "items": {"$ref": "#/components/schemas/FileData"}}},
    }
    file_id = {"name": "file_id", "in": "path", "required": True, "schema": {"type": "string"}}
    return {
        "/upload": {
            "post": {
                "summary": "Upload files (multipart field 'files'); session_hash binds them to a session",
                "parameters": [_session_query(False)],
                "requestBody": {
                    "required": True,
                    "content": {"multipart/form-data": {"schema": upload_body}},
                },
                "responses": {
                    "200": {"description": "FileData per file", "content": {JSON: {"schema": uploaded}}},
                    **_errors(400, 408, 413, 507),
                },
            }
        },
        "/file/{file_id}": _get(
            "A server-minted file (a session's upload needs that session_hash)",
            {"*/*": {"schema": {"type": "string", "format": "binary"}}},
            400,
            404,
            parameters=[file_id, _session_query(False)],
        ),
    }


def _file_paths_of(blocks: AppSpec) -> dict[str, Any]:
    paths = _file_paths()
    if not takes_uploads(blocks):  # served, but only to say 404: this app takes no files
        del paths["/upload"]
    return paths


def _fixed_paths(blocks: AppSpec) -> dict[str, Any]:
    health = {"type": "object", "required": ["status"], "properties": {"status": {"const": "ok"}}}
    return {
        "/config": _json_get("The app spec the front end renders"),
        "/info": _json_get("Every endpoint with typed parameters and returns"),
        "/openapi.json": _json_get("This document"),
        "/health": _json_get("Liveness", health),
        "/metrics": _get("Prometheus metrics", {"text/plain": {"schema": {"type": "string"}}}),
        **_queue_paths(blocks),
        **_file_paths_of(blocks),
    }


def openapi_document(blocks: AppSpec, *, title: str, version: str) -> dict[str, Any]:
    paths = _fixed_paths(blocks)
    for dep in api_dependencies(blocks):
        paths[f"/api/{dep.api_name}"] = {"post": _endpoint_operation(dep)}
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version},
        "paths": paths,
        "components": {"schemas": {"ErrorBody": ERROR_SCHEMA, "FileData": UPLOADED_FILE_SCHEMA}},
    }
