"""Guards for an app served on localhost: foreign host names (DNS rebinding) and cross-origin requests.

A local app is reachable from every page the user's browser opens. Two attacks follow, and one
middleware stops both before any route runs:

- **Cross-origin requests.** Any site could POST to ``http://127.0.0.1:7860/api/...`` (a "simple" form or
  ``text/plain`` request needs no CORS preflight) and spend the user's GPU or read their files through
  the app. State-changing requests carrying an ``Origin`` other than the app's own get 403, and no
  ``Access-Control-Allow-Origin`` is ever sent. Requests without ``Origin`` (curl, the Python client)
  are not browsers' cross-site requests.
- **DNS rebinding.** A page on ``http://evil.example:7860`` whose name then re-resolves to 127.0.0.1 is
  *same-origin* with the app as far as the browser knows: it may read every answer. Its requests still
  say ``Host: evil.example:7860``, so an app on loopback answers only to loopback names (``localhost``,
  ``*.localhost``, 127.0.0.0/8, ``[::1]``, and ``0.0.0.0``) and to the names in ``allowed_hosts``;
  others get 403.

Both apply to requests that reach the app on a loopback address. ``allowed_hosts`` given explicitly is
enforced on every address.
"""

from __future__ import annotations

import functools
import ipaddress
import json
from collections.abc import Iterable
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Receive, Scope, Send

from carpool.protocol import error_body
from carpool.server._requests import raw_header

__all__ = ["HostAllowList", "OriginGuard", "host_name", "is_loopback_host", "send_json_error"]

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# http://0.0.0.0:7860 reaches a local app too (people type what uvicorn prints); an address, unlike a
# name, cannot be rebound to another machine.
UNSPECIFIED = frozenset({"0.0.0.0", "::"})
FOREIGN_HOST_MESSAGE = (
    "This app does not answer to that host name (DNS rebinding guard). "
    "Serve it under a name listed in launch(allowed_hosts=[...])."
)


@functools.lru_cache(maxsize=256)
def is_loopback_host(host: str) -> bool:
    if host in ("localhost", "localhost.localdomain") or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def host_name(value: str) -> str:
    """``Host`` header value -> the name alone: no port, no IPv6 brackets, lower case, no final dot."""
    value = value.strip().lower()
    if value.startswith("["):  # [::1]:7860; anything else after "]" is no address, keep it whole
        inside, _, rest = value[1:].partition("]")
        port_only = rest == "" or (rest.startswith(":") and rest[1:].isdigit())
        name = inside if port_only else value
    else:
        name = value.rsplit(":", 1)[0] if value.count(":") == 1 else value
    return name[:-1] if name.endswith(".") else name


class HostAllowList:
    """The host names an app answers to: loopback names always, plus ``allowed_hosts``.

    An entry is a name or address (``"app.example.com"``, ``"10.0.0.5"``), ``"*.example.com"`` for
    every subdomain of example.com, or ``"*"`` for any host (turns the guard off).
    """

    def __init__(self, allowed_hosts: Iterable[str] = ()) -> None:
        names = [str(name).strip().lower() for name in allowed_hosts]
        self.explicit = bool(names)
        self.any = "*" in names
        self._exact = frozenset(host_name(name) for name in names if not name.startswith("*."))
        self._suffixes = tuple(name[1:] for name in names if name.startswith("*."))

    def allows(self, host: str) -> bool:
        if self.any or is_loopback_host(host) or host in UNSPECIFIED or host in self._exact:
            return True
        return bool(self._suffixes) and host.endswith(self._suffixes)


def _header(scope: Scope, name: bytes) -> str | None:
    value = raw_header(scope, name)
    return None if value is None else value.decode("latin-1")


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


CROSS_ORIGIN_MESSAGE = "Cross-origin requests to this app are not allowed."
# The headers a verdict depends on (with the server address and whether the request may change state).
_VERDICT_HEADERS = frozenset({b"host", b"x-forwarded-host", b"origin"})


class OriginGuard:
    """ASGI middleware: 403 for foreign host names and cross-origin requests (see the module doc).

    A verdict depends on a handful of values that repeat from request to request (the server address,
    Host, X-Forwarded-Host, Origin): it is kept per distinct set of them, so the regular client of a
    busy app costs one dictionary lookup, not a parse of its host names on every request.
    """

    MAX_VERDICTS = 1024  # distinct sets of values kept; emptied when full (a flood only costs parses)

    def __init__(self, app: ASGIApp, allowed_hosts: Iterable[str] = ()) -> None:
        self.app = app
        self.hosts = HostAllowList(allowed_hosts)
        self._verdicts: dict[tuple[object, ...], str | None] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            refusal = self.refusal(scope)
            if refusal is not None:
                await send_json_error(send, 403, "forbidden", refusal)
                return
        await self.app(scope, receive, send)

    def refusal(self, scope: Scope) -> str | None:
        """Why this HTTP request gets a 403, or None when it may go on."""
        key = (
            scope.get("server"),
            _may_change_state(scope),
            *[header for header in scope["headers"] if header[0] in _VERDICT_HEADERS],
        )
        try:
            return self._verdicts[key]
        except KeyError:
            pass
        except TypeError:  # headers as lists, not tuples (ASGI allows any pair): judged every time
            return self._judge(scope)
        verdict = self._judge(scope)
        if len(self._verdicts) >= self.MAX_VERDICTS:
            self._verdicts.clear()
        self._verdicts[key] = verdict
        return verdict

    def _judge(self, scope: Scope) -> str | None:
        on_loopback = _on_loopback(scope)
        if (on_loopback or self.hosts.explicit) and not self._host_allowed(scope):
            return FOREIGN_HOST_MESSAGE
        if on_loopback and _may_change_state(scope) and _cross_origin(scope):
            return CROSS_ORIGIN_MESSAGE
        return None

    def _host_allowed(self, scope: Scope) -> bool:
        # X-Forwarded-Host too: a rebound page is same-origin with the app and may set any header.
        # (No Host at all is HTTP/1.0 from a script, not a browser.)
        for key, value in scope["headers"]:
            if key == b"host" or key == b"x-forwarded-host":
                names = value.decode("latin-1").split(",")  # proxies may append theirs
                if not all(self.hosts.allows(host_name(name)) for name in names):
                    return False
        return True


def _on_loopback(scope: Scope) -> bool:
    server = scope.get("server")
    return server is not None and is_loopback_host(str(server[0]))


def _may_change_state(scope: Scope) -> bool:
    return scope["method"] not in SAFE_METHODS or scope["path"].endswith("/logout")


def _cross_origin(scope: Scope) -> bool:
    origin = _header(scope, b"origin")
    return origin is not None and not _same_origin(scope, origin)
