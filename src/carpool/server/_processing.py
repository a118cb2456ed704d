"""Wire <-> Python conversion around the engine, with the server's file store in scope.

Text and numbers convert in microseconds, inline on the event loop. Media does not: decoding an uploaded
PNG, encoding one, reading a WAV or copying a file takes milliseconds, and the event loop must never
block -- so a dependency with any file-based component converts in a worker thread (``off_loop_if_files``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

from carpool.components import (
    Checkbox,
    FileComponent,
    FileStore,
    Markdown,
    Number,
    Slider,
    TextArea,
    Textbox,
    use_file_store,
)
from carpool.exceptions import FileAccessError
from carpool.server._spec import Endpoint, SessionValues

T = TypeVar("T")

__all__ = [
    "OutputFileError",
    "converts_files",
    "needs_file_store",
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


# Components whose values are plain JSON data (text, numbers, booleans): converting them never reads
# the current file store. Exact types only -- a subclass may convert differently.
_PLAIN_DATA_TYPES = frozenset({Textbox, TextArea, Markdown, Number, Slider, Checkbox})


def needs_file_store(dependency: Endpoint) -> bool:
    """Whether converting this dependency's values may read the current file store.

    Setting the store (two context variables, set and reset) is a real share of converting a short
    text; an endpoint of plain data components skips it. Worked out once per endpoint by the caller.
    """
    blocks = (*dependency.inputs, *dependency.outputs)
    return not all(type(block) in _PLAIN_DATA_TYPES for block in blocks)


def preprocess(
    dependency: Endpoint,
    data: list[Any],
    session: SessionValues,
    files: FileStore | None,
    session_id: str | None = None,
) -> list[Any]:
    """One sample's wire values -> the function's arguments; raises InvalidInputError naming the input.

    ``session_id`` scopes file inputs: an upload bound to another session does not resolve, and a
    request without a session (an ``/api`` call) owns no session's uploads. ``files`` None: the
    caller knows the dependency does not need the store (:func:`needs_file_store`).
    """
    if files is None:
        return dependency.preprocess(data, session)
    with use_file_store(files, session_id=session_id or NO_SESSION):
        return dependency.preprocess(data, session)


def postprocess(
    dependency: Endpoint, output: Any, session: SessionValues, files: FileStore | None
) -> list[Any]:
    """One sample's return value -> one wire value per output component.

    A file output the store refuses (a path outside the app's dirs) is the app's error -- a 500 that
    says nothing about the path -- not a "file not found" the client could probe with. ``files``
    None: as for :func:`preprocess`.
    """
    if files is None:
        return dependency.postprocess(output, session)
    with use_file_store(files):
        try:
            return dependency.postprocess(output, session)
        except FileAccessError as error:
            raise OutputFileError(str(error)) from error


async def off_loop_if_files(dependency: Endpoint, convert: Callable[..., T], *args: Any) -> T:
    """``convert(*args)`` -- in a worker thread when the dependency's values may touch files."""
    if converts_files(dependency):
        return await asyncio.to_thread(convert, *args)
    return convert(*args)


class OutputFileError(RuntimeError):
    """The function returned a file carpool may not serve (the message names no path)."""
