"""Cross-origin requests to a local app, and password login: the route table is enumerated, so a route
added later is covered without anyone remembering to add it here."""

from __future__ import annotations

import asyncio
import hmac
import re

import pytest
from reliability_support import AsgiDriver, AsgiReply
from security_support import concrete_paths, file_app

from carpool.server import create_app
from carpool.server._auth import Authenticator

HOST = [("host", "127.0.0.1:7860")]
FOREIGN_ORIGINS = [
    "https://evil.example",
    "null",
    "http://127.0.0.1:7860.evil.example",
    "http://localhost:7861",
]
PUBLIC_WITHOUT_LOGIN = {"/", "/login", "/health", "/static"}


def route_prefix(path: str) -> str:
    return "/static" if path.startswith("/static/") else path


async def send(driver: AsgiDriver, method: str, path: str, headers: list[tuple[str, str]]) -> AsgiReply:
    body = {"data": [], "api_name": "x", "session_hash": "s", "event_id": "e"} if method == "POST" else None
    gone = asyncio.Event()
    if method == "GET":
        gone.set()  # the client leaves at once: an event stream (/queue/data) ends instead of waiting
    return await driver.request(
        method, path, json_body=body, headers=headers, query="session_hash=s", disconnect_after=gone
    )


# -- cross-origin ------------------------------------------------------------------------------------


@pytest.mark.parametrize("origin", FOREIGN_ORIGINS)
async def test_state_changing_routes_refuse_a_foreign_origin_without_cors_headers(origin: str) -> None:
    app = create_app(file_app())
    driver = AsgiDriver(app)
    state_changing = [(m, p) for m, p in concrete_paths(app) if m != "GET" or p == "/logout"]
    assert {p for _, p in state_changing} >= {"/api/x", "/queue/join", "/queue/cancel", "/upload", "/login"}
    async with driver.running():
        for method, path in state_changing:
            reply = await send(driver, method, path, [*HOST, ("origin", origin)])
            assert reply.status == 403, (method, path, reply.status)
            assert "access-control-allow-origin" not in reply.headers
        for method, path in concrete_paths(app):  # reads are allowed, but never opened up by CORS
            reply = await send(driver, method, path, [*HOST, ("origin", origin)])
            assert "access-control-allow-origin" not in reply.headers, path


async def test_a_cors_preflight_gets_no_permission() -> None:
    driver = AsgiDriver(create_app(file_app()))
    headers = [*HOST, ("origin", "https://evil.example"), ("access-control-request-method", "POST")]
    async with driver.running():
        for path in ("/api/echo", "/queue/join", "/upload"):
            reply = await driver.request("OPTIONS", path, headers=headers)
            assert reply.status >= 400 and "access-control-allow-origin" not in reply.headers


async def test_the_apps_own_origin_and_originless_clients_are_served() -> None:
    driver = AsgiDriver(create_app(file_app()))
    async with driver.running():
        for headers in ([*HOST, ("origin", "http://127.0.0.1:7860")], HOST):
            reply = await driver.request("POST", "/api/echo", json_body={"data": ["hi"]}, headers=headers)
            assert reply.status == 200 and reply.json() == {"data": ["hi"]}


# -- auth --------------------------------------------------------------------------------------------


async def login(driver: AsgiDriver, password: str = "lovelace", **extra: str) -> AsgiReply:
    form = f"username=ada&password={password}" + "".join(f"&{k}={v}" for k, v in extra.items())
    headers = [*HOST, ("content-type", "application/x-www-form-urlencoded"), ("accept", "text/html")]
    return await driver.request("POST", "/login", body=form.encode(), headers=headers)


def session_cookie(reply: AsgiReply) -> tuple[str, str]:
    value = reply.headers["set-cookie"].split(";", 1)[0]
    return ("cookie", value)


async def test_every_route_but_login_static_and_health_is_401_without_a_session() -> None:
    app = create_app(file_app(), auth=("ada", "lovelace"))
    driver = AsgiDriver(app)
    public = set()
    async with driver.running():
        for method, path in concrete_paths(app):
            reply = await send(driver, method, path, HOST)
            if reply.status == 401:
                assert reply.json()["error"]["type"] == "unauthorized"
            else:
                public.add(route_prefix(path))
        page = await driver.request("GET", "/", headers=HOST)
        assert b'name="password"' in page.body and b"carpool-config" not in page.body
    assert public == PUBLIC_WITHOUT_LOGIN


