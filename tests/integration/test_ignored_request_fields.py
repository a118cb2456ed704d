"""A request field carpool does not act on yet (``timeout`` in an API body) is logged, never silent."""

from __future__ import annotations

import logging
from collections.abc import Callable

import httpx
import pytest

import carpool as cp
from carpool.server import RunningServer, _api_routes


def test_a_timeout_in_the_api_body_is_logged_once(
    serve: Callable[..., RunningServer], caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_api_routes, "_logged_fields", set())
    server = serve(cp.Interface(str.upper, "text", "text").queue())
    caplog.set_level(logging.WARNING, logger="carpool.server")
    for _ in range(2):
        reply = httpx.post(f"{server.local_url}api/predict", json={"data": ["a"], "timeout": 5}, timeout=30)
        assert reply.json() == {"data": ["A"]}
    logged = [record.getMessage() for record in caplog.records if "ignoring 'timeout'" in record.getMessage()]
    assert len(logged) == 1 and "not applied yet" in logged[0]
