"""Cross-origin requests to a local app, and password login (auth=...)."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from carpool.app import Blocks
from carpool.client import Client
from carpool.components import Button, Textbox
from carpool.exceptions import AuthenticationError
from carpool.server import RunningServer


def echo_app() -> Blocks:
    def echo(text: str) -> str:
        return text

    with Blocks() as demo:
        box, out = Textbox(), Textbox()
        Button("Echo").click(echo, box, out, api_name="echo")
    return demo


def test_a_cross_origin_post_to_a_local_app_is_403_without_cors_headers(
    serve: Callable[..., RunningServer], http: httpx.Client
) -> None:
    url = serve(echo_app()).local_url
    evil = http.post(url + "api/echo", json={"data": ["x"]}, headers={"origin": "https://evil.example"})
    assert evil.status_code == 403 and "access-control-allow-origin" not in evil.headers
    same = http.post(url + "api/echo", json={"data": ["x"]}, headers={"origin": url.rstrip("/")})
    assert same.status_code == 200
    assert http.post(url + "api/echo", json={"data": ["x"]}).status_code == 200  # no Origin: not a browser


def test_with_auth_every_route_but_login_static_and_health_needs_a_session(
    serve: Callable[..., RunningServer], http: httpx.Client
) -> None:
    server = serve(echo_app(), auth=("ada", "lovelace"))
    url = server.local_url
    for path in ("config", "info", "openapi.json", "metrics", "queue/data?session_hash=s", "file/x"):
        assert http.get(url + path).status_code == 401, path
    for path in ("api/echo", "queue/join", "queue/cancel", "upload"):
        assert http.post(url + path, json={}).status_code == 401, path
    assert http.get(url + "health").status_code == 200
    assert 'name="password"' in http.get(url).text  # the page shows a login form


def test_login_sets_a_strict_http_only_cookie_and_logout_kills_the_token(
    serve: Callable[..., RunningServer],
) -> None:
    url = serve(echo_app(), auth=[("ada", "lovelace"), ("alan", "turing")]).local_url
    with httpx.Client(base_url=url, timeout=10) as browser:
        assert browser.post("login", json={"username": "ada", "password": "wrong"}).status_code == 401
        form = {"username": "alan", "password": "turing"}
        login = browser.post("login", data=form, headers={"accept": "text/html"})  # a browser's form
        assert login.status_code == 303 and login.headers["location"] == "/"
        cookie = login.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie and "max-age=" in cookie
        assert browser.post("api/echo", json={"data": ["hi"]}).json() == {"data": ["hi"]}
        token = browser.cookies["carpool_session"]
        browser.get("logout")
        stale = httpx.post(url + "api/echo", json={"data": ["hi"]}, cookies={"carpool_session": token})
        assert stale.status_code == 401


def test_repeated_failed_logins_are_rate_limited(
    serve: Callable[..., RunningServer], http: httpx.Client
) -> None:
    url = serve(echo_app(), auth=("ada", "lovelace")).local_url
    statuses = [
        http.post(url + "login", json={"username": "ada", "password": f"guess{i}"}).status_code
        for i in range(11)
    ]
    assert statuses[:10] == [401] * 10
    assert statuses[10] == 429
    limited = http.post(url + "login", json={"username": "ada", "password": "lovelace"})
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1


def test_the_client_logs_in_with_auth(serve: Callable[..., RunningServer]) -> None:
    url = serve(echo_app(), auth=("ada", "lovelace")).local_url
    with Client(url, auth=("ada", "lovelace")) as client:
        assert client.predict("hello", api_name="/echo") == "hello"
        assert client.submit("job", api_name="/echo").result(10) == "job"
    with Client(url) as anonymous, pytest.raises(AuthenticationError):
        anonymous.predict("hello", api_name="/echo")
