"""Served files never run as active content on the app's origin, and uploads stay with their session."""

from __future__ import annotations

import httpx
import pytest

from carpool.protocol import FILE_META
from carpool.server import RunningServer

ACTIVE = [
    ("page.html", b"<html><script>alert(document.cookie)</script></html>"),
    ("picture.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
    ("code.js", b"fetch('/config').then(r => r.text()).then(alert)"),
    ("page.xhtml", b'<html xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script></html>'),
    ("no_extension", b"<html><script>alert(1)</script></html>"),
]


def upload(url: str, name: str, data: bytes, session_hash: str | None = None) -> dict[str, object]:
    params = {"session_hash": session_hash} if session_hash else None
    reply = httpx.post(url + "upload", files={"files": (name, data)}, params=params, timeout=10)
    assert reply.status_code == 200, reply.text
    file_data: dict[str, object] = reply.json()["files"][0]
    return file_data


def assert_never_runs_inline(reply: httpx.Response) -> None:
    assert reply.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in reply.headers["content-security-policy"]


@pytest.mark.parametrize(("name", "data"), ACTIVE)
def test_active_content_is_an_attachment_with_nosniff_and_a_sandbox(
    name: str, data: bytes, file_server: RunningServer
) -> None:
    url = file_server.local_url
    reply = httpx.get(url + str(upload(url, name, data)["url"]).lstrip("/"))
    assert reply.status_code == 200 and reply.content == data
    assert reply.headers["content-disposition"].startswith("attachment")
    assert_never_runs_inline(reply)


def test_html_named_like_an_image_is_served_as_that_image_type_and_never_sniffed(
    file_server: RunningServer,
) -> None:
    url = file_server.local_url
    reply = httpx.get(url + str(upload(url, "cat.png", ACTIVE[0][1])["url"]).lstrip("/"))
    assert reply.headers["content-type"] == "image/png"
    assert_never_runs_inline(reply)


def test_a_file_name_cannot_inject_headers(file_server: RunningServer) -> None:
    url = file_server.local_url
    reply = httpx.get(url + str(upload(url, 'a"; x=1\r\nSet-Cookie: y=2.txt', b"x")["url"]).lstrip("/"))
    assert "set-cookie" not in reply.headers
    assert reply.headers["content-disposition"].count(";") <= 2


def test_another_session_cannot_fetch_or_use_an_upload(file_server: RunningServer) -> None:
    url = file_server.local_url
    mine = upload(url, "private.txt", b"alice's", session_hash="alice")
    file_url = url + str(mine["url"]).lstrip("/")
    assert httpx.get(file_url, params={"session_hash": "alice"}).content == b"alice's"
    assert httpx.get(file_url, params={"session_hash": "mallory"}).status_code == 404
    assert httpx.get(file_url).status_code == 404  # the URL alone is not enough
    reference = {"file_id": mine["file_id"], "meta": dict(FILE_META)}
    for session, status in (("mallory", 422), ("alice", 200)):
        join = {"data": [reference], "api_name": "file_name", "session_hash": session}
        assert httpx.post(url + "queue/join", json=join, timeout=10).status_code == status
    # an API call has no session: it cannot use (and so launder) a session's upload either
    call = httpx.post(url + "api/file_name", json={"data": [reference]}, timeout=10)
    assert call.status_code == 422 and call.json()["error"]["type"] == "invalid_input"
