"""Large JSON bodies (#12 item 3): refused before they are read, and parsed without freezing the loop.

Before: a 63 MiB body of ``[[],[],...]`` to any ``/api`` route (even an unknown one) was read whole and
parsed on the event loop, stalling every request, ``/health`` included, for 19 s. Now JSON bodies are
limited (``max_body_size``, default 4 MiB): a ``Content-Length`` over it is a 413 at once, a chunked
body is counted as it arrives, an unknown endpoint is a 404 before any body is read, and a body with
more arrays and objects than the parser should build is a 413. Bodies under the limit but big are
parsed in a worker thread by the pure-Python scanner, which lets the loop run every few milliseconds.
The server runs in its own process, so its event loop is not the test's.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest
from reliability_support import HealthProbe, ServerProcess, raw_request

MiB = 1024 * 1024
JSON = ("Content-Type", "application/json")
# Generous for a busy 2-core machine: the freeze this guards against lasted 19 s.
FAST_S = 5.0
HEALTH_MAX_S = 1.0


def empty_lists(size: int) -> bytes:
    return b'{"data": [' + b"[]," * (size // 3) + b'"x"]}'


@pytest.fixture(scope="module")
def server() -> Iterator[ServerProcess]:
    with ServerProcess("echo") as process:
        yield process


def headers_only(port: int, target: str, length: int) -> tuple[int, dict[str, str], float]:
    """Send just the headers of a ``length``-byte body: an answer proves the body was never waited for."""
    started = time.perf_counter()
    reply = raw_request(port, "POST", target, headers=[JSON, ("Content-Length", str(length))], timeout=20)
    return reply.status, reply.headers, time.perf_counter() - started


def test_a_63_mib_body_gets_413_fast_and_health_stays_responsive(server: ServerProcess) -> None:
    body = empty_lists(63 * MiB)
    with HealthProbe(server.port) as probe:
        started = time.perf_counter()
        reply = raw_request(server.port, "POST", "/api/echo", body=body, headers=[JSON], timeout=30)
        elapsed = time.perf_counter() - started
        time.sleep(0.2)
    assert reply.status == 413, reply.body[:200]
    assert json.loads(reply.body)["error"]["type"] == "too_large"
    assert str(4 * MiB) in json.loads(reply.body)["error"]["message"]
    assert elapsed < FAST_S, f"413 took {elapsed:.1f} s"
    assert not probe.errors and max(probe.latencies) < HEALTH_MAX_S, probe.summary()


def test_an_oversized_content_length_is_refused_before_the_body_is_sent(server: ServerProcess) -> None:
    status, headers, elapsed = headers_only(server.port, "/api/echo", 63 * MiB)
    assert status == 413 and elapsed < FAST_S
    assert headers.get("connection") == "close"  # the rest of the body is never read


def test_an_unknown_endpoint_is_refused_before_its_body_is_read(server: ServerProcess) -> None:
    status, _, elapsed = headers_only(server.port, "/api/no_such_endpoint", 1 * MiB)
    assert status == 404 and elapsed < FAST_S


def test_a_chunked_body_is_counted_while_it_streams(server: ServerProcess) -> None:
    chunk = b"[]," * (MiB // 3)
    frames = (b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(64))  # 64 MiB if all were sent
    started = time.perf_counter()
    reply = raw_request(
        server.port, "POST", "/api/echo", body=frames, headers=[JSON, ("Transfer-Encoding", "chunked")]
    )
    assert reply.status == 413 and time.perf_counter() - started < FAST_S


def test_a_body_of_a_million_empty_lists_under_the_size_limit_is_refused(server: ServerProcess) -> None:
    body = empty_lists(3 * MiB)  # about a million containers in 3 MiB
    with HealthProbe(server.port) as probe:
        reply = raw_request(server.port, "POST", "/api/echo", body=body, headers=[JSON])
    assert reply.status == 413
    assert "arrays and objects" in json.loads(reply.body)["error"]["message"]
    assert max(probe.latencies, default=0) < HEALTH_MAX_S, probe.summary()


def test_big_bodies_under_the_limits_are_parsed_off_the_loop(server: ServerProcess) -> None:
    # 1.9 M numbers (3.8 MiB): a quarter of a second of C json.loads on the loop, more with the GC.
    body = b'{"data": ["ok"], "padding": [' + b"1," * (19 * MiB // 10) + b"1]}"
    assert len(body) < 4 * MiB
    with HealthProbe(server.port) as probe:
        replies = [raw_request(server.port, "POST", "/api/echo", body=body, headers=[JSON]) for _ in range(3)]
    assert [reply.status for reply in replies] == [200] * 3, replies[0].body[:200]
    assert json.loads(replies[0].body) == {"data": ["ok"]}
    assert not probe.errors and max(probe.latencies) < HEALTH_MAX_S, probe.summary()


def test_max_body_size_is_configurable() -> None:
    with ServerProcess("echo", {"max_body_size": "64kb"}) as process:
        status, _, _ = headers_only(process.port, "/api/echo", 64_001)
        small = raw_request(process.port, "POST", "/api/echo", body=b'{"data": ["hi"]}', headers=[JSON])
    assert status == 413 and small.status == 200
