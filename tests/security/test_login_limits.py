"""Failed logins are limited per client address and per account, and forwarded headers are not believed
unless the app is told which proxies to trust (uvicorn alone trusts X-Forwarded-For from 127.0.0.1).

- On a live server, rotating ``X-Forwarded-For`` does not give an attacker fresh addresses.
- Many failures for one user name from many addresses throttle that account (429), not others.
- The throttle decays: once the failures stop, the right password works again within one half-life,
  and an address that logged in to the account before keeps its way in during the attack.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

import pytest
from reliability_support import AsgiDriver, AsgiReply
from security_support import file_app

from carpool.server import RunningServer, create_app
from carpool.server._auth import ACCOUNT_HALF_LIFE, Authenticator
from carpool.server._launch import _env_forwarded_allow_ips

USERS = [("ada", "lovelace"), ("alan", "turing")]


def post_login(port: int, username: str, password: str, forwarded_for: str) -> tuple[int, Any]:
    body = json.dumps({"username": username, "password": password}).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/login",
        data=body,
        headers={"Content-Type": "application/json", "X-Forwarded-For": forwarded_for},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers  # case-insensitive lookups
    except urllib.error.HTTPError as error:
        return error.code, error.headers


def test_rotating_x_forwarded_for_does_not_bypass_the_per_address_limit(
    serve: Callable[..., RunningServer],
) -> None:
    server = serve(file_app(), auth=USERS)
    statuses = [
        post_login(server.port, "ada", f"guess{i}", forwarded_for=f"203.0.113.{i}")[0] for i in range(12)
    ]
    assert statuses[:10] == [401] * 10
    assert statuses[10:] == [429, 429], statuses  # all of them came from 127.0.0.1


def test_forwarded_for_is_believed_only_from_the_configured_proxies(
    serve: Callable[..., RunningServer],
) -> None:
    server = serve(file_app(), auth=USERS, forwarded_allow_ips="127.0.0.1")
    # a trusted proxy says these are different clients: each gets its own per-address allowance
    statuses = [
        post_login(server.port, "nobody", "x", forwarded_for=f"203.0.113.{i // 5}")[0] for i in range(15)
    ]
    assert statuses == [401] * 15


def test_many_failures_for_one_account_from_many_addresses_are_throttled(
    serve: Callable[..., RunningServer],
) -> None:
    server = serve(file_app(), auth=USERS, forwarded_allow_ips="127.0.0.1")
    statuses = [
        post_login(server.port, "ada", f"guess{i}", forwarded_for=f"198.51.100.{i}")[0] for i in range(20)
    ]
    assert statuses == [401] * 20
    status, headers = post_login(server.port, "ada", "lovelace", forwarded_for="198.51.100.200")
    assert status == 429 and int(headers["Retry-After"]) >= 1  # even the right password waits
    # another account, from a fresh address, is not affected
    assert post_login(server.port, "alan", "turing", forwarded_for="198.51.100.201")[0] == 200


class ClientAddresses:
    """ASGI wrapper: each request comes from the address in ``self.address`` (as a trusted proxy says)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.state = app.state
        self.router = app.router
        self.address = "192.0.2.1"

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            scope = {**scope, "client": (self.address, 40000)}
        await self.app(scope, receive, send)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def driver_with_clock() -> tuple[AsgiDriver, ClientAddresses, Clock]:
    app = create_app(file_app(), auth=USERS)
    clock = Clock()
    authenticator: Authenticator = app.state.carpool.authenticator
    authenticator.addresses.clock = authenticator.accounts.clock = clock
    wrapped = ClientAddresses(app)
    return AsgiDriver(wrapped), wrapped, clock


async def login(driver: AsgiDriver, username: str, password: str) -> AsgiReply:
    return await driver.request("POST", "/login", json_body={"username": username, "password": password})


async def attack(driver: AsgiDriver, addresses: ClientAddresses, count: int, first: int = 0) -> list[int]:
    statuses = []
    for i in range(first, first + count):
        addresses.address = f"10.{i // 250}.{i % 250}.9"
        statuses.append((await login(driver, "ada", f"guess{i}")).status)
    return statuses


async def test_the_right_password_from_the_victim_works_after_the_window() -> None:
    driver, addresses, clock = driver_with_clock()
    async with driver.running():
        statuses = await attack(driver, addresses, 200)
        assert statuses[:20] == [401] * 20 and set(statuses[20:]) == {429}
        addresses.address = "192.0.2.77"  # the victim, from an address new to the account
        assert (await login(driver, "ada", "lovelace")).status == 429
        clock.now += ACCOUNT_HALF_LIFE  # the attack stopped: within one half-life it opens again
        assert (await login(driver, "ada", "lovelace")).status == 200


async def test_the_throttle_lets_guesses_through_only_slowly_while_the_attack_goes_on() -> None:
    driver, addresses, clock = driver_with_clock()
    async with driver.running():
        await attack(driver, addresses, 20)
        let_through = 0
        for minute in range(60):  # an hour of a steady attack, 100 tries a minute from fresh addresses
            clock.now += 60
            statuses = await attack(driver, addresses, 100, first=1000 + minute * 100)
            let_through += statuses.count(401)
        # about (threshold - 1) * ln 2 per half-life: 19 * 0.69 * 12 = 158 an hour, not 6,000
        assert let_through <= 200, let_through


async def test_an_address_that_logged_in_before_keeps_its_way_in_during_an_attack() -> None:
    driver, addresses, _ = driver_with_clock()
    async with driver.running():
        addresses.address = "192.0.2.50"
        assert (await login(driver, "ada", "lovelace")).status == 200
        await attack(driver, addresses, 100)
        addresses.address = "192.0.2.50"
        assert (await login(driver, "ada", "lovelace")).status == 200
        addresses.address = "192.0.2.51"
        assert (await login(driver, "ada", "lovelace")).status == 429


def test_a_flood_of_failures_cannot_extend_the_lockout_past_one_half_life() -> None:
    clock = Clock()
    authenticator = Authenticator(USERS, ttl=60, attempts_per_minute=10, attempts_per_account=5, clock=clock)
    for _ in range(10_000):  # e.g. many concurrent requests that all passed the check
        authenticator.record_failure("10.0.0.1", "ada")
    wait = authenticator.accounts.retry_after("ada", "10.0.0.2")
    assert wait is not None and wait <= ACCOUNT_HALF_LIFE
    clock.now += wait + 0.01
    assert authenticator.accounts.retry_after("ada", "10.0.0.2") is None


@pytest.mark.parametrize("given", ["10.0.0.5, 10.0.0.6", ["10.0.0.5", "10.0.0.6"]])
def test_forwarded_allow_ips_spellings(given: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CARPOOL_FORWARDED_ALLOW_IPS", raising=False)
    assert _env_forwarded_allow_ips(given) == ["10.0.0.5", "10.0.0.6"]
    assert _env_forwarded_allow_ips(None) == []
    monkeypatch.setenv("CARPOOL_FORWARDED_ALLOW_IPS", "10.1.1.1")
    assert _env_forwarded_allow_ips(None) == ["10.1.1.1"]
    assert _env_forwarded_allow_ips([]) == []
