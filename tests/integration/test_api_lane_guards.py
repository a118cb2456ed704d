"""The API fast lane answers in front of the middleware stack, so it must do every guard's work itself."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.testclient import TestClient

import carpool as cp
from carpool.app import Blocks
from carpool.components import Button, Textbox
from carpool.server import RunningServer, create_app


def header_app() -> Blocks:
    def probe(text: str, request: cp.Request) -> str:
        return f"{text}:{request.headers.get('x-probe')}:{request.username}"

    with Blocks() as demo:
        box, out = Textbox(), Textbox()
        Button("Go").click(probe, box, out, api_name="probe")
    return demo


def test_each_host_name_gets_its_own_verdict(serve: Callable[..., RunningServer], http: httpx.Client) -> None:
    url = serve(header_app()).local_url + "api/probe"
    body = {"data": ["x"]}
    port = url.split(":")[2].split("/")[0]
    for _ in range(2):  # the second round is answered from the kept verdicts
        assert http.post(url, json=body, headers={"host": "evil.example"}).status_code == 403
        assert http.post(url, json=body, headers={"host": f"localhost:{port}"}).status_code == 200
        rebound = {"host": "localhost", "x-forwarded-host": "evil.example"}
        assert http.post(url, json=body, headers=rebound).status_code == 403


def test_a_cross_origin_call_is_refused_and_a_same_origin_one_is_not(
    serve: Callable[..., RunningServer], http: httpx.Client
) -> None:
    url = serve(header_app()).local_url
    host = url.split("/")[2]
    for _ in range(2):
        foreign = http.post(
            url + "api/probe", json={"data": ["x"]}, headers={"origin": "https://evil.example"}
        )
        assert foreign.status_code == 403 and foreign.json()["error"]["type"] == "forbidden"
        own = http.post(url + "api/probe", json={"data": ["x"]}, headers={"origin": f"http://{host}"})
        assert own.status_code == 200


def test_the_function_reads_the_callers_headers(
    serve: Callable[..., RunningServer], http: httpx.Client
) -> None:
    url = serve(header_app()).local_url
    answer = http.post(url + "api/probe", json={"data": ["x"]}, headers={"X-Probe": "seen"})
    assert answer.status_code == 200 and answer.json() == {"data": ["x:seen:None"]}


def test_a_logged_in_caller_reaches_the_function_as_its_user(
    serve: Callable[..., RunningServer], http: httpx.Client
) -> None:
    url = serve(header_app(), auth=("ada", "pw")).local_url
    refused = http.post(url + "api/probe", json={"data": ["x"]})
    assert refused.status_code == 401
    assert http.post(url + "login", data={"username": "ada", "password": "pw"}).status_code in (200, 303)
    answer = http.post(url + "api/probe", json={"data": ["x"]})
    assert answer.status_code == 200 and answer.json() == {"data": ["x:None:ada"]}


@pytest.fixture
def stamped_client() -> Iterator[TestClient]:
    async def stamp(request: Request, call_next: Callable[[Request], object]) -> Response:
        response: Response = await call_next(request)  # type: ignore[misc]
        response.headers["x-stamped"] = "yes"
        return response

    app = create_app(header_app())
    app.add_middleware(BaseHTTPMiddleware, dispatch=stamp)
    with TestClient(app, base_url="http://127.0.0.1") as client:
        yield client


def test_middleware_added_to_the_app_still_sees_api_calls(stamped_client: TestClient) -> None:
    answer = stamped_client.post("/api/probe", json={"data": ["x"]})
    assert answer.status_code == 200 and answer.json() == {"data": ["x:None:None"]}
    assert answer.headers.get("x-stamped") == "yes"


def test_a_failing_function_is_a_500_in_the_protocols_shape(
    serve: Callable[..., RunningServer], http: httpx.Client
) -> None:
    def broken(text: str) -> str:
        raise RuntimeError("secret detail")

    with Blocks() as demo:
        box, out = Textbox(), Textbox()
        Button("Go").click(broken, box, out, api_name="broken")
    answer = http.post(serve(demo).local_url + "api/broken", json={"data": ["x"]})
    assert answer.status_code == 500
    assert answer.json()["error"]["type"] == "app_error" and "secret" not in answer.text
