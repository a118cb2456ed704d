"""The file store: the only way a file reaches a function or leaves the server.

Every file gets an opaque id minted here (``secrets.token_urlsafe``): uploads, bytes the app produces and
copies of files the app's functions return. ``resolve`` accepts nothing but those ids -- no path, no URL,
no normalisation -- so traversal payloads have nothing to work with. A path returned by a function is
copied in only if it is a regular file inside the store, the system temp dir or ``allowed_paths`` (after
resolving symlinks) and outside ``blocked_paths``; anything else is a server-side ``FileAccessError``.

Uploads are bound to the session that sent them when both sides name one; files the app produces are
readable by whoever holds the id. Files the app produces are bounded by ``max_files`` (and
``max_total_bytes``), evicting the least recently used. Uploads charged to an owner are bounded by the
``upload_quota`` instead (``_upload_quota``): past it an upload is refused, and no live upload is ever
evicted to make room. The store deletes its directory on ``close()``.
"""

from __future__ import annotations

import atexit
import logging
import mimetypes
import os
import re
import secrets
import shutil
import stat
import tempfile
import threading
import time
import unicodedata
from collections import OrderedDict
from collections.abc import Iterable
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, TYPE_CHECKING, Any, Final

from carpool.components._decode_limits import DecodeLimits
from carpool.components._upload_quota import UploadLedger, UploadQuota
from carpool.exceptions import CarpoolError, FileAccessError, InvalidInputError
from carpool.protocol import FILE_META, FileData

if TYPE_CHECKING:
    from carpool.components._conversion import ConversionPool

__all__ = [
    "DEFAULT_MAX_UPLOAD_BYTES",
    "FileRecord",
    "FileStore",
    "FileTooLargeError",
    "UploadWriter",
    "current_file_session",
    "current_file_store",
    "set_static_paths",
    "use_file_store",
]

logger = logging.getLogger("carpool.files")

DEFAULT_MAX_UPLOAD_BYTES: Final = 100 * 1024 * 1024
_ID_BYTES: Final = 24  # token_urlsafe(24) -> exactly 32 chars of [A-Za-z0-9_-]
_ID_PATTERN: Final = re.compile(r"[A-Za-z0-9_-]{32}")
_MAX_NAME_CHARS: Final = 128
_UNSAFE_NAME_CHARS: Final = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]")


