"""Wire <-> Python conversion around the engine, with the server's file store in scope.

Text and numbers convert in microseconds, inline on the event loop. Media does not: decoding an uploaded
PNG, encoding one, reading a WAV or copying a file takes milliseconds, and the event loop must never
block -- so a dependency with any file-based component converts in a worker thread (``off_loop_if_files``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

from carpool.components import FileComponent, FileStore, use_file_store
from carpool.exceptions import FileAccessError
from carpool.server._spec import Endpoint, SessionValues

T = TypeVar("T")

__all__ = [
    "OutputFileError",
    "converts_files",
    "off_loop_if_files",
    "postprocess",
    "preprocess",
]


# The file session of requests that have none. Session hashes are visible ASCII, so it never matches
# one: an upload bound to a session stays out of reach of sessionless API calls.
NO_SESSION = "\x00no-session"


def converts_files(dependency: Endpoint) -> bool:
    """Whether converting this dependency's values may touch files (then it runs off the event loop)."""
    return any(isinstance(block, FileComponent) for block in (*dependency.inputs, *dependency.outputs))


def preprocess(
    dependency: Endpoint,
    data: list[Any],
    session: SessionValues,
    files: FileStore,
    session_id: str | None = None,
) -> list[Any]:
    """One sample's wire values -> the function's arguments; raises InvalidInputError naming the input.

    ``session_id`` scopes file inputs: an upload bound to another session does not resolve, and a
    request without a session (an ``/api`` call) owns no session's uploads.
    """
    with use_file_store(files, session_id=session_id or NO_SESSION):
        return list(dependency.preprocess(data, session))


def postprocess(dependency: Endpoint, output: Any, session: SessionValues, files: FileStore) -> list[Any]:
    """One sample's return value -> one wire value per output component.

    A file output the store refuses (a path outside the app's dirs) is the app's error -- a 500 that
    says nothing about the path -- not a "file not found" the client could probe with.
    """
    with use_file_store(files):
        try:
            return list(dependency.postprocess(output, session))
        except FileAccessError as error:
            raise OutputFileError(str(error)) from error


async def off_loop_if_files(dependency: Endpoint, convert: Callable[..., T], *args: Any) -> T:
    """``convert(*args)`` -- in a worker thread when the dependency's values may touch files."""
    if converts_files(dependency):
        return await asyncio.to_thread(convert, *args)
    return convert(*args)


class OutputFileError(RuntimeError):
    """The function returned a file carpool may not serve (the message names no path)."""
