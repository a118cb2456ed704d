"""``POST /login``, ``GET /logout`` and the login form shown at ``/`` to visitors without a session."""

from __future__ import annotations

import html
import json
import math
from collections.abc import AsyncGenerator
from typing import Any
from urllib.parse import parse_qs

from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from carpool.server._auth import COOKIE_NAME, Authenticator, session_token
from carpool.server._errors import HTTPError
from carpool.server._requests import _read_body
from carpool.server._state import server_state

__all__ = ["login", "login_page", "logout"]

MAX_LOGIN_BODY = 16 * 1024


def _authenticator(request: Request) -> Authenticator:
    authenticator: Authenticator | None = server_state(request).authenticator
    if authenticator is None:
        raise HTTPError(404, "not_found", "This app has no login.")
    return authenticator


def _home(request: Request) -> str:
    # Always back to the app's own root: a redirect target taken from the request could send the
    # freshly logged-in user anywhere.
    return str(request.scope.get("root_path", "")).rstrip("/") + "/"


async def _multipart_fields(request: Request, body: bytes) -> dict[str, Any]:
    """The text fields of a multipart form (what @gradio/client sends); files are refused."""

    async def chunks() -> AsyncGenerator[bytes, None]:
        yield body

    parser = MultiPartParser(request.headers, chunks(), max_files=0, max_fields=16)
    try:
        form = await parser.parse()
    except MultiPartException:
        raise HTTPError(400, "bad_request", "Malformed multipart login form.") from None
    return {key: value for key, value in form.items() if isinstance(value, str)}


async def _credentials(request: Request) -> tuple[str, str, bool]:
    body = await _read_body(request, MAX_LOGIN_BODY)
    content_type = request.headers.get("content-type", "")
    is_form = content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data"))
    fields: dict[str, Any]
    if content_type.startswith("multipart/form-data"):
        fields = await _multipart_fields(request, body)
    elif is_form:
        fields = {key: values[0] for key, values in parse_qs(body.decode("utf-8", "replace")).items()}
    else:
        try:
            fields = json.loads(body)
        except (ValueError, RecursionError):  # RecursionError: "[[[[..." nested too deeply
            raise HTTPError(400, "bad_request", "Send username and password as JSON or a form.") from None
    if not isinstance(fields, dict):
        raise HTTPError(400, "bad_request", "Send username and password as JSON or a form.")
    username, password = fields.get("username"), fields.get("password")
    if not isinstance(username, str) or not isinstance(password, str):
        raise HTTPError(400, "bad_request", "Both username and password are required.")
    return username, password, is_form


def _rate_limited(wait: float) -> HTTPError:
    return HTTPError(
        429, "rate_limited", "Too many failed logins.", headers={"Retry-After": str(max(1, math.ceil(wait)))}
    )


async def login(request: Request) -> Response:
    authenticator = _authenticator(request)
    # The peer address, or what X-Forwarded-For says only when launch(forwarded_allow_ips=) trusts it.
    client = request.client.host if request.client else "unknown"
    wait = authenticator.retry_after(client)
    if wait is not None:  # before the body is read: a limited client costs nothing more
        raise _rate_limited(wait)
    username, password, is_form = await _credentials(request)
    wait = authenticator.retry_after(client, username)
    if wait is not None:  # the account is throttled: its password is not even checked
        raise _rate_limited(wait)
    if not authenticator.verify(username, password):
        authenticator.record_failure(client, username)
        raise HTTPError(401, "unauthorized", "Incorrect username or password.")
    authenticator.record_success(client, username)
    token = authenticator.login(username)
    # A browser's login form goes back to the app; a program posting the same form (gradio_client,
    # @gradio/client) needs a 200 with the cookie, as Gradio's /login answers.
    from_page = is_form and "text/html" in request.headers.get("accept", "")
    response: Response = JSONResponse({"success": True})
    if from_page:
        response = RedirectResponse(_home(request), 303)
    response.set_cookie(
        COOKIE_NAME,
        token,
        max_age=int(authenticator.ttl),
        path=_home(request),
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


async def logout(request: Request) -> Response:
    _authenticator(request).logout(session_token(request.scope))
    response = RedirectResponse(_home(request), 303)
    response.delete_cookie(COOKIE_NAME, path=_home(request), httponly=True, samesite="strict")
    return response


LOGIN_FORM = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>{title} - log in</title>
<style>body{{font-family:system-ui,sans-serif;display:grid;place-items:center;min-height:90vh}}
form{{display:grid;gap:.6rem;min-width:16rem}}input,button{{font:inherit;padding:.4rem}}</style></head>
<body><form method="post" action="{action}"><h1>{title}</h1>
<label>Username <input name="username" autocomplete="username" required autofocus></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required></label>
<button type="submit">Log in</button></form></body></html>
"""


def login_page(request: Request, title: str) -> HTMLResponse:
    action = html.escape(_home(request) + "login")
    page = LOGIN_FORM.format(title=html.escape(title), action=action)
    headers = {**server_state(request).settings.page_headers, "Cache-Control": "no-store"}
    return HTMLResponse(page, status_code=200, headers=headers)
