"""Read-only routes: the page at ``/``, ``/config``, ``/info``, ``/openapi.json``, ``/health``, metrics."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from carpool.components import use_file_store
from carpool.protocol import PROTOCOL_VERSION
from carpool.server._json import WireJSONResponse
from carpool.server._login_routes import login_page
from carpool.server._metrics import CONTENT_TYPE
from carpool.server._openapi import openapi_document
from carpool.server._requests import request_username
from carpool.server._state import ServerState, server_state

__all__ = [
    "STATIC_DIR",
    "StaticAssets",
    "app_config",
    "component_script",
    "config",
    "health",
    "index",
    "info",
    "metrics",
    "openapi",
]

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
CONFIG_PLACEHOLDER = "<!--CARPOOL_CONFIG-->"  # inside <script id="carpool-config"> of static/index.html
CONFIG_SCRIPT = '<script id="carpool-config" type="application/json">{}</script>'
VERSION = "0.1.0"


def app_config(state: ServerState) -> dict[str, Any]:
    with use_file_store(state.files):  # example media become files of THIS server's store, servable
        spec = dict(state.blocks.config())
    spec.setdefault("protocol", PROTOCOL_VERSION)
    spec["auth_required"] = state.authenticator is not None
    return spec


def _script_safe_json(value: Any) -> str:
    # Inside <script>, "</script>" or "<!--" in a string would end or derail the element.
    text = json.dumps(value, separators=(",", ":"), default=str)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


@lru_cache(maxsize=1)
def _index_template() -> str:
    return (STATIC_DIR / "index.html").read_text(encoding="utf-8")


def _title(state: ServerState) -> str:
    return str(getattr(state.blocks, "title", None) or "carpool")


async def index(request: Request) -> Response:
    state = server_state(request)
    if state.authenticator is not None and request_username(request) is None:
        return login_page(request, _title(state))
    spec = _script_safe_json(app_config(state))
    template = _index_template()
    if CONFIG_PLACEHOLDER in template:
        page = template.replace(CONFIG_PLACEHOLDER, spec, 1)
    else:
        page = template.replace("</head>", CONFIG_SCRIPT.format(spec) + "\n</head>", 1)
    return HTMLResponse(page, headers={**state.settings.page_headers, "Cache-Control": "no-store"})


class StaticAssets(StaticFiles):
    """The front end's files: never sniffed, and HTML among them gets the page's headers (CSP, framing)."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        if response.headers.get("content-type", "").startswith("text/html"):
            state: ServerState = scope["app"].state.carpool
            response.headers.update(state.settings.page_headers)
        return response


async def config(request: Request) -> Response:
    return WireJSONResponse(app_config(server_state(request)))


async def info(request: Request) -> Response:
    return JSONResponse(server_state(request).blocks.api_info())


async def openapi(request: Request) -> Response:
    state = server_state(request)
    return JSONResponse(openapi_document(state.blocks, title=_title(state), version=VERSION))


async def component_script(request: Request) -> Response:
    """A component's own JavaScript module (an HTML component's templates): the page imports it,
    since its Content-Security-Policy runs no inline script."""
    source = server_state(request).blocks.component_script(int(request.path_params["block_id"]))
    if source is None:
        return Response("no script for this component", status_code=404, media_type="text/plain")
    return Response(source, media_type="text/javascript", headers={"Cache-Control": "no-store"})


async def health(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def metrics(request: Request) -> Response:
    return Response(server_state(request).metrics.exposition(), media_type=CONTENT_TYPE)
