"""``POST /api/{api_name}`` straight from ASGI, past Starlette's router and exception layers.

An API call is the hottest request a carpool server answers, and for a fast function most of its cost
is the framework around it: the router matching the path, the exception middleware, the
request-response adapter and the ``Response`` object. This lane sits inside every guard (body timeout,
origin and host checks, login) -- those still see the request -- and answers API calls itself: the same
handler (``call_endpoint``), the same error responses (``handle_errors``' ``error_response``). Every
other request goes on to the router (which keeps the route, for the OpenAPI schema and for a request
this lane does not see).
"""

from __future__ import annotations

from starlette._utils import get_route_path
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from carpool.server._api_routes import call_endpoint
from carpool.server._errors import error_response

__all__ = ["ApiFastLane"]

_PREFIX = "/api/"


class ApiFastLane:
    """ASGI middleware: answers ``POST /api/...`` as the ``/api/{api_name:path}`` route would."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        path = get_route_path(scope)
        if not path.startswith(_PREFIX):
            await self.app(scope, receive, send)
            return
        scope["path_params"] = {"api_name": path[len(_PREFIX) :]}
        request = Request(scope, receive, send)
        try:
            answer = await call_endpoint(request)
        except Exception as error:
            show_error = bool(getattr(request.app.state.carpool.settings, "show_error", False))
            answer = error_response(error, show_error=show_error)
        await answer(scope, receive, send)
