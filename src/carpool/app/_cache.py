"""``carpool.cache`` and ``carpool.Cache``: results kept by the content of the inputs, as in Gradio 6.

``@cache`` wraps a function (plain, coroutine, generator or async generator) so that a second call with
equal arguments -- equal by content: arrays, images and DataFrames are hashed by their data, not by
identity -- returns the first call's result without running the function; a generator's yields are
all replayed. ``cache(fn)(...)`` inside a function caches an intermediate step: the same function and
settings always get the same wrapper, so the cache outlives the call that made it.

``Cache()`` is a store the function drives itself (``get``/``set``/``keys``/``clear``); given as a
parameter's default (``def f(x, c=gr.Cache())``) it is not an input: the function always gets it.

Both are least-recently-used stores bounded by entries (``max_size``, 0 for no bound) and, if given,
by an estimate of their memory (``max_memory``, bytes or ``"512mb"``). ``per_session=True`` keeps each
session's entries apart (the session of the event being run; a call outside any event shares one
space). Unlike Gradio, a hit still goes through the queue (it is answered at once when its turn
comes), and a session's entries are not dropped when its page closes: they age out with the rest.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import inspect
import re
import sys
import threading
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from typing import Any

import numpy as np
import PIL.Image

from carpool.core.progress import current_sink

__all__ = ["Cache", "cache", "content_hash"]

_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb|tb)?\s*$", re.IGNORECASE)
_UNITS = {"b": 1, "kb": 1024, "mb": 1024**2, "gb": 1024**3, "tb": 1024**4}
_WRAPPERS_MAX = 1024  # runtime cache(fn) wrappers kept; a server making callables on the fly stays bounded


# -- content hashing ------------------------------------------------------------------------------


def content_hash(value: Any) -> str:
    """A digest of ``value``'s content: equal data (also in arrays, images, DataFrames) -> equal digest."""
    digest = hashlib.sha256()
    _feed(digest, value)
    return digest.hexdigest()


def _feed(digest: Any, value: Any) -> None:
    # Each kind is tagged, so 1, 1.0, "1" and [1] all hash apart.
    if value is None or isinstance(value, bool | int | float | str | complex):
        digest.update(f"{type(value).__name__}:{value!r};".encode())
    elif isinstance(value, bytes | bytearray | memoryview):
        digest.update(b"bytes:%d:" % len(value) + bytes(value))
    elif isinstance(value, list | tuple):
        digest.update(f"{type(value).__name__}[{len(value)}:".encode())
        for item in value:
            _feed(digest, item)
        digest.update(b"]")
    elif isinstance(value, Mapping):
        digest.update(f"map{{{len(value)}:".encode())
        for key_digest, item in sorted((content_hash(k), v) for k, v in value.items()):
            digest.update(key_digest.encode())
            _feed(digest, item)
        digest.update(b"}")
    elif isinstance(value, set | frozenset):
        digest.update(f"set{{{','.join(sorted(map(content_hash, value)))}}}".encode())
    else:
        _feed_object(digest, value)


def _feed_object(digest: Any, value: Any) -> None:
    if isinstance(value, np.ndarray | np.generic):
        array = np.ascontiguousarray(value)
        digest.update(f"ndarray{array.shape}{array.dtype.str}:".encode())
        digest.update(array.tobytes() if array.dtype.kind != "O" else repr(array.tolist()).encode())
    elif isinstance(value, PIL.Image.Image):
        digest.update(f"image:{value.mode}:{value.size}:".encode() + value.tobytes())
    elif _is_pandas(value):
        _feed_pandas(digest, value)
    elif _has_own_hash(value):
        digest.update(f"{type(value).__qualname__}#{hash(value)};".encode())
    elif hasattr(value, "__dict__"):
        digest.update(f"{type(value).__qualname__}(".encode())
        _feed(digest, vars(value))
        digest.update(b")")
    else:
        raise TypeError(
            f"carpool.cache cannot hash a {type(value).__name__}: pass values made of numbers, text, "
            "bytes, lists, dicts, arrays, images or DataFrames, or give key= a function that picks a key"
        )


def _has_own_hash(value: Any) -> bool:
    """A value hashed by its content (its class defines ``__hash__``), not by its identity."""
    own: Any = type(value).__hash__
    return own is not None and own is not object.__hash__


def _is_pandas(value: Any) -> bool:
    pandas = sys.modules.get("pandas")  # a DataFrame can only exist if pandas was imported
    return pandas is not None and isinstance(value, pandas.DataFrame | pandas.Series)


