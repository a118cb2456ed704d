"""``POST /api/{api_name}`` straight from ASGI, in front of Starlette's whole middleware stack.

An API call is the hottest request a carpool server answers, and for a fast function most of its cost
is the framework around it: the error middleware wrapping every ``send``, each guard's own pass over the
headers, the router, the request-response adapter and the ``Response`` object. So the app's outermost
layer (:class:`CarpoolStarlette` puts it there) answers API calls itself, doing what the guards would:

- the host and origin checks (``OriginGuard.refusal``, whose verdict is kept per distinct Host/Origin),
- the login check (``AuthGate``'s authenticator), and
- the body timeout (``BodyTimeout``'s timed ``receive``), only for a request that has a body;

then the same handler as the route (``answer_call``), and the same error responses (``error_response``)
from its own catch-all. A request a guard refuses goes down the stack, where that guard answers it, as
does every other request. The lane takes over only while the app's middleware is carpool's own: an app
given other middleware (``add_middleware``) keeps every request going through it, via the route.
"""

from __future__ import annotations

from typing import Any

from starlette._utils import get_route_path
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from carpool.server._api_routes import answer_call
from carpool.server._auth import AuthGate
from carpool.server._body_timeout import BodyTimeout
from carpool.server._errors import error_response
from carpool.server._guards import OriginGuard
from carpool.server._json import send_json_answer
from carpool.server._state import ServerState

__all__ = ["ApiFastLane", "CarpoolStarlette"]

_PREFIX = "/api/"
_OWN_MIDDLEWARE = frozenset({BodyTimeout, OriginGuard, AuthGate})


class CarpoolStarlette(Starlette):
    """Starlette with :class:`ApiFastLane` in front of its middleware stack (``app.state.carpool`` set)."""

    def build_middleware_stack(self) -> ASGIApp:
        stack = super().build_middleware_stack()
        kinds: set[Any] = {middleware.cls for middleware in self.user_middleware}
        if not kinds <= _OWN_MIDDLEWARE:
            return stack  # someone else's middleware must see every request: no lane around it
        return ApiFastLane(stack, self.state.carpool)


def _layer(app: Any, kind: type[Any]) -> Any:
    """The middleware of type ``kind`` in the chain of ``.app`` below ``app``, or None."""
    while app is not None:
        if isinstance(app, kind):
            return app
        app = getattr(app, "app", None)
    return None


class ApiFastLane:
    """ASGI: answers ``POST /api/...`` as the ``/api/{api_name:path}`` route would; the rest: ``stack``."""

    def __init__(self, stack: ASGIApp, state: ServerState) -> None:
        self.stack = stack
        self.state = state
        self.origin_guard: OriginGuard | None = _layer(stack, OriginGuard)
        self.auth_gate: AuthGate | None = _layer(stack, AuthGate)
        body_timeout: BodyTimeout | None = _layer(stack, BodyTimeout)
        self.body_timeout = body_timeout if body_timeout is not None and body_timeout.timeout else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.stack(scope, receive, send)
            return
        path = get_route_path(scope)
        if not path.startswith(_PREFIX) or not self._admitted(scope):
            await self.stack(scope, receive, send)
            return
        if self.body_timeout is not None:
            receive = self.body_timeout.timed(scope, receive)
        request = Request(scope, receive, send)
        try:
            answer = await answer_call(self.state, request, path[len(_PREFIX) :])
        except Exception as error:
            answer = error_response(error, show_error=self.state.settings.show_error)
        if isinstance(answer, bytes):
            await send_json_answer(send, answer)
        else:
            await _send_guarded(answer, scope, receive, send, self.state.settings.show_error)

    def _admitted(self, scope: Scope) -> bool:
        """Whether every guard lets the request through (those that refuse it answer it in the stack)."""
        if self.origin_guard is not None and self.origin_guard.refusal(scope) is not None:
            return False
        return self.auth_gate is None or self.auth_gate.sign_in(scope)


async def _send_guarded(
    answer: ASGIApp, scope: Scope, receive: Receive, send: Send, show_error: bool
) -> None:
    """Send a response object (an event stream, a 499, an error); a failure before it started is a 500."""
    started = False

    async def tracked(message: Message) -> None:
        nonlocal started
        started = True
        await send(message)

    try:
        await answer(scope, receive, tracked)
    except Exception as error:
        if started:
            raise
        await error_response(error, show_error=show_error)(scope, receive, send)
