"""``POST /upload`` (streamed multipart, limit enforced while reading) and ``GET /file/{file_id}``.

Uploads are parsed with python-multipart's streaming parser and written straight into the FileStore:
a body over the limit is refused the moment it passes it (413), whatever its Content-Length claimed, and
every partial file of the request is removed. Each upload is charged to its client's quota and to the
store's (``max_client_upload_size`` 413, ``max_total_upload_size`` 507; no live file of anyone's is
evicted for it), and an app without file inputs takes no uploads at all (404). Files of one request are
committed together at its end, so a request that fails half-way leaves nothing behind. Served files can
never run as active content on the app's origin: anything but plain media is an attachment, always with
``nosniff`` and a CSP sandbox.
"""

from __future__ import annotations

import os
from typing import Any

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response

from carpool.app._render import RenderRouter
from carpool.components import FileComponent, FileStore, FileTooLargeError, MultimodalTextbox, UploadWriter
from carpool.components._upload_quota import UploadQuotaError
from carpool.exceptions import FileAccessError
from carpool.protocol import FileData
from carpool.server._errors import HTTPError
from carpool.server._requests import client_key, optional_session_hash
from carpool.server._spec import AppSpec
from carpool.server._state import ServerState, server_state

__all__ = ["file_response", "receive_uploads", "serve_file", "takes_uploads", "upload_files"]

FILES_FIELD = b"files"
MAX_PARTS = 256  # parts (files and fields) per upload request
MAX_FIELD_BYTES = 64 * 1024  # non-file fields are ignored, but still bounded
MAX_BOUNDARY = 70  # RFC 2046
MULTIPART_OVERHEAD = 1024 * 1024  # headers and boundaries allowed on top of the file bytes

# Rendered inline only when the browser can show them without running anything.
INLINE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp", "image/avif", "image/bmp")
INLINE_PREFIXES = ("audio/", "video/")
FILE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "sandbox",
    "Cache-Control": "private, max-age=3600",
}


class _Upload:
    """python-multipart callbacks writing ``files`` parts into the store, everything else discarded."""

    def __init__(self, store: FileStore, session_id: str | None, limit: int, owner: str) -> None:
        self._store = store
        self._session_id = session_id
        self._limit = limit
        self._owner = owner
        self._written = 0
        self._parts = 0
        self._field_bytes = 0
        self._headers: dict[bytes, bytes] = {}
        self._header_name = b""
        self._header_value = b""
        self._writer: UploadWriter | None = None
        self.writers: list[UploadWriter] = []
        self.complete = False  # the closing boundary arrived: without it the last file is cut short

    def callbacks(self) -> dict[str, Any]:
        return {
            "on_part_begin": self.on_part_begin,
            "on_header_field": self.on_header_field,
            "on_header_value": self.on_header_value,
            "on_header_end": self.on_header_end,
            "on_headers_finished": self.on_headers_finished,
            "on_part_data": self.on_part_data,
            "on_part_end": self.on_part_end,
            "on_end": self.on_end,
        }

    def on_part_begin(self) -> None:
        self._parts += 1
        if self._parts > MAX_PARTS:
            raise HTTPError(413, "too_large", f"At most {MAX_PARTS} parts per upload.")
        self._headers = {}

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def on_header_end(self) -> None:
        self._headers[self._header_name.strip().lower()] = self._header_value.strip()
        self._header_name = self._header_value = b""

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        filename = options.get(b"filename")
        if options.get(b"name") == FILES_FIELD and filename is not None:
            name = filename.decode("utf-8", "replace")
            self._writer = self._store.open_upload(
                name, self._session_id, max_bytes=self._limit - self._written, owner=self._owner
            )
            self.writers.append(self._writer)

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        size = end - start
        if self._writer is None:
            self._field_bytes += size
            if self._field_bytes > MAX_FIELD_BYTES:
                raise HTTPError(413, "too_large", "Form fields over 64 KiB.")
            return
        self._writer.write(data[start:end])
        self._written += size

    def on_part_end(self) -> None:
        self._writer = None

    def on_end(self) -> None:
        self.complete = True

    def commit(self) -> list[FileData]:
        return [writer.commit() for writer in self.writers]

    def abort(self) -> None:
        for writer in self.writers:
            writer.abort()


def _boundary(request: Request) -> bytes:
    content_type, options = parse_options_header(request.headers.get("content-type", ""))
    boundary = options.get(b"boundary", b"")
    if content_type != b"multipart/form-data" or not 0 < len(boundary) <= MAX_BOUNDARY:
        raise HTTPError(400, "bad_request", "Send files as multipart/form-data in the field 'files'.")
    return boundary


