"""Message decoding under fuzz, URL-ish file references, and dependency versions past known CVEs.

Random JSON (and non-JSON) bodies on every route that decodes a body never produce a 5xx, and every
refusal is a protocol error body ``{"error": {"type", "message", "parameter"}}``. No component fetches
URLs: a FileData pointing at a URL is refused without any connection being made (so there is no SSRF
surface to guard).
"""

from __future__ import annotations

import json
import socket
from collections.abc import Callable, Iterator
from importlib.metadata import version
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from security_support import file_app

from carpool.protocol import FILE_META
from carpool.server import RunningServer

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)
KEYS = st.sampled_from(["data", "api_name", "fn_index", "session_hash", "event_id", "batched", "trigger_id"])
PROTOCOL_BODIES = st.dictionaries(KEYS | st.text(max_size=8), JSON_VALUES, max_size=6)
# (not /api/return_path: a function returning a path it may not serve is the app's 500, by design)
ROUTES = ["/queue/join", "/queue/cancel", "/api/echo", "/api/file_name", "/login"]
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def fuzz_server(serve_per_module: Callable[..., RunningServer]) -> RunningServer:
    return serve_per_module(file_app(), close_grace=1.0)


@pytest.fixture(scope="module")
def login_http(serve_per_module: Callable[..., RunningServer]) -> Iterator[httpx.Client]:
    server = serve_per_module(file_app(), auth=("ada", "lovelace"))
    with httpx.Client(base_url=server.local_url, timeout=20) as client:
        yield client


@pytest.fixture(scope="module")
def http(fuzz_server: RunningServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=fuzz_server.local_url, timeout=20) as client:
        yield client


def assert_protocol_answer(reply: httpx.Response) -> None:
    assert reply.status_code < 500, (reply.status_code, reply.text[:300])
    body = reply.json()
    if reply.status_code >= 400:
        assert set(body["error"]) == {"type", "message", "parameter"}, body


@FUZZ
@given(route=st.sampled_from(ROUTES), body=PROTOCOL_BODIES | JSON_VALUES)
def test_random_json_never_gets_a_5xx(route: str, body: Any, http: httpx.Client) -> None:
    assert_protocol_answer(http.post(route, json=body))


@FUZZ
@given(route=st.sampled_from(ROUTES), data=st.lists(JSON_VALUES, max_size=3), batched=st.booleans())
def test_random_data_lists_never_get_a_5xx(
    route: str, data: list[Any], batched: bool, http: httpx.Client
) -> None:
    body = {"data": data, "batched": batched, "api_name": route.rsplit("/", 1)[-1], "session_hash": "fuzz"}
    assert_protocol_answer(http.post(route, json=body))


@FUZZ
@given(
    route=st.sampled_from(ROUTES),
    raw=st.binary(max_size=200),
    content_type=st.sampled_from(["application/json", "text/plain", "application/x-www-form-urlencoded", ""]),
)
def test_random_bytes_never_get_a_5xx(route: str, raw: bytes, content_type: str, http: httpx.Client) -> None:
    assert_protocol_answer(http.post(route, content=raw, headers={"content-type": content_type}))


@FUZZ
@given(
    body=PROTOCOL_BODIES | JSON_VALUES,
    form=st.dictionaries(st.sampled_from(["username", "password", "next"]), st.text(max_size=10)),
)
def test_random_login_bodies_never_get_a_5xx(
    body: Any, form: dict[str, str], login_http: httpx.Client
) -> None:
    # with 10 failures a minute per client the limit is hit at once: 429 is a protocol answer too
    assert_protocol_answer(login_http.post("/login", json=body))
    assert_protocol_answer(login_http.post("/login", data=form))


@pytest.mark.parametrize("depth", [1_000, 100_000])
@pytest.mark.parametrize("route", ["/api/echo", "/queue/join", "/queue/cancel"])
def test_deeply_nested_json_is_a_400_not_a_crash(route: str, depth: int, http: httpx.Client) -> None:
    reply = http.post(
        route, content=b"[" * depth + b"]" * depth, headers={"content-type": "application/json"}
    )
    assert reply.status_code == 400 and reply.json()["error"]["type"] == "bad_request"


def test_api_and_join_accept_a_well_formed_call(http: httpx.Client) -> None:
    # the fuzz above is only meaningful if valid bodies do get through
    assert http.post("/api/echo", json={"data": ["hi"]}).json() == {"data": ["hi"]}
    join = {"data": ["hi"], "api_name": "echo", "session_hash": "well-formed"}
    assert isinstance(http.post("/queue/join", json=join).json()["event_id"], str)


