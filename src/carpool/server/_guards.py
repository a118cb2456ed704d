"""Cross-origin guard: a web page on another origin must not drive an app served on localhost.

A local app is reachable from every page the user's browser opens; without this, any site could POST
to ``http://127.0.0.1:7860/api/...`` (a "simple" form or ``text/plain`` request needs no CORS preflight)
and spend the user's GPU or read their files through the app. State-changing requests carrying an
``Origin`` other than the app's own are refused with 403, and no ``Access-Control-Allow-Origin`` is ever
sent. Requests without ``Origin`` (curl, the Python client) are not browsers' cross-site requests.
"""

from __future__ import annotations

import functools
import ipaddress
import json
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Receive, Scope, Send

from carpool.protocol import error_body

__all__ = ["OriginGuard", "is_loopback_host", "send_json_error"]

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@functools.lru_cache(maxsize=256)
def is_loopback_host(host: str) -> bool:
    if host in ("localhost", "localhost.localdomain") or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None


def _same_origin(scope: Scope, origin: str) -> bool:
    # Behind a proxy on the same machine the Host header is the proxy's upstream; the proxy says which
    # host the browser used in X-Forwarded-Host (a browser cannot set that header cross-site).
    own_host = _header(scope, b"x-forwarded-host") or _header(scope, b"host")
    origin_host = urlsplit(origin).netloc
    return bool(origin_host) and own_host is not None and origin_host.lower() == own_host.lower()


async def send_json_error(
    send: Send, status: int, type_: str, message: str, headers: dict[str, str] | None = None
) -> None:
    body = json.dumps(error_body(type_, message)).encode()
    raw_headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    raw_headers += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": body})


class OriginGuard:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self._refused(scope):
            await send_json_error(
                send, 403, "forbidden", "Cross-origin requests to this app are not allowed."
            )
            return
        await self.app(scope, receive, send)

    @staticmethod
    def _refused(scope: Scope) -> bool:
        if scope["method"] in SAFE_METHODS and not scope["path"].endswith("/logout"):
            return False
        origin = _header(scope, b"origin")  # first: API clients send none, and that settles it
        if origin is None:
            return False
        server = scope.get("server")
        if not server or not is_loopback_host(str(server[0])):
            return False
        return not _same_origin(scope, origin)
