"""Values on Gradio's wire <-> values on carpool's: the two differ only in how they name a file.

carpool names a file by the opaque ``file_id`` its store minted; Gradio names it by a server ``path``
(and a ``url`` to fetch it from). The path this layer hands out is a name, not a place:
``/carpool/<file_id>/<name>``, minted from a file the store holds. Coming back it is parsed for its
id and nothing else -- a path of any other form, an outside URL or an id the store never minted is an
invalid input (422), so no client-named path is ever opened and no URL is ever fetched.

Everything else (text, numbers, ``{"__type__": "update", ...}`` dicts, chat messages) has the same
shape on both wires and passes through unchanged.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from carpool.exceptions import InvalidInputError
from carpool.protocol import FILE_META

__all__ = [
    "GRADIO_FILE_TYPE",
    "file_id_of_path",
    "from_gradio",
    "minted_path",
    "to_gradio",
]

GRADIO_FILE_TYPE = "gradio.FileData"
_CARPOOL_FILE_TYPE = FILE_META["_type"]
_MINTED_PATH = re.compile(r"/carpool/(?P<file_id>[A-Za-z0-9_-]{32})(?:/[^/]*)?")


def minted_path(file_id: str, orig_name: str | None) -> str:
    """The Gradio ``path`` of a stored file: its id, and its name so clients save it under that name."""
    return f"/carpool/{file_id}/{orig_name or 'file'}"


def file_id_of_path(path: object) -> str | None:
    """The file id inside a path this layer minted; None for any other string (never looked up on disk)."""
    if not isinstance(path, str):
        return None
    match = _MINTED_PATH.fullmatch(path)
    return match.group("file_id") if match else None


def _is_gradio_file(value: dict[str, Any]) -> bool:
    meta = value.get("meta")
    return isinstance(meta, dict) and meta.get("_type") == GRADIO_FILE_TYPE


def _carpool_file(value: dict[str, Any]) -> dict[str, Any]:
    file_id = file_id_of_path(value.get("path"))
    if file_id is None:
        raise InvalidInputError(
            "a file must be one this server handed out: upload it with POST /gradio_api/upload and "
            "send the path that answered",
            parameter=None,
        )
    return {"file_id": file_id, "meta": dict(FILE_META)}


def from_gradio(value: Any) -> Any:
    """A Gradio wire value as carpool's: every Gradio FileData becomes a reference to a stored file."""
    if isinstance(value, list):
        return [from_gradio(item) for item in value]
    if isinstance(value, dict):
        if _is_gradio_file(value):
            return _carpool_file(value)
        return {key: from_gradio(item) for key, item in value.items()}
    return value


def _is_carpool_file(value: dict[str, Any]) -> bool:
    meta = value.get("meta")
    return (
        isinstance(meta, dict)
        and meta.get("_type") == _CARPOOL_FILE_TYPE
        and isinstance(value.get("file_id"), str)
    )


def _gradio_file(value: dict[str, Any], api_root: str) -> dict[str, Any]:
    path = minted_path(value["file_id"], value.get("orig_name"))
    return {
        "path": path,
        "url": f"{api_root}file={quote(path, safe='/')}",
        "size": value.get("size"),
        "orig_name": value.get("orig_name"),
        "mime_type": value.get("mime_type"),
        "is_stream": False,
        "meta": {"_type": GRADIO_FILE_TYPE},
    }


def to_gradio(value: Any, api_root: str) -> Any:
    """A carpool wire value as Gradio's; ``api_root`` (``http://host/gradio_api/``) prefixes file URLs."""
    if isinstance(value, list):
        return [to_gradio(item, api_root) for item in value]
    if isinstance(value, dict):
        if _is_carpool_file(value):
            return _gradio_file(value, api_root)
        return {key: to_gradio(item, api_root) for key, item in value.items()}
    return value
