"""File access: every route that serves files and every input that takes a file, against traversal.

Only ids the file store minted resolve. The payloads go out raw on the wire (``..%2f`` reaches the
server as written), into every FileData field of /api and /queue/join, and into a function's return
value. Pass: 400/403/404 (422 for an invalid input, as the protocol says), no byte of the planted secret
or of /etc/passwd, no absolute server path in any response, and nothing copied into the file cache.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reliability_support import RawReply, raw_request
from security_support import Planted
from starlette.routing import Mount, Route

from carpool.protocol import FILE_META
from carpool.server import RunningServer

REFUSED = {400, 403, 404}
INVALID_INPUT = 422  # the protocol's status for an input the server will not accept

# The payloads; "{allowed}", "{ALLOWED}" (case-swapped), "{secret}" are filled in per test.
PAYLOADS: dict[str, str] = {
    "dot_dot": "../../../../etc/passwd",
    "encoded_slash": "..%2f..%2f..%2f..%2fetc%2fpasswd",
    "double_encoded": "..%252f..%252f..%252f..%252fetc%252fpasswd",
    "absolute": "/etc/passwd",
    "double_slash": "//etc/passwd",
    "backslash": "..\\..\\..\\..\\etc\\passwd",
    "windows_drive": "C:\\Windows\\win.ini",
    "unc": "\\\\host\\share\\secret.txt",
    "allowed_then_up": "{allowed}/../secret/secret.txt",
    "case_swapped_allowed": "{ALLOWED}/ok.txt",
    "nul_byte": "{secret}%00.png",
    "nul_byte_raw": "{secret}\x00.png",
    "overlong_utf8": "%c0%ae%c0%ae%c0%af%c0%ae%c0%ae%c0%afetc%c0%afpasswd",
    "full_width_dots": "\uff0e\uff0e\uff0f\uff0e\uff0e\uff0fetc\uff0fpasswd",
    "symlink_in_allowed": "{allowed}/link.txt",
    "symlinked_dir_in_allowed": "{allowed}/dir-link/secret.txt",
    "prefix_sibling": "{allowed}-sibling/secret.txt",
    "proc_environ": "/proc/self/environ",
    "secret_absolute": "{secret}",
}


def fill(payload: str, planted: Planted) -> str:
    allowed = str(planted.allowed)
    return (
        payload.replace("{allowed}", allowed)
        .replace("{ALLOWED}", allowed.swapcase())
        .replace("{secret}", str(planted.secret))
    )


def on_the_wire(value: str) -> str:
    """The request-target form: existing %-escapes, '/' and '.' stay raw; anything else is escaped."""
    return quote(value, safe="/%:.-_~")


def assert_refused(reply: RawReply | httpx.Response, planted: Planted, allowed: set[int] = REFUSED) -> None:
    status = reply.status if isinstance(reply, RawReply) else reply.status_code
    data = (
        reply.everything
        if isinstance(reply, RawReply)
        else bytes(str(reply.headers), "latin-1") + reply.content
    )
    assert status in allowed, (status, data[:300])
    assert planted.leaks(data) == []


def stored_files(server: RunningServer) -> int:
    """Files in the server's cache; every one must be a file the store knows (no strays)."""
    store = server.app.state.carpool.files
    on_disk = [path for path in Path(store.root).rglob("*") if path.is_file()]
    assert len(on_disk) == len(store)
    return len(store)


# -- routes that serve files ------------------------------------------------------------------------


# every route with a path parameter or a mount, as (method, target prefix): a route added later
# without being listed here fails test_the_matrix_covers_every_parametrised_route
FILE_ROUTES = [
    ("GET", "/file/"),
    ("GET", "/static/"),
    ("GET", "/component/"),  # a component's JavaScript module (HTML templates): /component/<int>/script.js
    ("POST", "/api/"),
    ("GET", "/gradio_api/file="),  # Gradio's protocol (server/gradio/)
    ("POST", "/gradio_api/call/"),
]
# parametrised routes that name a session, never a file: a stream that stays open (tested below)
SESSION_STREAMS = [("GET", "/gradio_api/heartbeat/")]