class FileTooLargeError(CarpoolError):
    """An upload went past its size limit (HTTP 413); nothing of it is kept."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"The file is larger than the limit of {limit} bytes.")
        self.limit = limit


_NO_LIMIT_GIVEN: Final[Any] = object()


@dataclass(frozen=True, kw_only=True)
class FileRecord:
    """A file the store owns. ``session_id`` is set for uploads bound to a session."""

    file_id: str
    path: Path
    orig_name: str
    mime_type: str | None
    size: int
    session_id: str | None = None
    owner: str | None = None  # who an upload is charged to (the upload quota); None: made by the app


def safe_file_name(orig_name: str | None) -> str:
    """The last component of a client-given name, without separators/control chars, short enough."""
    name = unicodedata.normalize("NFC", str(orig_name or ""))
    name = re.split(r"[/\\]", name)[-1]
    name = _UNSAFE_NAME_CHARS.sub("_", name).strip(" .")
    if len(name) > _MAX_NAME_CHARS:
        stem, dot, ext = name.rpartition(".")
        keep_ext = dot and len(ext) <= 16
        name = stem[: _MAX_NAME_CHARS - len(ext) - 1] + "." + ext if keep_ext else name[:_MAX_NAME_CHARS]
    return name or "file"


def file_data(record: FileRecord) -> FileData:
    """The wire form of a stored file (what ``/upload`` and file outputs return)."""
    return {
        "file_id": record.file_id,
        "url": f"/file/{record.file_id}",
        "orig_name": record.orig_name,
        "size": record.size,
        "mime_type": record.mime_type,
        "meta": dict(FILE_META),
    }


class UploadWriter:
    """Streams one file into the store; nothing is resolvable until ``commit()``.

    Use as a context manager: leaving it without a commit (or by an exception) removes the partial file.
    """

    def __init__(
        self,
        store: FileStore,
        orig_name: str,
        session_id: str | None,
        max_bytes: int | None,
        owner: str | None = None,
    ):
        self._store = store
        self._orig_name = str(orig_name or "file")
        self._session_id = session_id
        self._max_bytes = max_bytes
        self._owner = owner
        self.charged = 0  # bytes charged to the owner's quota so far
        if owner is not None:  # before anything is created: a refusal leaves nothing behind
            self.charged = store._charge(owner, 0, 0)
        self.file_id = store._mint_id()
        self._dir = store.root / self.file_id
        self._dir.mkdir(mode=0o700)
        self._path = self._dir / safe_file_name(orig_name)
        self._file: IO[bytes] | None = open(self._path, "xb")  # noqa: SIM115 - closed by commit/abort
        self.bytes_written = 0

    def write(self, chunk: bytes) -> int:
        if self._file is None:
            raise ValueError("write to an upload that was already committed or aborted")
        if self._max_bytes is not None and self.bytes_written + len(chunk) > self._max_bytes:
            self.abort()
            raise FileTooLargeError(self._max_bytes)
        if self._owner is not None:
            try:
                self.charged = self._store._charge(self._owner, self.charged, self.bytes_written + len(chunk))
            except CarpoolError:
                self.abort()
                raise
        self._file.write(chunk)
        self.bytes_written += len(chunk)
        return len(chunk)

    def commit(self) -> FileData:
        if self._file is None:
            raise ValueError("commit of an upload that was already committed or aborted")
        self._file.close()
        self._file = None
        record = FileRecord(
            file_id=self.file_id,
            path=self._path,
            orig_name=self._orig_name,
            mime_type=mimetypes.guess_type(self._path.name)[0],
            size=self.bytes_written,
            session_id=self._session_id,
            owner=self._owner,
        )
        charged, self.charged = self.charged, 0  # the store's now: refunded when the file goes
        self._store._register(record, charged)
        return file_data(record)

    def abort(self) -> None:
        """Drop the partial file (safe to call more than once, and after a failed write)."""
        if self._file is not None:
            self._file.close()
            self._file = None
            shutil.rmtree(self._dir, ignore_errors=True)
        if self._owner is not None and self.charged:
            self._store._refund(self._owner, self.charged)
            self.charged = 0

    def __enter__(self) -> UploadWriter:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.abort()


class FileStore:
    """Owns a fresh cache directory (inside ``cache_dir`` if given) and every file id it mints."""

    def __init__(
        self,
        cache_dir: str | os.PathLike[str] | None = None,
        *,
        allowed_paths: Iterable[str | os.PathLike[str]] = (),
        blocked_paths: Iterable[str | os.PathLike[str]] = (),
        max_files: int = 10_000,
        max_total_bytes: int | None = None,
        max_upload_bytes: int | None = DEFAULT_MAX_UPLOAD_BYTES,
        decode_limits: DecodeLimits | None = None,
        conversions: ConversionPool | None = None,
        upload_quota: UploadQuota | None = None,
        clock: Any = time.monotonic,
    ) -> None:
        if cache_dir is not None:
            Path(cache_dir).mkdir(parents=True, exist_ok=True)
        # a fresh dir of our own, so close() never deletes anything it did not create
        self.root = Path(tempfile.mkdtemp(prefix="carpool-files-", dir=cache_dir)).resolve()
        self.allowed_paths = [Path(tempfile.gettempdir()).resolve(), *_resolved_all(allowed_paths)]
        self.blocked_paths = _resolved_all(blocked_paths)
        self.max_files = max_files
        self.max_total_bytes = max_total_bytes
        self.max_upload_bytes = max_upload_bytes
        self.decode_limits = decode_limits or DecodeLimits()  # what decoding an uploaded image may cost
        self.conversions = conversions  # worker processes for media conversion; None: in the caller
        self._records: dict[str, FileRecord] = {}
        self._outputs: OrderedDict[str, None] = OrderedDict()  # files the app made, least recently used first
        self._total_bytes = 0  # of those
        # charged uploads: id -> last use, least recently used first; and what each was charged
        self._uploads: OrderedDict[str, float] = OrderedDict()
        self._charges: dict[str, int] = {}
        self.uploads = UploadLedger(upload_quota or UploadQuota())
        self.clock = clock
        self._lock = threading.Lock()
        self._closed = False

    # -- minting ----------------------------------------------------------------------------------

    def open_upload(
        self,
        orig_name: str,
        session_id: str | None = None,
        max_bytes: int | None = _NO_LIMIT_GIVEN,
        *,
        owner: str | None = None,
    ) -> UploadWriter:
        """A writer for a streamed upload; ``max_bytes`` defaults to the store's ``max_upload_bytes``.

        With an ``owner`` (a client's upload), its bytes are charged to the upload quota as they come:
        ``UploadQuotaError`` past it.
        """
        self._check_open()
        limit = self.max_upload_bytes if max_bytes is _NO_LIMIT_GIVEN else max_bytes
        return UploadWriter(self, orig_name, session_id, limit, owner)

    def add_bytes(self, data: bytes, name: str, *, session_id: str | None = None) -> FileData:
        """Store ``data`` (produced by the app, e.g. an encoded image) under a new id."""
        with self.open_upload(name, session_id, max_bytes=None) as writer:
            writer.write(data)
            return writer.commit()

    def add_path(self, path: str | os.PathLike[str]) -> FileData:
        """Copy a file a function returned into the store; FileAccessError unless it is allowed."""
        source = self._checked_source(path)
        try:
            fd = os.open(source, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
        except OSError as error:
            raise self._refuse(path, "cannot be opened") from error
        with os.fdopen(fd, "rb") as src:
            # checked on the open file: the path may have been swapped since it was resolved
            if not stat.S_ISREG(os.fstat(src.fileno()).st_mode):
                raise self._refuse(path, "is not a regular file")
            with self.open_upload(source.name, max_bytes=None) as writer:
                shutil.copyfileobj(src, writer)
                return writer.commit()

    def _checked_source(self, path: str | os.PathLike[str]) -> Path:
        raw = os.fspath(path)
        if "\x00" in raw:
            raise self._refuse(path, "contains a NUL byte")
        try:
            resolved = Path(raw).resolve(strict=True)
        except (OSError, RuntimeError) as error:
            raise self._refuse(path, "does not exist") from error
        allowed = [self.root, *self.allowed_paths, *_static_paths]
        if not any(resolved.is_relative_to(root) for root in allowed):
            raise self._refuse(path, "is outside the store, the temp dir and allowed_paths")
        if any(resolved.is_relative_to(root) for root in self.blocked_paths):
            raise self._refuse(path, "is inside blocked_paths")
        if not resolved.is_file():
            raise self._refuse(path, "is not a regular file")
        return resolved

    @staticmethod
    def _refuse(path: Any, reason: str) -> FileAccessError:
        # the path goes to the server log only: error messages may reach clients
        logger.warning("refused to serve file %r: it %s", os.fspath(path), reason)
        return FileAccessError(
            "A function returned a file that carpool may not serve (see allowed_paths / blocked_paths)."
        )

    # -- lookup -----------------------------------------------------------------------------------

    def resolve(self, file_id: str, session_id: str | None = None) -> FileRecord:
        """The record of an id this store minted; FileAccessError for anything else.

        A file uploaded by one session is not resolvable with another session's id.
        """
        if not isinstance(file_id, str) or not _ID_PATTERN.fullmatch(file_id):
            raise FileAccessError("Unknown file.")
        with self._lock:
            record = self._records.get(file_id)
            if record is None or (record.session_id and session_id and record.session_id != session_id):
                raise FileAccessError("Unknown file.")
            if record.owner is None:
                self._outputs.move_to_end(file_id)
            else:  # in use: live for another idle_ttl
                self._uploads[file_id] = self.clock()
                self._uploads.move_to_end(file_id)
            return record

    def resolve_payload(self, payload: Any, session_id: str | None = None) -> FileRecord:
        """A client's FileData input -> its record; InvalidInputError for paths, URLs and unknown ids."""
        if not isinstance(payload, dict) or not isinstance(payload.get("file_id"), str):
            raise InvalidInputError('expected a file object {"file_id": ...} returned by POST /upload')
        file_id = payload["file_id"]
        url = payload.get("url", f"/file/{file_id}")
        # the url is never fetched; one that is not this file's (behind any root_path) is a client that
        # expects carpool to read a path or fetch a URL: say that it does not
        if "path" in payload or not (isinstance(url, str) and url.endswith(f"/file/{file_id}")):
            raise InvalidInputError("files are referenced by their file_id from POST /upload only")
        try:
            return self.resolve(file_id, session_id)
        except FileAccessError:
            raise InvalidInputError("unknown or expired file_id; upload the file with POST /upload") from None

    def file_data(self, file_id: str) -> FileData:
        return file_data(self.resolve(file_id))

    def __len__(self) -> int:
        return len(self._records)

    # -- bookkeeping ------------------------------------------------------------------------------

    def _mint_id(self) -> str:
        return secrets.token_urlsafe(_ID_BYTES)

    def _register(self, record: FileRecord, charged: int = 0) -> None:
        with self._lock:
            if self._closed:
                shutil.rmtree(record.path.parent, ignore_errors=True)
                raise RuntimeError("the file store is closed")
            self._records[record.file_id] = record
            if record.owner is not None:
                self._uploads[record.file_id] = self.clock()
                self._charges[record.file_id] = charged
                evicted = []
            else:
                self._outputs[record.file_id] = None
                self._total_bytes += record.size
                evicted = self._pop_over_limit(keep=record.file_id)
        _delete(evicted)

    def _pop_over_limit(self, keep: str) -> list[FileRecord]:
        evicted: list[FileRecord] = []
        while len(self._outputs) > 1 and self._over_limit():
            oldest_id = next(iter(self._outputs))
            if oldest_id == keep:
                break
            del self._outputs[oldest_id]
            old = self._records.pop(oldest_id)
            self._total_bytes -= old.size
            evicted.append(old)
        return evicted

    def _over_limit(self) -> bool:
        too_many = len(self._outputs) > self.max_files
        return too_many or (self.max_total_bytes is not None and self._total_bytes > self.max_total_bytes)

    # -- the upload quota -------------------------------------------------------------------------

    def _charge(self, owner: str, charged: int, size: int) -> int:
        """Charge ``owner`` for an upload now ``size`` bytes long (``charged`` so far); the new charge.

        Idle uploads are given up (least recently used first) only when their room is needed; a live
        one never is: then ``UploadQuotaError``.
        """
        wanted = max(size, self.uploads.quota.min_charge)
        extra = wanted - charged
        if extra <= 0:
            return charged
        with self._lock:
            refusal = self.uploads.refusal(owner, extra)
            evicted = self._give_up_idle_uploads(owner, extra) if refusal else []
            refusal = refusal and self.uploads.refusal(owner, extra)
            if refusal is None:
                self.uploads.charge(owner, extra)
        _delete(evicted)
        if refusal is not None:
            raise refusal
        return wanted

    def _refund(self, owner: str, amount: int) -> None:
        with self._lock:
            self.uploads.refund(owner, amount)

    def _give_up_idle_uploads(self, owner: str, extra: int) -> list[FileRecord]:
        """Drop idle uploads until ``extra`` fits: the owner's own for its quota, anyone's for the total."""
        idle_before = self.clock() - self.uploads.quota.idle_ttl
        evicted: list[FileRecord] = []
        for file_id, last_used in list(self._uploads.items()):
            refusal = self.uploads.refusal(owner, extra)
            if refusal is None or last_used > idle_before:  # in use order: the rest are live too
                break
            record = self._records[file_id]
            if refusal.status == 413 and record.owner != owner:
                continue  # someone else's idle file frees nothing of this owner's quota
            evicted.append(self._forget_upload(file_id))
        return evicted

    def _forget_upload(self, file_id: str) -> FileRecord:
        record = self._records.pop(file_id)
        del self._uploads[file_id]
        self.uploads.refund(record.owner or "", self._charges.pop(file_id))
        return record

    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError("the file store is closed")

    def close(self) -> None:
        """Forget every id and delete the store's directory."""
        with self._lock:
            self._closed = True
            self._records.clear()
            self._outputs.clear()
            self._total_bytes = 0
            self._uploads.clear()
            self._charges.clear()
            self.uploads = UploadLedger(self.uploads.quota)
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> FileStore:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def _delete(records: list[FileRecord]) -> None:
    for record in records:
        shutil.rmtree(record.path.parent, ignore_errors=True)


def _resolved_all(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    return [Path(p).resolve() for p in paths]


# -- static paths ---------------------------------------------------------------------------------

_static_paths: list[Path] = []


def set_static_paths(paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]]) -> None:
    """Gradio's ``set_static_paths``: files under these paths (files or folders, relative to the working
    directory) may be served by every app of this process, as with ``launch(allowed_paths=...)``.
    Blocked paths stay blocked."""
    items = [paths] if isinstance(paths, str | os.PathLike) else list(paths)
    for path in _resolved_all(items):
        if path not in _static_paths:
            _static_paths.append(path)