def _feed_pandas(digest: Any, value: Any) -> None:
    pandas = sys.modules["pandas"]
    kind = "frame" if isinstance(value, pandas.DataFrame) else "series"
    labels = list(value.columns) if kind == "frame" else [value.name]
    digest.update(f"{kind}:{value.shape}:".encode())
    _feed(digest, [str(label) for label in labels])
    _feed(digest, [str(dtype) for dtype in (value.dtypes if kind == "frame" else [value.dtype])])
    rows = pandas.util.hash_pandas_object(value, index=True).to_numpy()
    digest.update(rows.tobytes())


# -- the store ------------------------------------------------------------------------------------


def parse_memory(limit: str | int | None) -> int | None:
    """``max_memory`` in bytes: an int, or text such as ``"512mb"`` / ``"2 GB"``; None for no limit."""
    if limit is None:
        return None
    if isinstance(limit, bool) or not isinstance(limit, int | str):
        raise TypeError(f"max_memory must be bytes (int) or text like '512mb', got {limit!r}")
    if isinstance(limit, int):
        number, unit = float(limit), "b"
    else:
        match = _SIZE.match(limit)
        if match is None:
            raise ValueError(f"max_memory must look like '512mb', '2gb' or a number of bytes, got {limit!r}")
        number, unit = float(match.group(1)), (match.group(2) or "b").lower()
    if number <= 0:
        raise ValueError(f"max_memory must be positive, got {limit!r}")
    return int(number * _UNITS[unit])


def estimate_size(value: Any) -> int:
    """Roughly how many bytes ``value`` holds (arrays, images and frames by their data)."""
    if isinstance(value, np.ndarray):
        return int(value.nbytes)
    if isinstance(value, PIL.Image.Image):
        return value.size[0] * value.size[1] * len(value.getbands())
    if _is_pandas(value):
        return int(
            value.memory_usage(deep=True).sum()
            if hasattr(value, "columns")
            else value.memory_usage(deep=True)
        )
    if isinstance(value, bytes | bytearray):
        return len(value)
    nbytes = getattr(value, "nbytes", None)  # torch tensors and other array types
    if isinstance(nbytes, int):
        return nbytes
    if isinstance(value, Mapping):
        return sum(estimate_size(item) for item in value.values())
    if isinstance(value, list | tuple):
        return sum(estimate_size(item) for item in value)
    return sys.getsizeof(value)


def running_session() -> str | None:
    """The session of the event being run (sessions joined by "," for a batch from several; None outside)."""
    sink = current_sink.get()
    if sink is None:
        return None
    sessions = sorted({str((job.context or {}).get("session_hash")) for job in sink.jobs if job is not None})
    return ",".join(sessions) if sessions else None


class _Store:
    """Thread-safe least-recently-used entries ``{key digest: (raw key, data)}`` with size bounds."""

    def __init__(self, max_size: int, max_memory: str | int | None, per_session: bool) -> None:
        if isinstance(max_size, bool) or not isinstance(max_size, int) or max_size < 0:
            raise ValueError(f"max_size must be a whole number >= 0 (0: no bound), got {max_size!r}")
        self.max_size = max_size
        self.max_memory = parse_memory(max_memory)
        self.per_session = per_session
        self._entries: OrderedDict[tuple[str | None, str], tuple[Any, dict[str, Any], int]] = OrderedDict()
        self._memory = 0
        self._lock = threading.Lock()

    def _slot(self, digest: str) -> tuple[str | None, str]:
        return (running_session() if self.per_session else None, digest)

    def get(self, digest: str) -> dict[str, Any] | None:
        slot = self._slot(digest)
        with self._lock:
            found = self._entries.get(slot)
            if found is None:
                return None
            self._entries.move_to_end(slot)
            return found[1]

    def put(self, digest: str, raw_key: Any, data: dict[str, Any]) -> None:
        slot = self._slot(digest)
        size = estimate_size(data) if self.max_memory is not None else 0
        with self._lock:
            old = self._entries.pop(slot, None)
            if old is not None:
                self._memory -= old[2]
            self._entries[slot] = (raw_key, data, size)
            self._memory += size
            self._evict()

    def _evict(self) -> None:
        # The newest entry stays even when it alone is over max_memory: the next call with it hits.
        while len(self._entries) > 1 and (
            (self.max_size and len(self._entries) > self.max_size)
            or (self.max_memory is not None and self._memory > self.max_memory)
        ):
            _, (_, _, size) = self._entries.popitem(last=False)
            self._memory -= size

    def keys(self) -> list[Any]:
        session = running_session() if self.per_session else None
        with self._lock:
            return [raw for (owner, _), (raw, _, _) in self._entries.items() if owner == session]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._memory = 0

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)


