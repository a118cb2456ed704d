"""Wire <-> Python conversion around the engine, with the server's file store in scope."""

from __future__ import annotations

from typing import Any

from carpool.components import FileStore, use_file_store
from carpool.exceptions import FileAccessError

__all__ = ["OutputFileError", "postprocess", "preprocess"]


def preprocess(
    dependency: Any, data: list[Any], session: Any, files: FileStore, session_id: str | None = None
) -> list[Any]:
    """One sample's wire values -> the function's arguments; raises InvalidInputError naming the input.

    ``session_id`` scopes file inputs: an upload bound to another session does not resolve.
    """
    with use_file_store(files, session_id=session_id):
        return list(dependency.preprocess(data, session))


def postprocess(dependency: Any, output: Any, session: Any, files: FileStore) -> list[Any]:
    """One sample's return value -> one wire value per output component.

    A file output the store refuses (a path outside the app's dirs) is the app's error -- a 500 that
    says nothing about the path -- not a "file not found" the client could probe with.
    """
    with use_file_store(files):
        try:
            return list(dependency.postprocess(output, session))
        except FileAccessError as error:
            raise OutputFileError(str(error)) from error


class OutputFileError(RuntimeError):
    """The function returned a file carpool may not serve (the message names no path)."""