# -- the store in use -----------------------------------------------------------------------------

_store: ContextVar[FileStore | None] = ContextVar("carpool_file_store", default=None)
_session: ContextVar[str | None] = ContextVar("carpool_file_session", default=None)
_default_store: FileStore | None = None
_default_lock = threading.Lock()


def current_file_store() -> FileStore:
    """The store set by :func:`use_file_store`, else a process-wide default created on first use."""
    store = _store.get()
    return store if store is not None else _get_default_store()


def current_file_session() -> str | None:
    """The session whose request is being processed (uploads of other sessions do not resolve)."""
    return _session.get()


def _get_default_store() -> FileStore:
    global _default_store
    with _default_lock:
        if _default_store is None:
            _default_store = FileStore()
            atexit.register(_default_store.close)
        return _default_store


class use_file_store:
    """Make ``store`` (and the requesting ``session_id``) current while components process values.

    A class rather than a ``@contextmanager`` generator: it wraps every request's pre/postprocessing,
    and a generator-based context manager costs several times more per use.
    """

    __slots__ = ("_session_id", "_session_token", "_store", "_store_token")

    def __init__(self, store: FileStore, *, session_id: str | None = None) -> None:
        self._store = store
        self._session_id = session_id

    def __enter__(self) -> FileStore:
        self._store_token = _store.set(self._store)
        self._session_token = _session.set(self._session_id)
        return self._store

    def __exit__(self, *exc_info: object) -> None:
        _session.reset(self._session_token)
        _store.reset(self._store_token)
