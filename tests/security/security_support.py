"""Shared pieces of the security tests: the planted secret and the app with file inputs/outputs."""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.routing import Mount, Route

from carpool.app import Blocks
from carpool.components import Button, File, Textbox

__all__ = ["Planted", "concrete_paths", "file_app"]


@dataclass(frozen=True)
class Planted:
    """A secret file outside everything the app may serve, and the traps around the allowed dir.

    ``base/app-tmp`` stands in for the system temp dir (which the file store allows), ``allowed`` is
    the app's ``allowed_paths``; ``allowed/link.txt`` is a symlink to the secret, and
    ``allowed-sibling`` shares the allowed dir's name as a prefix.
    """

    base: Path
    secret: Path
    secret_bytes: bytes
    allowed: Path
    sibling: Path
    app_tmp: Path

    def leaks(self, data: bytes) -> list[str]:
        """What of the secret or of the server's paths ``data`` gives away."""
        found = []
        if self.secret_bytes in data or self.secret_bytes[:16] in data:
            found.append("secret bytes")
        if b"root:x:0:0" in data or b"root:*:0:0" in data:
            found.append("/etc/passwd content")
        if f"PATH={os.environ.get('PATH', '')}".encode() in data:
            found.append("process environment")
        for path in (self.base, Path.cwd(), Path(tempfile.gettempdir()), Path.home()):
            if len(str(path)) > 1 and str(path).encode() in data:
                found.append(f"server path {path}")
        return found


def file_app() -> Blocks:
    """Inputs that take files (File, and a text box for paths) and an output that returns a path."""

    def file_name(path: str | None) -> str:
        return "" if path is None else Path(path).name

    def echo(text: str) -> str:
        return text

    def return_path(path: str) -> str:
        return path

    with Blocks() as demo:
        upload, text, out_text, out_file = File(), Textbox(), Textbox(), File()
        Button("Name").click(file_name, upload, out_text, api_name="file_name")
        Button("Echo").click(echo, text, out_text, api_name="echo")
        Button("Return").click(return_path, text, out_file, api_name="return_path")
    return demo


def concrete_paths(app: Any) -> list[tuple[str, str]]:
    """(method, path) for every route of the app, path parameters filled in: a test that walks these
    covers a route added later without anyone remembering to add it."""
    found = []
    for route in app.routes:
        if isinstance(route, Mount):
            found.append(("GET", route.path + "/app.js"))
        elif isinstance(route, Route):
            path = re.sub(r"\{[^}]+\}", "x", route.path)
            found += [(method, path) for method in sorted(route.methods or ()) if method != "HEAD"]
    return found
