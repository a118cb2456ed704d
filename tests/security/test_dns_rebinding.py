"""DNS rebinding: a page whose domain re-resolves to 127.0.0.1 is same-origin with a local app, so the
app answers only to loopback host names and to ``allowed_hosts``. Every route of the route table is
tried, so a route added later is covered too."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Any

import httpx
import pytest
from reliability_support import AsgiDriver, AsgiReply
from security_support import concrete_paths, file_app

from carpool.server import RunningServer, create_app
from carpool.server._guards import HostAllowList, host_name

LOOPBACK_HOSTS = [
    "127.0.0.1:7860",
    "127.0.0.1",
    "127.9.8.7:80",
    "localhost:7860",
    "LOCALHOST",
    "localhost.:7860",
    "app.localhost:7860",
    "[::1]:7860",
    "0.0.0.0:7860",
]
FOREIGN_HOSTS = [
    "evil.example:7860",
    "evil.example",
    "127.0.0.1.evil.example:7860",
    "localhost.evil.example",
    "localhostevil.example",
    "10.0.0.5:7860",
    "[::1].evil.example",
    "",
]


async def request(
    driver: AsgiDriver, method: str, path: str, headers: Sequence[tuple[str, str]]
) -> AsgiReply:
    gone = asyncio.Event()
    gone.set()  # leave at once: an event stream (/queue/data) ends instead of waiting
    body = (
        {"data": [], "api_name": "echo", "session_hash": "s", "event_id": "e"} if method == "POST" else None
    )
    return await driver.request(
        method, path, json_body=body, headers=headers, query="session_hash=s", disconnect_after=gone
    )


def assert_refused(reply: AsgiReply, where: Any) -> None:
    assert reply.status == 403, (where, reply.status, reply.body[:200])
    assert reply.json()["error"]["type"] == "forbidden", where
    assert "access-control-allow-origin" not in reply.headers, where


@pytest.mark.parametrize("host", FOREIGN_HOSTS)
async def test_every_route_refuses_a_foreign_host_on_a_loopback_app(host: str) -> None:
    app = create_app(file_app())
    driver = AsgiDriver(app)  # the connection arrives on 127.0.0.1, like a rebound browser's
    async with driver.running():
        for method, path in concrete_paths(app):
            assert_refused(await request(driver, method, path, [("host", host)]), (method, path))


@pytest.mark.parametrize("host", LOOPBACK_HOSTS)
async def test_loopback_host_names_are_served(host: str) -> None:
    driver = AsgiDriver(create_app(file_app()))
    async with driver.running():
        assert (await request(driver, "GET", "/config", [("host", host)])).status == 200
        reply = await request(driver, "POST", "/api/echo", [("host", host)])
        assert reply.status != 403, reply.body


async def test_a_request_without_host_is_no_browser_and_is_served() -> None:
    driver = AsgiDriver(create_app(file_app()))
    async with driver.running():
        assert (await driver.request("GET", "/health")).status == 200


async def test_a_foreign_forwarded_host_is_refused_even_with_a_loopback_host() -> None:
    # A rebound page is same-origin with the app: it may send any header, X-Forwarded-Host included.
    driver = AsgiDriver(create_app(file_app()))
    async with driver.running():
        for forwarded in ("evil.example", "localhost, evil.example"):
            headers = [("host", "127.0.0.1:7860"), ("x-forwarded-host", forwarded)]
            assert_refused(await request(driver, "GET", "/config", headers), forwarded)
        headers = [("host", "127.0.0.1:7860"), ("x-forwarded-host", "localhost:7860")]
        assert (await request(driver, "GET", "/config", headers)).status == 200


async def test_allowed_hosts_admit_their_names_and_nothing_more() -> None:
    app = create_app(file_app(), allowed_hosts=["app.example.com", "*.models.example"])
    driver = AsgiDriver(app)
    async with driver.running():
        for host in ("app.example.com", "APP.example.com:443", "gpu1.models.example", "a.b.models.example"):
            assert (await request(driver, "GET", "/config", [("host", host)])).status == 200, host
        assert (await request(driver, "GET", "/config", [("host", "localhost")])).status == 200
        for host in ("example.com", "models.example", "evilmodels.example", "app.example.com.evil"):
            assert_refused(await request(driver, "GET", "/config", [("host", host)]), host)


async def call_on(app: Any, server: tuple[str, int], host: str) -> int:
    """The status of ``GET /health`` reaching ``app`` on the address ``server`` (no lifespan needed)."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/health",
        "raw_path": b"/health",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", host.encode())],
        "client": ("203.0.113.9", 50000),
        "server": server,
    }
    statuses: list[int] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    await app(scope, receive, send)
    return statuses[0]


async def test_a_public_address_answers_any_host_unless_allowed_hosts_are_given() -> None:
    public = ("192.0.2.10", 7860)
    assert await call_on(create_app(file_app()), public, "whatever.example") == 200
    guarded = create_app(file_app(), allowed_hosts="app.example.com")  # one name as a plain string
    assert await call_on(guarded, public, "app.example.com") == 200
    assert await call_on(guarded, public, "whatever.example") == 403


def test_a_star_turns_the_guard_off_and_names_parse_like_browsers_send_them() -> None:
    assert HostAllowList(["*"]).allows("anything.example")
    assert not HostAllowList().allows("anything.example")
    assert host_name("[::1]:7860") == "::1" and host_name("Example.COM.:80") == "example.com"
    assert host_name("localhost") == "localhost" and host_name("[::1]") == "::1"


def test_launch_takes_allowed_hosts_and_the_environment(
    serve: Callable[..., RunningServer], monkeypatch: pytest.MonkeyPatch
) -> None:
    from_kwarg = serve(file_app(), allowed_hosts=["app.example.com"])
    monkeypatch.setenv("CARPOOL_ALLOWED_HOSTS", "env.example, other.example")
    from_env = serve(file_app())
    with httpx.Client(timeout=20) as http:
        for server, good in ((from_kwarg, "app.example.com"), (from_env, "other.example")):
            url = server.local_url + "config"
            assert http.get(url, headers={"host": good}).status_code == 200
            refused = http.get(url, headers={"host": "evil.example"})
            assert refused.status_code == 403 and refused.json()["error"]["type"] == "forbidden"
            assert http.get(url).status_code == 200  # the URL it printed (127.0.0.1) still works
