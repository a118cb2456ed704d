"""FileExplorer: pick files (or folders) under a directory on the server, as Gradio's.

The entries matching ``glob`` (and not ``ignore_glob``) under ``root_dir`` are listed in the page
(at most :data:`MAX_ENTRIES`, names only); the user ticks some. On the wire a choice is a list of paths,
each a list of its segments relative to ``root_dir`` (Gradio's form); the function receives absolute
paths (a list, or one path with ``file_count="single"``). A path outside ``root_dir`` or not matched by
the globs is a 422, so a client cannot make the function open anything else.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar, Literal

from carpool.components.base import Component, json_type_name
from carpool.components.events import Changeable, Inputable
from carpool.exceptions import InvalidInputError

__all__ = ["MAX_ENTRIES", "FileExplorer"]

MAX_ENTRIES = 2000  # listed in the page; a bigger tree is cut (the page says so)
FileCount = Literal["single", "multiple"]


def _ignored(relative: str, ignore_glob: str | None) -> bool:
    return bool(ignore_glob) and (
        fnmatch.fnmatch(relative, str(ignore_glob))
        or fnmatch.fnmatch(relative.rsplit("/", 1)[-1], str(ignore_glob))
    )


def _matched(root: Path, glob: str, ignore_glob: str | None) -> Iterator[Path]:
    """What ``root.glob(glob)`` finds (``**`` recursing, as Gradio's), less what ``ignore_glob`` names."""
    for path in root.glob(glob):
        if path != root and not _ignored(path.relative_to(root).as_posix(), ignore_glob):
            yield path


class FileExplorer(Changeable, Inputable, Component):
    """Files under ``root_dir`` matching ``glob``; the function gets the chosen ones' absolute paths."""

    block_type: ClassVar[str] = "fileexplorer"

    def __init__(
        self,
        glob: str = "**/*",
        *,
        value: str | list[str] | None = None,
        file_count: FileCount = "multiple",
        root_dir: str | Path = ".",
        ignore_glob: str | None = None,
        height: int | str | None = None,
        max_height: int | str | None = 500,
        min_height: int | str | None = None,
        **common: Any,
    ) -> None:
        if file_count not in ("single", "multiple"):
            raise ValueError(f"FileExplorer file_count must be 'single' or 'multiple', got {file_count!r}")
        self.glob = glob
        self.file_count = file_count
        self.root_dir = str(root_dir)
        self.ignore_glob = ignore_glob
        self.height, self.max_height, self.min_height = height, max_height, min_height
        super().__init__(value, **common)

    # -- listing ----------------------------------------------------------------------------------

    def entries(self) -> list[str]:
        """Relative paths ('/'-separated) matching the globs, sorted; folders end with '/'."""
        root = Path(self.root_dir).resolve()
        if not root.is_dir():
            return []
        found = sorted(_matched(root, self.glob, self.ignore_glob))[:MAX_ENTRIES]
        return [path.relative_to(root).as_posix() + ("/" if path.is_dir() else "") for path in found]

    # -- conversion -------------------------------------------------------------------------------

    def preprocess(self, payload: Any) -> str | list[str] | None:
        if payload is None:
            return None
        if not isinstance(payload, list) or not all(isinstance(p, list) for p in payload):
            got = json_type_name(payload)
            raise InvalidInputError(f"expected a list of paths, each a list of segments, got {got}")
        paths = [self._checked(segments) for segments in payload]
        if self.file_count == "single":
            if len(paths) > 1:
                raise InvalidInputError(f"FileExplorer(file_count='single') takes one path, got {len(paths)}")
            return paths[0] if paths else None
        return paths

    def _checked(self, segments: list[Any]) -> str:
        if not segments or not all(isinstance(s, str) and s not in ("", ".", "..") for s in segments):
            raise InvalidInputError(f"a path must be non-empty names, got {segments!r:.100}")
        root = Path(self.root_dir).resolve()
        path = root.joinpath(*segments).resolve()
        relative = "/".join(segments)
        listed = path.is_relative_to(root) and any(
            path == p for p in _matched(root, self.glob, self.ignore_glob)
        )
        if not listed:
            raise InvalidInputError(f"{relative!r:.100} is not one of this FileExplorer's files")
        return str(path)

    def postprocess(self, value: Any) -> list[list[str]] | None:
        if value is None:
            return None
        paths = [value] if isinstance(value, str | Path) else value
        if not isinstance(paths, Sequence) or not all(isinstance(p, str | Path) for p in paths):
            raise TypeError(f"FileExplorer shows a path or a list of paths, got {type(value).__name__}")
        root = Path(self.root_dir).resolve()
        wire = []
        for path in paths:
            full = (root / path).resolve()
            if not full.is_relative_to(root):
                raise ValueError(f"FileExplorer value {str(path)!r} is outside root_dir {self.root_dir!r}")
            wire.append(list(full.relative_to(root).parts))
        return wire

    def api_schema(self) -> dict[str, Any]:
        return {"type": "array", "items": {"type": "array", "items": {"type": "string"}}}

    def example_payload(self) -> Any:
        return [["example.txt"]]

    # -- page -------------------------------------------------------------------------------------

    def component_props(self) -> dict[str, Any]:
        entries = self.entries()
        return {
            "glob": self.glob,
            "ignore_glob": self.ignore_glob,
            "file_count": self.file_count,
            "entries": entries,
            "truncated": len(entries) >= MAX_ENTRIES,
            "height": self.height,
            "max_height": self.max_height,
            "min_height": self.min_height,
        }

    def postprocess_update(self, update_: Mapping[str, Any]) -> dict[str, Any]:
        """A new ``glob``/``ignore_glob``/``root_dir`` comes with the new listing and becomes this
        component's (for every session, unlike Gradio's per-session update), so the function's next
        input is checked against it."""
        wire = super().postprocess_update({k: v for k, v in update_.items() if k != "root_dir"})
        if {"glob", "ignore_glob", "root_dir"} & set(update_):
            self.glob = update_.get("glob", self.glob)
            self.ignore_glob = update_.get("ignore_glob", self.ignore_glob)
            self.root_dir = str(update_.get("root_dir", self.root_dir))
            wire["entries"] = self.entries()
            wire["truncated"] = len(wire["entries"]) >= MAX_ENTRIES
        return wire
