"""The page's Content-Security-Policy and framing rules (#12 item 2).

Every HTML response (the app page, the login form, HTML under /static) says ``script-src 'self'``
without ``'unsafe-inline'``, and ``frame-ancestors`` (default ``'self'``, configurable). In Chromium,
inline handlers in an ``HTML`` component do not run unless the author opts out, and another origin
cannot frame the app.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import httpx
import pytest
from chromium_support import chromium_page

from carpool.app import Blocks
from carpool.components import HTML, Markdown
from carpool.server import RunningServer
from carpool.server._headers import page_headers

HANDLERS = """<img id="probe-img" src="/nope.png" onerror="document.body.dataset.ran = 'img'">
<button id="probe-button" onclick="document.body.dataset.ran = 'click'">press</button>"""


def directives(policy: str) -> dict[str, list[str]]:
    parsed = {}
    for directive in policy.split(";"):
        name, *sources = directive.split()
        parsed[name] = sources
    return parsed


def html_app() -> Blocks:
    with Blocks() as demo:
        Markdown("# Title")
        HTML(HANDLERS)
    return demo


@pytest.fixture(scope="module")
def server(serve_per_module: Callable[..., RunningServer]) -> RunningServer:
    return serve_per_module(html_app())


def assert_page_headers(reply: httpx.Response, frame_ancestors: str = "'self'") -> None:
    policy = directives(reply.headers["content-security-policy"])
    assert policy["script-src"] == ["'self'"], policy
    assert policy["object-src"] == ["'none'"] and policy["base-uri"] == ["'self'"]
    assert policy["connect-src"] == ["'self'"]
    assert policy["frame-ancestors"] == frame_ancestors.split()
    assert reply.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("path", ["", "static/index.html"])
def test_every_page_sends_a_csp_without_inline_script(path: str, server: RunningServer) -> None:
    reply = httpx.get(server.local_url + path)
    assert reply.status_code == 200 and reply.headers["content-type"].startswith("text/html")
    assert_page_headers(reply)
    assert reply.headers["x-frame-options"] == "SAMEORIGIN"


def test_the_page_has_no_inline_script(server: RunningServer) -> None:
    page = httpx.get(server.local_url).text
    for tag in re.findall(r"<script\b[^>]*>", page):
        assert " src=" in tag or 'type="application/json"' in tag, tag
    assert not re.search(r"\son[a-z]+\s*=", page.split('id="carpool-config"')[0])


def test_static_scripts_are_never_sniffed(server: RunningServer) -> None:
    reply = httpx.get(server.local_url + "static/app.js")
    assert reply.headers["x-content-type-options"] == "nosniff"
    assert "javascript" in reply.headers["content-type"]


def test_the_login_form_sends_the_same_headers(serve: Callable[..., RunningServer]) -> None:
    url = serve(html_app(), auth=("user", "pw"), frame_ancestors="'none'").local_url
    reply = httpx.get(url)
    assert "password" in reply.text
    assert_page_headers(reply, "'none'")
    assert reply.headers["x-frame-options"] == "DENY"


def test_frame_ancestors_takes_a_list_of_origins(serve: Callable[..., RunningServer]) -> None:
    origins = ["'self'", "https://portal.example"]
    reply = httpx.get(serve(html_app(), frame_ancestors=origins).local_url)
    assert_page_headers(reply, "'self' https://portal.example")
    assert "x-frame-options" not in reply.headers  # it cannot name origins


def test_an_authors_policy_is_sent_as_written(serve: Callable[..., RunningServer]) -> None:
    policy = "default-src 'self'; script-src 'self' 'unsafe-inline'"
    reply = httpx.get(serve(html_app(), content_security_policy=policy).local_url)
    assert reply.headers["content-security-policy"] == policy + "; frame-ancestors 'self'"


@pytest.mark.parametrize(
    ("spec", "ancestors"),
    [("x\r\nSet-Cookie: a=b", None), (True, "'self'; script-src *"), (True, []), (True, "a,b"), (3, None)],
)
def test_bad_policies_are_refused_at_build_time(spec: object, ancestors: object) -> None:
    with pytest.raises((ValueError, TypeError)):
        page_headers(spec, ancestors)  # type: ignore[arg-type]


async def test_inline_handlers_in_html_do_not_run_under_the_csp(server: RunningServer) -> None:
    async with chromium_page() as page:
        violations: list[str] = []
        page.on("console", lambda message: violations.append(message.text))
        await page.goto(server.local_url)
        await page.click("#probe-button")
        await page.wait_for_timeout(300)
        assert await page.evaluate("document.body.dataset.ran ?? null") is None
        await page.wait_for_selector("#probe-img")
    assert any("Content Security Policy" in line for line in violations)


async def test_the_author_can_opt_out_for_html_that_needs_inline_handlers(
    serve: Callable[..., RunningServer],
) -> None:
    url = serve(html_app(), content_security_policy=False).local_url
    async with httpx.AsyncClient() as client:
        reply = await client.get(url)
    assert reply.headers["content-security-policy"] == "frame-ancestors 'self'"
    async with chromium_page() as page:
        await page.goto(url)
        await page.click("#probe-button")
        await page.wait_for_function("document.body.dataset.ran !== undefined")


async def test_another_origin_cannot_frame_the_app(server: RunningServer) -> None:
    async with chromium_page() as page:
        await page.set_content(f'<iframe id="app" src="{server.local_url}"></iframe>')
        await page.wait_for_timeout(1000)
        frame = next(frame for frame in page.frames if frame != page.main_frame)
        assert await frame.evaluate("document.getElementById('carpool-app')") is None