# -- Cache: driven by the function ----------------------------------------------------------------


class Cache:
    """A store the function drives: ``def f(x, c=carpool.Cache()): c.get(k); c.set(k, v=1)``."""

    def __init__(
        self, *, max_size: int = 128, max_memory: str | int | None = None, per_session: bool = False
    ):
        self._store = _Store(max_size, max_memory, per_session)

    def get(self, key: Any) -> dict[str, Any] | None:
        """The keyword data stored under ``key`` (a new dict), or None."""
        found = self._store.get(content_hash(key))
        return None if found is None else dict(found)

    def set(self, key: Any, **data: Any) -> None:
        """Store ``data`` (keyword arguments) under ``key``, replacing what was there."""
        self._store.put(content_hash(key), key, data)

    def keys(self) -> list[Any]:
        """The raw keys stored (this session's, with ``per_session=True``), oldest used first."""
        return self._store.keys()

    def clear(self) -> None:
        self._store.clear()

    def __len__(self) -> int:
        return len(self._store)

    def __repr__(self) -> str:
        return f"Cache(entries={len(self)}, max_size={self._store.max_size})"


# -- cache: a decorator ---------------------------------------------------------------------------

_wrappers: OrderedDict[tuple[Any, ...], Callable[..., Any]] = OrderedDict()
_wrappers_lock = threading.Lock()


def cache(
    fn: Callable[..., Any] | None = None,
    *,
    key: Callable[[dict[str, Any]], Any] | None = None,
    max_size: int = 128,
    max_memory: str | int | None = None,
    per_session: bool = False,
) -> Any:
    """``@cache``, ``@cache(max_size=...)`` or ``cache(fn)(*args)``: results kept by argument content.

    ``key`` gets the call's arguments by name (defaults filled in) and returns what to hash instead.
    """
    if fn is None:
        return lambda function: cache(
            function, key=key, max_size=max_size, max_memory=max_memory, per_session=per_session
        )
    if not callable(fn):
        raise TypeError(
            f"carpool.cache expects a function, got {type(fn).__name__}: write cache(fn)(*args), "
            "not cache(fn(*args))"
        )
    settings = (id(fn), id(key), max_size, parse_memory(max_memory), per_session)
    with _wrappers_lock:
        found = _wrappers.get(settings)
        if found is not None and found.__wrapped__ is fn:  # type: ignore[attr-defined]
            _wrappers.move_to_end(settings)
            return found
        wrapper = _wrap(fn, _Store(max_size, max_memory, per_session), key)
        _wrappers[settings] = wrapper
        while len(_wrappers) > _WRAPPERS_MAX:
            _wrappers.popitem(last=False)
        return wrapper


def _wrap(
    fn: Callable[..., Any], store: _Store, key: Callable[[dict[str, Any]], Any] | None
) -> Callable[..., Any]:
    signature = inspect.signature(fn)

    def lookup(args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[str, dict[str, Any] | None]:
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        named = dict(bound.arguments)
        digest = content_hash(key(named) if key is not None else named)
        return digest, store.get(digest)

    if inspect.isasyncgenfunction(fn):

        @functools.wraps(fn)
        async def async_generator(*args: Any, **kwargs: Any) -> AsyncIterator[Any]:
            digest, found = lookup(args, kwargs)
            if found is not None:
                for item in found["yields"]:
                    yield item
                return
            yields = []
            async for item in fn(*args, **kwargs):
                yields.append(copy.deepcopy(item))  # later yields may mutate what was yielded
                yield item
            store.put(digest, digest, {"yields": yields})

        return async_generator
    if inspect.isgeneratorfunction(fn):

        @functools.wraps(fn)
        def generator(*args: Any, **kwargs: Any) -> Iterator[Any]:
            digest, found = lookup(args, kwargs)
            if found is not None:
                yield from found["yields"]
                return
            yields = []
            for item in fn(*args, **kwargs):
                yields.append(copy.deepcopy(item))
                yield item
            store.put(digest, digest, {"yields": yields})

        return generator
    if inspect.iscoroutinefunction(fn):

        @functools.wraps(fn)
        async def coroutine(*args: Any, **kwargs: Any) -> Any:
            digest, found = lookup(args, kwargs)
            if found is not None:
                return found["value"]
            result = await fn(*args, **kwargs)
            store.put(digest, digest, {"value": result})
            return result

        return coroutine

    @functools.wraps(fn)
    def function(*args: Any, **kwargs: Any) -> Any:
        digest, found = lookup(args, kwargs)
        if found is not None:
            return found["value"]
        result = fn(*args, **kwargs)
        store.put(digest, digest, {"value": result})
        return result

    return function
