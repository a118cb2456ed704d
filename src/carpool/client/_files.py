"""File inputs and outputs for the client: ``handle_file`` uploads, FileData outputs become local paths."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["Downloads", "FileInput", "handle_file", "is_file_data", "replace_files"]

FILE_TYPE = "carpool.FileData"
_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]")


@dataclass(frozen=True)
class FileInput:
    """A local file to upload and send as an input; made by :func:`handle_file`."""

    path: Path


def handle_file(path: str | os.PathLike[str]) -> FileInput:
    """Mark a local file as an input: the client uploads it and sends the server-minted FileData."""
    resolved = Path(path).expanduser()
    if not resolved.is_file():
        raise FileNotFoundError(f"no such file: {resolved}")
    return FileInput(resolved)


def is_file_data(value: Any) -> bool:
    if not isinstance(value, dict) or not isinstance(value.get("file_id"), str):
        return False
    meta = value.get("meta")
    return isinstance(meta, dict) and meta.get("_type") == FILE_TYPE


async def replace_files(
    value: Any, replace: Callable[[Any], Awaitable[Any]], match: Callable[[Any], bool]
) -> Any:
    """``value`` with every part that ``match``es replaced by ``await replace(part)``, recursively."""
    if match(value):
        return await replace(value)
    if isinstance(value, list | tuple):
        items = [await replace_files(item, replace, match) for item in value]
        return items if isinstance(value, list) else tuple(items)
    if isinstance(value, dict):
        return {key: await replace_files(item, replace, match) for key, item in value.items()}
    return value


class Downloads:
    """Where downloaded outputs go: one temp dir per client, removed by ``cleanup()``."""

    def __init__(self, directory: str | os.PathLike[str] | None = None) -> None:
        self._given = Path(directory) if directory is not None else None
        self._root: Path | None = None
        self._paths: dict[str, str] = {}

    def target(self, file_data: dict[str, Any]) -> Path:
        if self._root is None:
            self._root = self._given or Path(tempfile.mkdtemp(prefix="carpool-client-"))
        name = _UNSAFE.sub("_", Path(str(file_data.get("orig_name") or "file")).name).strip(" .") or "file"
        folder = self._root / _UNSAFE.sub("_", file_data["file_id"])
        folder.mkdir(parents=True, exist_ok=True)
        return folder / name

    def known(self, file_id: str) -> str | None:
        return self._paths.get(file_id)

    def remember(self, file_id: str, path: Path) -> str:
        self._paths[file_id] = str(path)
        return str(path)

    def cleanup(self) -> None:
        if self._root is not None and self._given is None:
            shutil.rmtree(self._root, ignore_errors=True)
        self._root = None
        self._paths.clear()