def test_the_matrix_covers_every_parametrised_route(file_server: RunningServer) -> None:
    parametrised = set()
    for route in file_server.app.routes:
        if isinstance(route, Mount):
            parametrised.add(route.path + "/")
        elif isinstance(route, Route) and "{" in route.path:
            parametrised.add(route.path.split("{", 1)[0])
    assert parametrised == {prefix for _, prefix in FILE_ROUTES + SESSION_STREAMS}


@pytest.mark.parametrize("name", sorted(PAYLOADS))
def test_a_heartbeat_named_by_a_payload_streams_only_alive(
    name: str, planted: Planted, file_server: RunningServer
) -> None:
    payload = on_the_wire(fill(PAYLOADS[name], planted))
    url = f"http://127.0.0.1:{file_server.port}/gradio_api/heartbeat/{payload.lstrip('/')}"
    with httpx.Client(timeout=10) as http, http.stream("GET", url) as reply:
        if reply.status_code != 200:  # a hash that is not one (or a path the router refuses)
            assert_refused(reply.read() and reply, planted)
            return
        received = b""
        for chunk in reply.iter_bytes():  # a comment line opens the stream, then ALIVE
            received += chunk
            if b"data:" in received:
                break
    assert received.endswith(b"data: ALIVE\n\n")
    assert planted.leaks(received) == []


@pytest.mark.parametrize("name", sorted(PAYLOADS))
@pytest.mark.parametrize(("method", "prefix"), FILE_ROUTES)
def test_file_routes_refuse_the_payload(
    name: str, method: str, prefix: str, planted: Planted, file_server: RunningServer
) -> None:
    payload = on_the_wire(fill(PAYLOADS[name], planted))
    body = b'{"data": ["x"]}' if method == "POST" else b""
    before = stored_files(file_server)
    for target in (prefix + payload, prefix + payload.lstrip("/"), prefix + payload + "?session_hash=s"):
        assert_refused(raw_request(file_server.port, method, target, body=body), planted)
    assert stored_files(file_server) == before


def test_the_page_route_serves_only_the_page(planted: Planted, file_server: RunningServer) -> None:
    for name in ("dot_dot", "encoded_slash", "absolute", "secret_absolute"):
        target = "/" + on_the_wire(fill(PAYLOADS[name], planted)).lstrip("/")
        assert_refused(raw_request(file_server.port, "GET", target), planted)


def test_a_minted_id_still_serves_its_file(planted: Planted, file_server: RunningServer) -> None:
    url = file_server.local_url
    uploaded = httpx.post(url + "upload", files={"files": ("ok.txt", b"mine")}).json()["files"][0]
    assert httpx.get(url + uploaded["url"].lstrip("/")).content == b"mine"


# -- inputs that take a file reference ---------------------------------------------------------------


def file_references(value: str, minted_id: str) -> list[object]:
    """Every way a client could try to smuggle ``value`` in as a file input."""
    meta = dict(FILE_META)
    return [
        value,
        {"file_id": value, "meta": meta},
        {"file_id": value, "url": f"/file/{value}", "meta": meta},
        {"path": value, "meta": meta},
        {"file_id": minted_id, "path": value, "meta": meta},
        {"file_id": minted_id, "url": value, "meta": meta},
        {"url": value},
    ]


@pytest.mark.parametrize("name", sorted(PAYLOADS))
def test_file_inputs_reject_claimed_paths(name: str, planted: Planted, file_server: RunningServer) -> None:
    url = file_server.local_url
    minted = httpx.post(url + "upload", files={"files": ("ok.txt", b"mine")}).json()["files"][0]["file_id"]
    value = fill(PAYLOADS[name], planted)
    before = stored_files(file_server)
    with httpx.Client(base_url=url, timeout=10) as http:
        for reference in file_references(value, minted):
            reply = http.post("api/file_name", json={"data": [reference]})
            assert_refused(reply, planted, {INVALID_INPUT})
            join = {"data": [reference], "api_name": "file_name", "session_hash": "s1"}
            assert_refused(http.post("queue/join", json=join), planted, {INVALID_INPUT})
        # Gradio's protocol names files by path: only a path its upload minted is one
        for reference in [
            *file_references(value, minted),
            {"path": value, "meta": {"_type": "gradio.FileData"}},
        ]:
            join = {"data": [reference], "fn_index": 0, "session_hash": "s1"}
            assert_refused(http.post("gradio_api/queue/join", json=join), planted, {INVALID_INPUT})
            call = {"data": [reference]}
            assert_refused(http.post("gradio_api/call/file_name", json=call), planted, {INVALID_INPUT})
    assert stored_files(file_server) == before


