"""``mount_app``: a carpool app under ``/demo`` of a FastAPI or plain Starlette app, served by uvicorn."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from integration_support import assert_partials_of
from starlette.applications import Starlette
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

import carpool as cp
from carpool.client import Client, handle_file
from carpool.server import mount_app, mount_gradio_app


def demo_app() -> cp.Blocks:
    def shout(word: str) -> str:
        return word.upper()

    def spell(word: str) -> Iterator[str]:
        for end in range(1, len(word) + 1):
            yield word[:end]

    def size(path: str) -> str:
        return f"{Path(path).stat().st_size} bytes"

    with cp.Blocks(title="Mounted") as demo:
        word, out, upload = cp.Textbox(), cp.Textbox(), cp.File()
        go = cp.Button()
        go.click(shout, word, out, api_name="shout")
        go.click(spell, word, out, api_name="spell")
        go.click(size, upload, out, api_name="size")
        go.click(lambda path: path, word, cp.File(), api_name="echo_file")
    return demo


class Parent:
    """A parent app's own lifespan, route and middleware, recording what ran."""

    def __init__(self) -> None:
        self.events: list[str] = []

    @asynccontextmanager
    async def lifespan(self, app: Any) -> AsyncIterator[None]:
        self.events.append("parent up")
        yield
        self.events.append("parent down")

    async def hello(self, request: Request) -> Response:
        return PlainTextResponse("hello from the parent")

    async def stamp(self, request: Request, call_next: Callable[[Request], Any]) -> Response:
        response: Response = await call_next(request)
        response.headers["x-parent"] = "seen"
        return response


def fastapi_parent(parent: Parent) -> FastAPI:
    app = FastAPI(lifespan=parent.lifespan)
    app.add_api_route("/hello", parent.hello, methods=["GET"])
    app.add_middleware(BaseHTTPMiddleware, dispatch=parent.stamp)
    return app


def starlette_parent(parent: Parent) -> Starlette:
    app = Starlette(routes=[Route("/hello", parent.hello)], lifespan=parent.lifespan)
    app.add_middleware(BaseHTTPMiddleware, dispatch=parent.stamp)
    return app


class Served:
    """An ASGI app under uvicorn on 127.0.0.1 (a port from the OS), in a thread."""

    def __init__(self, app: Any) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            assert time.monotonic() < deadline and self.thread.is_alive(), "uvicorn did not start"
            time.sleep(0.01)

    def close(self) -> None:
        self.server.should_exit = True
        self.thread.join(20)
        self.sock.close()


@pytest.fixture(params=["fastapi", "starlette"])
def mounted(request: pytest.FixtureRequest) -> Iterator[tuple[Served, Parent]]:
    parent = Parent()
    app = fastapi_parent(parent) if request.param == "fastapi" else starlette_parent(parent)
    mount_app(app, demo_app(), path="/demo")
    served = Served(app)
    try:
        yield served, parent
    finally:
        served.close()


def test_the_mounted_app_answers_under_its_prefix_with_the_parents_middleware(
    mounted: tuple[Served, Parent],
) -> None:
    served, _ = mounted
    with httpx.Client(base_url=served.url, timeout=30) as http:
        assert http.get("/hello").text == "hello from the parent"
        page = http.get("/demo/")
        assert page.status_code == 200 and page.headers["x-parent"] == "seen"
        assert './static/app.js"' in page.text  # relative: resolves under /demo/
        assert http.get("/demo/static/app.js").status_code == 200
        assert http.get("/demo/config").json()["title"] == "Mounted"
        answer = http.post("/demo/api/shout", json={"data": ["hi"]})
        assert answer.status_code == 200, answer.text  # the engine runs: no 503 shutting_down
        assert answer.json() == {"data": ["HI"]} and answer.headers["x-parent"] == "seen"
        assert http.get("/demo", follow_redirects=False).status_code in (301, 307, 308)


def test_queue_streams_files_and_the_client_work_under_the_prefix(
    mounted: tuple[Served, Parent], tmp_path: Path
) -> None:
    served, _ = mounted
    upload = tmp_path / "five.txt"
    upload.write_bytes(b"12345")
    with Client(served.url + "/demo/") as client:
        assert client.submit("abc", api_name="/spell").result(30) == "abc"  # join + SSE stream
        assert_partials_of(list(client.stream("ab", api_name="/spell")), ["a", "ab"])
        assert client.predict(handle_file(upload), api_name="/size") == "5 bytes"  # /demo/upload
        echoed = client.predict(str(upload), api_name="/echo_file")  # a file output, from /demo/file
        assert Path(echoed).read_bytes() == b"12345"


def test_the_parents_lifespan_wraps_the_mounted_apps() -> None:
    parent = Parent()
    app = fastapi_parent(parent)
    demo = demo_app()
    mount_gradio_app(app, demo, path="/gradio/")
    served = Served(app)
    try:
        assert parent.events == ["parent up"]
        with httpx.Client(base_url=served.url, timeout=30) as http:
            assert http.post("/gradio/api/shout", json={"data": ["x"]}).json() == {"data": ["X"]}
    finally:
        served.close()
    assert parent.events == ["parent up", "parent down"]


@pytest.mark.parametrize("path", ["demo", "/", "", "/a//b", "/../x"])
def test_a_path_that_is_not_a_clean_prefix_is_refused(path: str) -> None:
    with pytest.raises(ValueError, match="path must be"):
        mount_app(Starlette(), demo_app(), path=path)


def test_mounting_into_something_that_is_not_a_starlette_app_is_refused() -> None:
    with pytest.raises(TypeError, match="Starlette or FastAPI"):
        mount_app(object(), demo_app())


def test_unknown_options_are_refused_and_gradios_are_ignored_with_a_warning() -> None:
    with pytest.raises(TypeError, match="unexpected option"):
        mount_app(Starlette(), demo_app(), path="/x", colour="red")
    with pytest.warns(UserWarning, match="ignores: ssr_mode"):
        mount_gradio_app(Starlette(), demo_app(), path="/x", ssr_mode=False)


def test_the_top_level_names_are_exported() -> None:
    assert cp.mount_app is mount_app and cp.mount_gradio_app is mount_gradio_app
