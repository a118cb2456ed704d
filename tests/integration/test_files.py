"""Uploads and served files: round trip through the client, streaming limits, safe headers."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from carpool.app import Blocks
from carpool.client import Client, handle_file
from carpool.components import Button, File, Textbox
from carpool.exceptions import InvalidInputError
from carpool.server import RunningServer


def file_app(tmp_path: Path) -> Blocks:
    def reverse_file(path: str) -> str:
        out = tmp_path / "reversed.bin"
        out.write_bytes(Path(path).read_bytes()[::-1])
        return str(out)

    def size_of(path: str) -> str:
        return str(Path(path).stat().st_size)

    with Blocks() as demo:
        upload, result, size = File(), File(), Textbox()
        Button("Reverse").click(reverse_file, upload, result, api_name="reverse")
        Button("Size").click(size_of, upload, size, api_name="size")
    return demo


def store_files(server: RunningServer) -> list[Path]:
    root: Path = server.app.state.carpool.files.root
    return [p for p in root.rglob("*") if p.is_file()]


def test_a_file_goes_up_through_the_function_and_comes_back_as_a_local_path(
    serve: Callable[..., RunningServer], tmp_path: Path
) -> None:
    source = tmp_path / "input.bin"
    source.write_bytes(bytes(range(256)) * 10)
    url = serve(file_app(tmp_path), allowed_paths=[tmp_path]).local_url
    with Client(url, download_dir=str(tmp_path / "downloads")) as client:
        returned = client.predict(handle_file(source), api_name="/reverse")
        assert Path(returned).read_bytes() == source.read_bytes()[::-1]
        assert client.predict(handle_file(source), api_name="/size") == "2560"
        job = client.submit(handle_file(source), api_name="/reverse")
        assert Path(job.result(10)).read_bytes() == source.read_bytes()[::-1]


def test_upload_returns_server_minted_file_data_that_downloads_with_safe_headers(
    serve: Callable[..., RunningServer], tmp_path: Path, http: httpx.Client
) -> None:
    url = serve(file_app(tmp_path)).local_url
    page = b"<html><script>alert(document.cookie)</script></html>"
    response = http.post(
        url + "upload", files=[("files", ("page.html", page)), ("files", ("a.png", b"\x89PNG"))]
    )
    assert response.status_code == 200
    html_file, png_file = response.json()["files"]
    assert html_file["meta"] == {"_type": "carpool.FileData"} and html_file["size"] == len(page)
    served = http.get(url + html_file["url"].lstrip("/"))
    assert served.content == page
    assert served.headers["content-disposition"].startswith("attachment")
    assert served.headers["x-content-type-options"] == "nosniff"
    assert served.headers["content-security-policy"] == "sandbox"
    assert http.get(url + png_file["url"].lstrip("/")).headers["content-disposition"].startswith("inline")


def test_only_minted_ids_resolve(
    serve: Callable[..., RunningServer], tmp_path: Path, http: httpx.Client
) -> None:
    url = serve(file_app(tmp_path)).local_url
    for probe in ("..%2f..%2fetc%2fpasswd", "%2fetc%2fpasswd", "A" * 32, "nope"):
        response = http.get(url + "file/" + probe)
        assert response.status_code == 404 and "root:" not in response.text
    claimed = {"file_id": "A" * 32, "path": "/etc/passwd", "meta": {"_type": "carpool.FileData"}}
    response = http.post(url + "api/size", json={"data": [claimed]})
    assert response.status_code == 422
    with Client(url) as client, pytest.raises(InvalidInputError):
        client.predict({"file_id": "x", "path": "/etc/passwd"}, api_name="/size")


@pytest.mark.parametrize("declare_length", [True, False])
def test_an_upload_over_the_limit_is_413_and_leaves_no_file(
    serve: Callable[..., RunningServer], tmp_path: Path, http: httpx.Client, declare_length: bool
) -> None:
    server = serve(file_app(tmp_path), max_file_size=4096)
    boundary = "carpoolboundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="big.bin"\r\n\r\n'.encode()
    )
    body = head + b"x" * 10_000 + f"\r\n--{boundary}--\r\n".encode()
    headers = {"content-type": f"multipart/form-data; boundary={boundary}"}

    def chunks() -> object:
        for start in range(0, len(body), 1024):
            yield body[start : start + 1024]

    content = body if declare_length else chunks()
    response = http.post(server.local_url + "upload", content=content, headers=headers)  # type: ignore[arg-type]
    assert response.status_code == 413 and response.json()["error"]["type"] == "too_large"
    assert store_files(server) == []
    small = http.post(server.local_url + "upload", files={"files": ("ok.txt", b"small")})
    assert small.status_code == 200


def test_a_malformed_multipart_body_is_400(
    serve: Callable[..., RunningServer], tmp_path: Path, http: httpx.Client
) -> None:
    url = serve(file_app(tmp_path)).local_url
    response = http.post(url + "upload", content=b"not multipart", headers={"content-type": "text/plain"})
    assert response.status_code == 400
