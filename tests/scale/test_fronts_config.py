"""``carpool run --workers``'s pieces that need no processes: the balancer's config, bad arguments."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from carpool import _fronts
from carpool._fronts import Fronts, haproxy_config
from carpool.cli import main


def test_the_config_hashes_on_the_session_id_keeps_cookies_and_lists_every_front() -> None:
    config = haproxy_config("0.0.0.0", 8080, [9001, 9002, 9003])
    assert "bind 0.0.0.0:8080" in config
    assert "url_param(session_hash)" in config
    assert "json_query('$.session_hash')" in config
    assert "balance hash var(txn.session)" in config
    assert "cookie carpool_front insert indirect nocache httponly" in config
    servers = [line.split()[1:3] for line in config.splitlines() if line.strip().startswith("server ")]
    assert servers == [
        ["front0", "127.0.0.1:9001"],
        ["front1", "127.0.0.1:9002"],
        ["front2", "127.0.0.1:9003"],
    ]
    assert "bind [::1]:80" in haproxy_config("::1", 80, [1])


def test_haproxy_accepts_the_config(tmp_path: Path) -> None:
    haproxy = shutil.which("haproxy") or "/usr/sbin/haproxy"
    if not Path(haproxy).exists():
        pytest.skip("needs haproxy: scripts/install-haproxy (make test runs it)")
    config = tmp_path / "haproxy.cfg"
    config.write_text(haproxy_config("127.0.0.1", 8080, [9001, 9002]))
    checked = subprocess.run([haproxy, "-c", "-f", str(config)], capture_output=True, text=True, timeout=30)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_no_haproxy_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_fronts.shutil, "which", lambda name: None)
    monkeypatch.setattr(_fronts.os, "access", lambda path, mode: False)
    with pytest.raises(SystemExit, match=r"needs HAProxy .* apt-get install haproxy"):
        _fronts.find_haproxy()


def test_fewer_than_one_worker_is_refused_before_anything_starts() -> None:
    with pytest.raises(SystemExit, match="--workers must be >= 1, got 0"):
        Fronts("app.py", 0).start()
    with pytest.raises(SystemExit, match="--workers must be >= 1"):
        main(["run", "app.py", "--workers", "-2"])


def test_port_zero_takes_a_free_port_and_a_given_port_is_kept() -> None:
    assert _fronts._pick_port("127.0.0.1", 0) > 0
    assert _fronts._pick_port("127.0.0.1", 8123) == 8123
