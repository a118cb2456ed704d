"""Upload quotas: in all (507) and per client (413), refused with a body naming the limit; no live file
of another client is evicted to make room; an app without file inputs takes no uploads (404).

Both upload routes, carpool's ``/upload`` and Gradio's ``/gradio_api/upload``, charge the same store
and the same quotas.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from reliability_support import AsgiDriver, AsgiReply
from security_support import file_app

from carpool.app import Blocks
from carpool.components import Button, File, FileStore, Textbox
from carpool.components._upload_quota import UploadQuota, UploadQuotaError
from carpool.server import RunningServer, create_app
from carpool.server._openapi import openapi_document

KiB = 1024
MiB = 1024 * KiB
BOUNDARY = "quota-test-boundary"
MULTIPART = [("content-type", f"multipart/form-data; boundary={BOUNDARY}")]


def multipart(*files: tuple[str, bytes]) -> bytes:
    parts = [
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n\r\n'.encode()
        + data
        + b"\r\n"
        for name, data in files
    ]
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


class FromClient:
    """ASGI wrapper: requests come from ``self.address`` (as if from different machines)."""

    def __init__(self, app: Any) -> None:
        self.app, self.state, self.router = app, app.state, app.router
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


def quota_driver(**options: Any) -> tuple[AsgiDriver, FromClient]:
    wrapped = FromClient(create_app(file_app(), **options))
    return AsgiDriver(wrapped), wrapped


async def upload(driver: AsgiDriver, *files: tuple[str, bytes], path: str = "/upload") -> AsgiReply:
    return await driver.request("POST", path, body=multipart(*files), headers=MULTIPART)


def on_disk(driver: AsgiDriver) -> list[Path]:
    return sorted(path for path in Path(driver.state.files.root).rglob("*") if path.is_file())


async def fetch(driver: AsgiDriver, file_id: str) -> AsgiReply:
    return await driver.request("GET", f"/file/{file_id}")


async def test_a_client_over_its_quota_gets_413_naming_the_limit_and_keeps_its_files() -> None:
    driver, _ = quota_driver(max_client_upload_size="1mb", max_total_upload_size="10mb")
    async with driver.running():
        first = await upload(driver, ("a.bin", b"a" * 400 * KiB))
        second = await upload(driver, ("b.bin", b"b" * 400 * KiB))
        assert first.status == second.status == 200
        before = on_disk(driver)
        refused = await upload(driver, ("c.bin", b"c" * 400 * KiB))
        assert refused.status == 413, refused.body
        error = refused.json()["error"]
        assert error["type"] == "quota_exceeded"
        assert error["limit"] == "max_client_upload_size" and error["limit_bytes"] == 1_000_000
        assert on_disk(driver) == before  # nothing of the refused upload stayed
        for reply in (first, second):
            assert (await fetch(driver, reply.json()["files"][0]["file_id"])).status == 200


async def test_the_total_quota_is_507_and_never_evicts_another_clients_live_file() -> None:
    driver, client = quota_driver(max_client_upload_size="1mb", max_total_upload_size="1mb")
    async with driver.running():
        client.address = "198.51.100.1"  # the victim
        victim = (await upload(driver, ("mine.bin", b"v" * 700 * KiB))).json()["files"][0]
        client.address = "198.51.100.2"  # someone else wants the room
        refused = await upload(driver, ("theirs.bin", b"x" * 500 * KiB))
        assert refused.status == 507, refused.body
        error = refused.json()["error"]
        assert error["type"] == "insufficient_storage" and error["limit"] == "max_total_upload_size"
        client.address = "198.51.100.1"
        served = await fetch(driver, victim["file_id"])
        assert served.status == 200 and served.body == b"v" * 700 * KiB


async def test_a_flood_of_small_uploads_does_not_evict_another_clients_file() -> None:
    # Before quotas the store evicted the least recently used file past max_files, whoever owned it.
    driver, client = quota_driver(max_client_upload_size="2mb")
    async with driver.running():
        driver.state.files.max_files = 20
        client.address = "198.51.100.1"
        victim = (await upload(driver, ("mine.txt", b"keep me"))).json()["files"][0]
        client.address = "203.0.113.66"
        statuses = [
            (await upload(driver, *[(f"{i}-{j}.txt", b"x") for j in range(8)])).status for i in range(8)
        ]
        assert statuses[0] == 200 and statuses[-1] == 413  # 64 KiB a file: 32 files fill 2 MB
        client.address = "198.51.100.1"
        assert (await fetch(driver, victim["file_id"])).body == b"keep me"


async def test_an_idle_upload_makes_room_but_a_recently_used_one_does_not() -> None:
    driver, client = quota_driver(max_client_upload_size="1mb", max_total_upload_size="1mb")
    async with driver.running():
        clock = Clock()
        store: FileStore = driver.state.files
        store.clock = clock
        client.address = "198.51.100.1"
        old = (await upload(driver, ("old.bin", b"o" * 700 * KiB))).json()["files"][0]
        clock.now += store.uploads.quota.idle_ttl - 60
        assert (await fetch(driver, old["file_id"])).status == 200  # used: live for another hour
        clock.now += store.uploads.quota.idle_ttl - 60
        client.address = "198.51.100.2"
        assert (await upload(driver, ("new.bin", b"n" * 500 * KiB))).status == 507
        clock.now += 120  # now an hour since its last use: it may go to make room
        assert (await upload(driver, ("new.bin", b"n" * 500 * KiB))).status == 200
        client.address = "198.51.100.1"
        assert (await fetch(driver, old["file_id"])).status == 404


async def test_both_upload_routes_charge_the_same_quota() -> None:
    driver, _ = quota_driver(max_client_upload_size="1mb")
    async with driver.running():
        ours = await upload(driver, ("a.bin", b"a" * 400 * KiB))
        gradios = await upload(driver, ("b.bin", b"b" * 400 * KiB), path="/gradio_api/upload")
        assert ours.status == gradios.status == 200
        for path in ("/upload", "/gradio_api/upload"):
            refused = await upload(driver, ("c.bin", b"c" * 400 * KiB), path=path)
            assert refused.status == 413 and refused.json()["error"]["limit"] == "max_client_upload_size"
        assert len(driver.state.files) == 2


def text_only_app() -> Blocks:
    with Blocks() as demo:
        box, out = Textbox(), Textbox()
        Button("Echo").click(lambda text: text, box, out, api_name="echo")
    return demo


@pytest.mark.parametrize("path", ["/upload", "/gradio_api/upload"])
async def test_an_app_without_file_inputs_takes_no_uploads(path: str) -> None:
    app = create_app(text_only_app())
    driver = AsgiDriver(app)
    async with driver.running():
        reply = await upload(driver, ("a.txt", b"hello"), path=path)
        assert reply.status == 404
        assert reply.json()["error"] == {
            "type": "not_found",
            "message": "This app has no file inputs, so it takes no uploads.",
            "parameter": None,
        }
        assert len(driver.state.files) == 0 and on_disk(driver) == []
    assert "/upload" not in openapi_document(app.state.carpool.blocks, title="t", version="1")["paths"]
    assert "/upload" in openapi_document(file_app(), title="t", version="1")["paths"]


async def test_an_interactive_file_component_takes_uploads_though_no_listener_reads_it() -> None:
    with Blocks() as demo:  # the page lets the user drop a file; only its upload event is listened to
        dropped, said = File(interactive=True), Textbox()
        dropped.upload(lambda: "thanks", None, said)
    driver = AsgiDriver(create_app(demo))
    async with driver.running():
        assert (await upload(driver, ("a.txt", b"hello"))).status == 200


def test_concurrent_uploads_of_one_client_cannot_overshoot_its_quota(tmp_path: Path) -> None:
    quota = UploadQuota(total_bytes=10 * MiB, per_owner_bytes=MiB)
    with FileStore(tmp_path, upload_quota=quota) as store:
        first = store.open_upload("a.bin", owner="addr:10.0.0.1")
        second = store.open_upload("b.bin", owner="addr:10.0.0.1")
        chunk = b"z" * 100 * KiB
        for _ in range(5):  # interleaved, 500 KiB each: 1,000 KiB together still fit in 1 MiB
            first.write(chunk)
            second.write(chunk)
        with pytest.raises(UploadQuotaError) as refused:  # the sum would pass it
            second.write(chunk)
        assert refused.value.limit == "max_client_upload_size" and refused.value.status == 413
        first.commit()
        assert store.uploads.used_by("addr:10.0.0.1") == 500 * KiB  # the refused one was refunded
        assert len(store) == 1


def test_the_quota_options_go_through_launch(serve: Callable[..., RunningServer]) -> None:
    server = serve(file_app(), max_client_upload_size="300kb", max_total_upload_size="5mb")
    files = {"files": ("a.bin", b"a" * 400 * KiB)}
    reply = httpx.post(server.local_url + "upload", files=files, timeout=30)
    assert reply.status_code == 413
    assert reply.json()["error"]["limit"] == "max_client_upload_size"
    assert reply.json()["error"]["limit_bytes"] == 300_000
