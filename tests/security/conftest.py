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

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "reliability"))

from security_support import Planted, file_app

from carpool.server import RunningServer


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Planted]:
    base = tmp_path_factory.mktemp("planted")
    secret_bytes = b"CARPOOL-SECRET-" + secrets.token_hex(16).encode()
    secret_dir, allowed, sibling, app_tmp = (
        base / name for name in ("secret", "allowed", "allowed-sibling", "app-tmp")
    )
    for folder in (secret_dir, allowed, sibling, app_tmp):
        folder.mkdir()
    secret = secret_dir / "secret.txt"
    secret.write_bytes(secret_bytes)
    (sibling / "secret.txt").write_bytes(secret_bytes)
    (allowed / "ok.txt").write_bytes(b"fine to serve")
    (allowed / "link.txt").symlink_to(secret)
    (allowed / "dir-link").symlink_to(secret_dir, target_is_directory=True)
    # The store allows the system temp dir, and pytest's tmp dirs live there. Point "the temp dir" at
    # a folder of its own so that the secret really is outside every dir the app may serve.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tempfile, "tempdir", str(app_tmp))
        yield Planted(base, secret, secret_bytes, allowed, sibling, app_tmp)


@pytest.fixture(scope="module")
def file_server(planted: Planted, serve_per_module: Callable[..., RunningServer]) -> RunningServer:
    """One server per test module: tests that add files must not assume an empty store."""
    return serve_per_module(file_app(), allowed_paths=[planted.allowed])
