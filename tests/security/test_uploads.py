"""Upload limits and multipart abuse: refused early, nothing left behind, the server stays responsive.

Over-limit bodies are refused with 413 whatever their Content-Length says (honest, lying, absent), with
at most the limit + 64 KiB written and no partial file left. Multipart abuse is answered within about a
second of server CPU while ``/health`` keeps answering (p99 measured from another connection).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from reliability_support import AsgiDriver, HealthProbe, ServerProcess, cpu_seconds, raw_request
from security_support import file_app

from carpool.components import UploadWriter
from carpool.server import RunningServer, create_app

LIMIT = 1024 * 1024
SLACK = 64 * 1024
BOUNDARY = "carpool-test-boundary"
MULTIPART = [("content-type", f"multipart/form-data; boundary={BOUNDARY}")]
HEALTH_P99_MS = float(os.environ.get("CARPOOL_HEALTH_P99_MS", "100"))


def file_part(name: str, data: bytes, field: str = "files") -> bytes:
    head = f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{field}"; filename="{name}"\r\n\r\n'
    return head.encode() + data + b"\r\n"


def closing() -> bytes:
    return f"--{BOUNDARY}--\r\n".encode()


def in_chunks(data: bytes, size: int = 64 * 1024) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


@pytest.fixture
def written(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Bytes every UploadWriter accepted, one entry per write: what reached the disk."""
    accepted: list[int] = []
    original = UploadWriter.write

    def counting_write(self: UploadWriter, chunk: bytes) -> int:
        size = original(self, chunk)
        accepted.append(size)
        return size

    monkeypatch.setattr(UploadWriter, "write", counting_write)
    return accepted


def files_on_disk(driver: AsgiDriver) -> list[Path]:
    return [path for path in Path(driver.state.files.root).rglob("*")]


OVERSIZED = file_part("big.bin", b"\0" * (3 * LIMIT)) + closing()


