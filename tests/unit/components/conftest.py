"""Fixtures: a fake Blocks (container + event registry) and a file store made current for the test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from component_fakes import FakeBlocks

from carpool import _context
from carpool.components import FileStore, use_file_store


@pytest.fixture
def blocks() -> Iterator[FakeBlocks]:
    root = FakeBlocks()
    with _context.open_container(root), _context.open_registry(root):
        yield root


@pytest.fixture
def store(tmp_path: Path) -> Iterator[FileStore]:
    with FileStore(tmp_path / "cache") as file_store, use_file_store(file_store):
        yield file_store
