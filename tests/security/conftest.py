"""Fixtures for the security tests: a planted secret, apps with file inputs/outputs, live servers.

The helpers (raw wire requests, the in-process ASGI driver, a server in a subprocess) live in
tests/reliability/reliability_support.py; this folder reuses them.
"""

from __future__ import annotations

import secrets
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "reliability"))

from security_support import Planted, file_app

from carpool.server import RunningServer, launch


@pytest.fixture
def planted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Planted:
    secret_bytes = b"CARPOOL-SECRET-" + secrets.token_hex(16).encode()
    secret_dir, allowed, sibling, app_tmp = (
        tmp_path / name for name in ("secret", "allowed", "allowed-sibling", "app-tmp")
    )
    for folder in (secret_dir, allowed, sibling, app_tmp):
        folder.mkdir()
    secret = secret_dir / "secret.txt"
    secret.write_bytes(secret_bytes)
    (sibling / "secret.txt").write_bytes(secret_bytes)
    (allowed / "ok.txt").write_bytes(b"fine to serve")
    (allowed / "link.txt").symlink_to(secret)
    (allowed / "dir-link").symlink_to(secret_dir, target_is_directory=True)
    # The store allows the system temp dir; tmp_path lives there. Point "the temp dir" at a folder of
    # its own so the secret really is outside every dir the app may serve.
    monkeypatch.setattr(tempfile, "tempdir", str(app_tmp))
    return Planted(tmp_path, secret, secret_bytes, allowed, sibling, app_tmp)


@pytest.fixture
def serve() -> Iterator[Callable[..., RunningServer]]:
    """``serve(blocks, **launch_kwargs)``: uvicorn on 127.0.0.1 in a thread, closed at teardown."""
    servers: list[RunningServer] = []

    def start(blocks: Any, **launch_kwargs: Any) -> RunningServer:
        options = {"server_name": "127.0.0.1", "server_port": 0, "prevent_thread_lock": True, "quiet": True}
        server = launch(blocks, **{**options, **launch_kwargs})
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close(timeout=20)


@pytest.fixture
def file_server(planted: Planted, serve: Callable[..., RunningServer]) -> RunningServer:
    return serve(file_app(), allowed_paths=[planted.allowed])