async def test_a_session_opens_every_route_and_logout_ends_it() -> None:
    driver = AsgiDriver(create_app(file_app(), auth=("ada", "lovelace")))
    async with driver.running():
        cookie = session_cookie(await login(driver))
        reply = await driver.request("POST", "/api/echo", json_body={"data": ["hi"]}, headers=[*HOST, cookie])
        assert reply.status == 200
        assert (await driver.request("GET", "/config", headers=[*HOST, cookie])).status == 200
        await driver.request("GET", "/logout", headers=[*HOST, cookie])
        assert (await driver.request("GET", "/config", headers=[*HOST, cookie])).status == 401


async def test_the_login_cookie_is_http_only_same_site_and_expires() -> None:
    driver = AsgiDriver(create_app(file_app(), auth=("ada", "lovelace")))
    async with driver.running():
        cookie = (await login(driver)).headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    max_age = int(re.search(r"max-age=(\d+)", cookie).group(1))  # type: ignore[union-attr]
    assert 0 < max_age <= 7 * 24 * 3600


def test_tokens_expire_after_their_ttl_and_die_at_logout() -> None:
    now = [1000.0]
    authenticator = Authenticator(("ada", "lovelace"), ttl=60, attempts_per_minute=3, clock=lambda: now[0])
    first, second = authenticator.login("ada"), authenticator.login("ada")
    assert authenticator.user_for(first) == "ada"
    authenticator.logout(second)
    assert authenticator.user_for(second) is None
    now[0] += 61
    assert authenticator.user_for(first) is None
    assert authenticator.user_for("forged-token") is None and authenticator.user_for(None) is None


def test_the_password_check_compares_every_field_in_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    compared: list[tuple[bytes, bytes]] = []

    def spy(given: bytes, expected: bytes) -> bool:
        compared.append((given, expected))
        return given == expected

    # patched where _auth looks it up: the check must go through hmac.compare_digest
    monkeypatch.setattr(hmac, "compare_digest", spy)
    authenticator = Authenticator([("ada", "lovelace"), ("alan", "turing")], ttl=60, attempts_per_minute=3)
    assert not authenticator.verify("nobody", "x")
    assert len(compared) == 4  # both fields of both pairs, even though no user matched
    compared.clear()
    assert authenticator.verify("alan", "turing") and len(compared) == 4


async def test_failed_logins_are_rate_limited_with_retry_after() -> None:
    driver = AsgiDriver(create_app(file_app(), auth=("ada", "lovelace")))
    async with driver.running():
        statuses = [(await login(driver, password=f"guess{i}")).status for i in range(10)]
        assert statuses == [401] * 10
        limited = await login(driver)  # even the right password waits
        assert limited.status == 429 and int(limited.headers["retry-after"]) >= 1
        assert "set-cookie" not in limited.headers


def test_the_rate_limit_window_reopens() -> None:
    now = [0.0]
    authenticator = Authenticator(("ada", "lovelace"), ttl=60, attempts_per_minute=2, clock=lambda: now[0])
    for _ in range(2):
        authenticator.record_failure("10.0.0.1")
    assert authenticator.retry_after("10.0.0.1") is not None
    assert authenticator.retry_after("10.0.0.2") is None  # per client
    now[0] += 61
    assert authenticator.retry_after("10.0.0.1") is None


@pytest.mark.parametrize(
    "extra",
    [
        {"next": "https://evil.example/"},
        {"redirect": "//evil.example"},
        {"return_to": "/\\evil.example"},
        {"url": "javascript:alert(1)"},
    ],
)
async def test_login_and_logout_redirect_only_to_the_app_itself(extra: dict[str, str]) -> None:
    # a Host the app answers to (a proxy's public name) must not steer the redirect either
    app = create_app(file_app(), auth=("ada", "lovelace"), allowed_hosts=["app.example"])
    driver = AsgiDriver(app)
    async with driver.running():
        reply = await login(driver, **extra)
        assert reply.status == 303 and reply.headers["location"] == "/"
        query = "&".join(f"{k}={v}" for k, v in extra.items())
        proxied = [("host", "app.example"), ("referer", "https://evil.example/")]
        out = await driver.request("GET", "/logout", query=query, headers=[*proxied, session_cookie(reply)])
        assert out.status == 303 and out.headers["location"] == "/"
