"""Fixtures for engine tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from carpool.core import BatchRecord, Engine


@pytest.fixture
def records() -> list[BatchRecord]:
    return []


@pytest.fixture
async def engine(records: list[BatchRecord]) -> AsyncIterator[Engine]:
    async with Engine(on_batch=records.append, close_grace=1.0) as engine:
        yield engine