def takes_uploads(blocks: AppSpec) -> bool:
    """Whether the page can send files: a listener takes them (a ``@render`` area may build such inputs
    later), or a file component is interactive without being an input (its upload event may be all
    the app listens to)."""
    if any(_is_interactive_file_component(block) for block in blocks.blocks.values()):
        return True
    for dependency in blocks.dependencies:
        if isinstance(dependency, RenderRouter):
            return True
        if any(isinstance(block, FileComponent | MultimodalTextbox) for block in dependency.inputs):
            return True
    return False


def _is_interactive_file_component(block: object) -> bool:
    return (
        isinstance(block, FileComponent | MultimodalTextbox) and getattr(block, "interactive", None) is True
    )


def _quota_owner(request: Request, session_id: str | None) -> str:
    # The client, not the session: a session_hash is the client's choice, so a fresh one per upload
    # would dodge a per-session quota.
    return client_key(request) or (f"session:{session_id}" if session_id else "anonymous")


def _quota_refusal(error: UploadQuotaError) -> HTTPError:
    type_ = "quota_exceeded" if error.status == 413 else "insufficient_storage"
    details = {"limit": error.limit, "limit_bytes": error.limit_bytes}
    return HTTPError(error.status, type_, str(error), headers={"Connection": "close"}, details=details)


def _check_takes_uploads(state: ServerState) -> None:
    takes = state.extra.get("takes_uploads")
    if takes is None:
        takes = state.extra["takes_uploads"] = takes_uploads(state.blocks)
    if not takes:
        raise HTTPError(404, "not_found", "This app has no file inputs, so it takes no uploads.")


async def upload_files(request: Request) -> Response:
    return JSONResponse({"files": await receive_uploads(request)})


async def receive_uploads(request: Request) -> list[FileData]:
    """The files of a multipart upload, stored and committed together (Gradio's upload route too)."""
    state = server_state(request)
    _check_takes_uploads(state)  # before a byte of the body is read
    limit = state.settings.max_file_size
    body_limit = limit + MULTIPART_OVERHEAD
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > body_limit:
        raise HTTPError(413, "too_large", f"Uploads are limited to {limit} bytes.")
    session_id = optional_session_hash(request)
    upload = _Upload(state.files, session_id, limit, _quota_owner(request, session_id))
    parser = MultipartParser(_boundary(request), upload.callbacks())  # type: ignore[arg-type]
    received = 0
    try:
        async for chunk in request.stream():
            received += len(chunk)
            if received > body_limit:  # a lying or absent Content-Length: count what arrives
                raise HTTPError(413, "too_large", f"Uploads are limited to {limit} bytes.")
            parser.write(chunk)
        parser.finalize()
        if not upload.complete:
            raise HTTPError(400, "bad_request", "Truncated multipart body: the closing boundary is missing.")
        if not upload.writers:
            raise HTTPError(400, "bad_request", "No file in the multipart field 'files'.")
        return upload.commit()
    except FileTooLargeError:
        raise HTTPError(413, "too_large", f"Uploads are limited to {limit} bytes.") from None
    except UploadQuotaError as error:
        raise _quota_refusal(error) from None
    except FormParserError:
        raise HTTPError(400, "bad_request", "Malformed multipart body.") from None
    finally:
        upload.abort()  # a no-op for committed files


def _disposition(mime_type: str | None) -> str:
    if mime_type and (mime_type in INLINE_TYPES or mime_type.startswith(INLINE_PREFIXES)):
        return "inline"
    return "attachment"


async def serve_file(request: Request) -> Response:
    return file_response(request, request.path_params["file_id"])


def file_response(request: Request, file_id: str) -> Response:
    """The bytes of a file the store minted (FileAccessError, a 404, for anything else)."""
    state = server_state(request)
    session_hash = optional_session_hash(request)
    record = state.files.resolve(file_id, session_hash)
    if record.session_id is not None and record.session_id != session_hash:
        # an upload bound to a session is that session's: a URL without its session_hash gets nothing
        raise FileAccessError("Unknown file.")
    try:
        stat_result = os.stat(record.path)
    except OSError:  # evicted since: same answer as an unknown id
        raise FileAccessError("Unknown file.") from None
    return FileResponse(
        record.path,
        media_type=record.mime_type or "application/octet-stream",
        headers=FILE_HEADERS,
        filename=record.orig_name,
        stat_result=stat_result,
        content_disposition_type=_disposition(record.mime_type),
    )