@pytest.mark.parametrize(
    "fields",
    [
        {"api_name": {}},
        {"api_name": 3},
        {"fn_index": True},
        {"fn_index": "0"},
        {"api_name": "echo", "fn_index": 1.5},
        {"api_name": "echo", "trigger_id": "3"},
        {},
        {"api_name": None, "fn_index": None},
    ],
)
def test_a_join_naming_its_endpoint_with_wrong_types_is_a_400(
    fields: dict[str, Any], http: httpx.Client
) -> None:
    reply = http.post("/queue/join", json={"data": ["hi"], "session_hash": "typed", **fields})
    assert reply.status_code == 400 and reply.json()["error"]["type"] == "bad_request", reply.text


@pytest.mark.parametrize("session_hash", ["", "a b", "tab\t", "é", "x" * 129, "\u200b"])
def test_a_malformed_session_hash_is_a_400_on_every_route_that_takes_one(
    session_hash: str, http: httpx.Client
) -> None:
    query = {"session_hash": session_hash}
    replies = [
        http.post("/queue/join", json={"data": ["hi"], "api_name": "echo", "session_hash": session_hash}),
        http.post("/queue/cancel", json={"session_hash": session_hash, "event_id": "e"}),
        http.get("/queue/data", params=query),
        http.post("/upload", params=query, files={"files": ("a.txt", b"a")}),
        http.get("/file/" + "A" * 32, params=query),
    ]
    for reply in replies:
        assert reply.status_code == 400 and reply.json()["error"]["type"] == "bad_request", reply.url


def test_an_upload_without_a_file_is_a_400(http: httpx.Client) -> None:
    reply = http.post("/upload", files={"other": ("a.txt", b"a")}, data={"note": "no files field"})
    assert reply.status_code == 400 and reply.json()["error"]["type"] == "bad_request"


def test_unknown_routes_and_wrong_methods_answer_protocol_error_bodies(http: httpx.Client) -> None:
    missing = http.get("/no/such/route")
    assert missing.status_code == 404 and missing.json()["error"]["type"] == "not_found"
    wrong = http.delete("/health")
    assert wrong.status_code == 405 and wrong.json()["error"]["type"] == "method_not_allowed"
    assert "GET" in wrong.headers["allow"]


# -- URL-ish file references ------------------------------------------------------------------------


@pytest.fixture
def bait() -> Iterator[socket.socket]:
    """A listening socket nobody should connect to: it would mean the server fetched a URL."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.setblocking(False)
    yield listener
    listener.close()


def url_references(port: int, minted_id: str) -> list[Any]:
    urls = [
        f"http://127.0.0.1:{port}/secret",
        f"http://localhost:{port}/file/{minted_id}x",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://10.0.0.1/",
        "file:///etc/passwd",
        "gopher://127.0.0.1:6379/_INFO",
        f"data:text/plain,{'x' * 10}",
    ]
    meta = dict(FILE_META)
    references: list[Any] = []
    for url in urls:
        references += [url, {"url": url, "meta": meta}, {"file_id": minted_id, "url": url, "meta": meta}]
        references.append({"file_id": url, "url": url, "meta": meta})
    return references


def test_a_url_as_a_file_input_is_refused_and_never_fetched(
    http: httpx.Client, bait: socket.socket, capsys: pytest.CaptureFixture[str]
) -> None:
    minted = http.post("/upload", files={"files": ("a.txt", b"a")}).json()["files"][0]["file_id"]
    for reference in url_references(bait.getsockname()[1], minted):
        reply = http.post("/api/file_name", json={"data": [reference]})
        assert reply.status_code == 422, (reference, reply.text)
        join = {"data": [reference], "api_name": "file_name", "session_hash": "ssrf"}
        assert http.post("/queue/join", json=join).status_code == 422, reference
    with pytest.raises(BlockingIOError):
        bait.accept()  # nobody connected


def test_no_component_fetches_urls() -> None:
    # If this fails, a component started to fetch URLs: it then needs the SSRF guards of issue 6
    # (refuse loopback, private, link-local and metadata addresses, redirects to them, other schemes).
    from pathlib import Path

    source = Path(__file__).resolve().parents[2] / "src" / "carpool" / "components"
    fetchers = ("urlopen", "httpx", "requests.get", "urllib.request", "aiohttp", "http.client")
    found = [
        (path.name, name) for path in source.glob("*.py") for name in fetchers if name in path.read_text()
    ]
    assert found == []


# -- dependencies ------------------------------------------------------------------------------------

# the first release past the CVEs named in pyproject.toml
FIXED_IN = {"starlette": "0.49.1", "python-multipart": "0.0.22", "h11": "0.16.0"}


def _as_tuple(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(".")[:3] if part.isdigit())


@pytest.mark.parametrize("package", sorted(FIXED_IN))
def test_installed_dependencies_are_past_their_known_cves(package: str) -> None:
    assert _as_tuple(version(package)) >= _as_tuple(FIXED_IN[package]), json.dumps(
        {package: version(package)}
    )