@pytest.mark.parametrize(
    ("case", "headers"),
    [
        ("honest length", [("content-length", str(len(OVERSIZED)))]),
        ("lying length", [("content-length", str(LIMIT // 2))]),
        ("no length (chunked)", []),
    ],
)
async def test_an_upload_over_the_limit_is_413_with_at_most_limit_plus_64k_written(
    case: str, headers: list[tuple[str, str]], written: list[int]
) -> None:
    driver = AsgiDriver(create_app(file_app(), max_file_size=LIMIT))
    async with driver.running():
        reply = await driver.request(
            "POST", "/upload", body=in_chunks(OVERSIZED), headers=[*MULTIPART, *headers]
        )
        assert reply.status == 413, (case, reply.body)
        assert reply.json()["error"]["type"] == "too_large"
        assert sum(written) <= LIMIT + SLACK
        assert files_on_disk(driver) == [] and len(driver.state.files) == 0


async def test_many_files_together_over_the_limit_are_413_and_all_removed(written: list[int]) -> None:
    body = b"".join(file_part(f"part{i}.bin", b"\1" * (LIMIT // 3)) for i in range(5)) + closing()
    driver = AsgiDriver(create_app(file_app(), max_file_size=LIMIT))
    async with driver.running():
        reply = await driver.request("POST", "/upload", body=in_chunks(body), headers=MULTIPART)
        assert reply.status == 413
        assert sum(written) <= LIMIT + SLACK
        assert files_on_disk(driver) == []


async def test_an_upload_at_the_limit_is_accepted() -> None:
    driver = AsgiDriver(create_app(file_app(), max_file_size=LIMIT))
    async with driver.running():
        body = file_part("exact.bin", b"\2" * LIMIT) + closing()
        reply = await driver.request("POST", "/upload", body=in_chunks(body), headers=MULTIPART)
        assert reply.status == 200 and reply.json()["files"][0]["size"] == LIMIT


def test_a_chunked_upload_over_the_limit_on_the_wire_is_413(serve: Any) -> None:
    server: RunningServer = serve(file_app(), max_file_size=LIMIT)

    def chunked() -> Iterator[bytes]:
        for piece in in_chunks(OVERSIZED):
            yield f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
        yield b"0\r\n\r\n"

    headers = [*MULTIPART, ("transfer-encoding", "chunked")]
    reply = raw_request(server.port, "POST", "/upload", body=chunked(), headers=headers)
    assert reply.status == 413
    store = server.app.state.carpool.files
    assert len(store) == 0 and list(Path(store.root).iterdir()) == []


# -- multipart abuse against a server in its own process -------------------------------------------

MiB = 1024 * 1024


def abuse_bodies() -> dict[str, tuple[bytes, list[tuple[str, str]], set[int]]]:
    """name -> (body, headers, acceptable statuses)."""
    ok_or_refused = {200, 400, 413}
    small_file = file_part("a.txt", b"hi")
    huge_boundary = "b" * 4096
    return {
        "huge preamble": (b"x" * (20 * MiB) + b"\r\n" + small_file + closing(), MULTIPART, ok_or_refused),
        "huge epilogue": (small_file + closing() + b"y" * (20 * MiB), MULTIPART, ok_or_refused),
        "100,000 parts": (
            b"".join(
                f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="f{i}"\r\n\r\nv\r\n'.encode()
                for i in range(100_000)
            )
            + closing(),
            MULTIPART,
            {413},
        ),
        "4 KiB boundary": (
            f"--{huge_boundary}\r\n".encode() + b"x\r\n" + f"--{huge_boundary}--\r\n".encode(),
            [("content-type", f"multipart/form-data; boundary={huge_boundary}")],
            {400},
        ),
        "64 KiB filename": (file_part("n" * 65536 + ".txt", b"hi") + closing(), MULTIPART, ok_or_refused),
        "50 MiB field": (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="note"\r\n\r\n'.encode()
            + b"z" * (50 * MiB)
            + b"\r\n"
            + closing(),
            MULTIPART,
            {413},
        ),
    }


@pytest.fixture(scope="module")
def abuse_server() -> Iterator[ServerProcess]:
    with ServerProcess("echo", {"max_file_size": 100 * MiB}) as server:
        yield server


REPEATS = 5  # each abusive request is sent this many times while /health is probed


@pytest.mark.parametrize("case", list(abuse_bodies()))
def test_multipart_abuse_is_answered_quickly_while_health_stays_fast(
    case: str, abuse_server: ServerProcess, capsys: pytest.CaptureFixture[str]
) -> None:
    body, headers, statuses = abuse_bodies()[case]
    cpu_per_request = []
    with HealthProbe(abuse_server.port) as probe:
        for _ in range(REPEATS):
            cpu_before = cpu_seconds(abuse_server.pid)
            # returns once the reply is read and the whole body was sent (and discarded, if refused)
            reply = raw_request(
                abuse_server.port, "POST", "/upload", body=body, headers=headers, finish_body=True
            )
            cpu_per_request.append(cpu_seconds(abuse_server.pid) - cpu_before)
            assert reply.status in statuses, (case, reply.status, reply.body[:200])
            assert reply.headers["content-type"] == "application/json"
    with capsys.disabled():
        cpu = max(cpu_per_request)
        print(f"\n[multipart abuse] {case}: {reply.status}, CPU <= {cpu:.2f} s/request, {probe.summary()}")
    assert max(cpu_per_request) <= 1.0, f"{case}: {cpu_per_request} s of server CPU"
    assert not probe.errors
    assert probe.p99_ms() <= HEALTH_P99_MS, probe.summary()


async def test_an_app_started_again_gets_a_fresh_store_and_the_old_files_are_gone() -> None:
    # Test clients (schemathesis' among them) start and stop an app's lifespan once per test.
    driver = AsgiDriver(create_app(file_app()))
    body = file_part("a.txt", b"first run") + closing()
    async with driver.running():
        first = (await driver.request("POST", "/upload", body=body, headers=MULTIPART)).json()
        old_store = driver.state.files
    assert not files_on_disk(driver) and driver.state.files is old_store  # closed: its dir is gone
    async with driver.running():
        assert driver.state.files is not old_store
        old = await driver.request("GET", "/file/" + first["files"][0]["file_id"])
        assert old.status == 404
        again = await driver.request("POST", "/upload", body=body, headers=MULTIPART)
        assert again.status == 200, again.body
        fresh = await driver.request("GET", again.json()["files"][0]["url"])
        assert fresh.status == 200 and fresh.body == b"first run"