# -- function outputs --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(set(PAYLOADS) - {"case_swapped_allowed"}))
def test_a_function_returning_a_path_outside_the_app_dirs_is_a_server_error(
    name: str, planted: Planted, file_server: RunningServer
) -> None:
    value = fill(PAYLOADS[name], planted)
    before = stored_files(file_server)
    reply = httpx.post(file_server.local_url + "api/return_path", json={"data": [value]}, timeout=10)
    assert reply.status_code == 500 and reply.json()["error"]["type"] == "app_error"
    assert planted.leaks(reply.content) == []
    assert stored_files(file_server) == before


def test_a_function_returning_an_allowed_file_serves_a_copy(
    planted: Planted, file_server: RunningServer
) -> None:
    url = file_server.local_url
    for path in (planted.allowed / "ok.txt", planted.app_tmp / "made.txt"):
        path.write_bytes(b"fine to serve")
        data = httpx.post(url + "api/return_path", json={"data": [str(path)]}, timeout=10).json()["data"][0]
        assert str(path) not in str(data)
        assert httpx.get(url + data["url"].lstrip("/")).content == b"fine to serve"


# -- a property over generated paths -----------------------------------------------------------------

PATH_PIECES = st.sampled_from(
    ["..", ".", "/", "\\", "%2f", "%2e", "%252f", "%5c", "%00", "%c0%ae", "\uff0e", "\uff0f", "etc", "passwd",
     "secret", "secret.txt", "allowed", "C:", "proc", "self", "environ", "~", "", "file"]
)  # fmt: skip


@st.composite
def generated_paths(draw: st.DrawFn) -> str:
    pieces = draw(st.lists(st.one_of(PATH_PIECES, st.text(max_size=4)), min_size=1, max_size=12))
    return "".join(pieces)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=generated_paths())
def test_no_generated_path_reads_a_file_the_store_did_not_mint(
    path: str, planted: Planted, file_server: RunningServer
) -> None:
    before = stored_files(file_server)
    wire = on_the_wire(path)
    for prefix in ("/file/", "/static/"):
        reply = raw_request(file_server.port, "GET", prefix + wire.lstrip("/"))
        ok = reply.status in REFUSED or _is_a_slash_redirect(reply, file_server.port)
        assert ok or _is_a_real_static_file(path), (path, reply.status)
        assert planted.leaks(reply.everything) == []
    reference = {"file_id": path, "path": os.path.join(str(planted.secret.parent), path)}
    refused = httpx.post(file_server.local_url + "api/file_name", json={"data": [reference]}, timeout=10)
    assert refused.status_code == INVALID_INPUT and planted.leaks(refused.content) == []
    assert stored_files(file_server) == before


def _is_a_slash_redirect(reply: RawReply, port: int) -> bool:
    # Starlette answers "/file/x/" with a redirect to "/file/x" on the same host: nothing is served
    location = reply.headers.get("location", "")
    same_host = location.startswith(f"http://127.0.0.1:{port}/")
    return reply.status in (307, 308) and same_host and reply.body == b""


def _is_a_real_static_file(path: str) -> bool:
    # a generated path may happen to name a real front-end asset ("app.js"): serving that is fine
    static = Path(__file__).resolve().parents[2] / "src" / "carpool" / "static"
    try:
        target = (static / path).resolve()
    except (ValueError, OSError):  # a NUL byte, a loop
        return False
    return target.is_file() and target.is_relative_to(static)
