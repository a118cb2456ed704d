"""Media conversion in worker processes: decoding and encoding off the server process.

Decoding an uploaded PNG, encoding an output image or a WAV file runs in the server's worker threads,
off the event loop. Pillow's codecs release the GIL, so their heavy part already spreads over the
cores; the rest (opening and checking the file, mode conversion, copying arrays, WAV framing) holds it
and shares one core with everything else the server process does. A :class:`ConversionPool` runs the
whole conversion in ``size`` worker processes instead. That pays only where the server process is the
bottleneck and cores are idle (docs/conversion.md, docs/benchmarks.md): it costs a pickle and a pipe
each way, and a worker converts one value at a time.

- Only picklable work crosses the process boundary: a module-level function with paths, bytes and
  arrays in, and bytes, arrays or images out. The file store, sessions and components stay in the
  server process (:func:`convert` is the one call site the components use).
- A worker runs one conversion at a time, and a caller waits (in its thread: conversion already runs
  off the event loop) for an idle one. So a worker that dies -- a decoder crash, the OOM killer --
  takes down exactly the conversion it was running: that event fails with :class:`ConversionError`,
  and a fresh worker takes the dead one's place when it is next needed.
- A conversion that runs past the pool's ``timeout`` (a decoder stuck on a hostile file) is stopped by
  killing its worker: that event fails with :class:`ConversionError` naming the limit, and the worker
  is replaced. Without it, a few such files would hold every worker and stall all media for everyone.
- Workers start lazily, on the first conversion, as ``python -m carpool.components._conversion_worker``.
  Not multiprocessing's ``spawn`` or ``forkserver``: they re-run the app's main script in every child,
  and a Gradio-style script calls ``launch()`` at its top level. Not ``fork`` either: it copies a
  threaded server's locks in whatever state they are. A worker exits when its pipe closes, so it never
  outlives the server, even one that was killed.
"""

from __future__ import annotations

import logging
import os
import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from contextlib import nullcontext
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from carpool.components.files import current_file_store
from carpool.exceptions import ConversionError

if TYPE_CHECKING:
    from carpool.components._decode_limits import DecodeLimits

__all__ = [
    "DEFAULT_CONVERSION_TIMEOUT",
    "ConversionPool",
    "ConversionWorkers",
    "conversion_pool",
    "convert",
    "default_worker_count",
]

T = TypeVar("T")
ConversionWorkers = int | Literal["auto"]

logger = logging.getLogger("carpool.conversion")

WORKER_MODULE = "carpool.components._conversion_worker"
MAX_AUTO_WORKERS = 4  # beyond this, conversion is rarely what limits one server process
# Cores "auto" leaves to the server process (its event loop, and the threads in which Pillow's codecs
# already run outside the GIL) and to the rest of the machine. On 2 cores workers bought nothing in the
# queue benchmark and halved 1024 px image throughput on a busy machine (docs/benchmarks.md).
RESERVED_CORES = 2
_STOP_GRACE = 2.0  # seconds a worker has to exit after its pipe closes, before it is killed
# The longest one value's conversion may take in a worker. A 50-megapixel image (max_image_pixels)
# decodes and encodes in seconds; a minute leaves room for a loaded machine.
DEFAULT_CONVERSION_TIMEOUT = 60.0


# The workers' pipes are inherited file descriptors (``pass_fds``): POSIX only.
SUPPORTED = os.name == "posix"


def default_worker_count(has_media: bool, cpus: int | None = None) -> int:
    """``conversion_workers="auto"``: for an app with media, the cores beyond ``RESERVED_CORES`` (at most
    ``MAX_AUTO_WORKERS``; none on a machine of 2 cores or fewer); none for the others."""
    if not has_media or not SUPPORTED:
        return 0
    spare = (cpus if cpus is not None else os.cpu_count() or 1) - RESERVED_CORES
    return max(0, min(MAX_AUTO_WORKERS, spare))


def conversion_pool(
    workers: ConversionWorkers, *, has_media: bool, timeout: float | None = DEFAULT_CONVERSION_TIMEOUT
) -> ConversionPool | None:
    """The pool for ``conversion_workers=workers`` (``"auto"`` or a count; 0: none, convert in-process).

    Creating it costs nothing: its processes start on the first conversion. ``timeout``: see
    :class:`ConversionPool`.
    """
    if workers == "auto":
        workers = default_worker_count(has_media)
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 0:
        raise ValueError(f"conversion_workers must be 'auto' or a number >= 0, got {workers!r}")
    _check_timeout(timeout)
    return ConversionPool(workers, timeout=timeout) if workers else None


def _check_timeout(timeout: float | None) -> None:
    if timeout is not None and (
        isinstance(timeout, bool) or not isinstance(timeout, int | float) or not 0 < timeout < float("inf")
    ):
        raise ValueError(f"conversion_timeout must be a number of seconds > 0 or None, got {timeout!r}")


class _WorkerDied(Exception):
    """The worker's pipe broke while it held a task (the process exited or was killed)."""


class _WorkerTimedOut(_WorkerDied):
    """The worker held a task past the pool's timeout; it has been killed."""


class _Worker:
    """One worker process (started on first use) and the two pipes to it; used by one thread at a time."""

    def __init__(self) -> None:
        self._process: subprocess.Popen[bytes] | None = None
        self._requests: Connection | None = None
        self._replies: Connection | None = None
        # Set once the started process said it has imported what conversions need (or died trying).
        self._ready = threading.Event()
        self._ready_waiter: threading.Thread | None = None

    @property
    def warm(self) -> bool:
        """Started and ready: a conversion sent now does not wait for the process's imports."""
        process = self._process  # read once: the owning thread may be replacing it
        return self._ready.is_set() and process is not None and process.poll() is None

    @property
    def pid(self) -> int | None:
        return None if self._process is None else self._process.pid

    def ensure_started(self) -> None:
        """Start the process unless it runs (first use, or it died while idle: no task was lost).

        Cheap: the child imports numpy and Pillow on its own time, so several start in parallel.
        """
        if self._process is None or self._process.poll() is not None:
            self._start()

    def call(self, fn: Callable[..., Any], args: tuple[Any, ...], timeout: float | None) -> Any:
        self.ensure_started()
        assert self._requests is not None and self._replies is not None
        self._ready.wait()  # the replies pipe is the start waiter's until then
        try:
            self._requests.send((fn, args))  # a function or arguments that do not pickle raise here
            if not self._replies.poll(timeout):  # a broken pipe polls ready: recv reports it
                self.kill()
                raise _WorkerTimedOut(f"it ran past the {timeout:g} s conversion_timeout and was killed")
            status, value = self._replies.recv()
        except (EOFError, OSError) as error:
            raise _WorkerDied(self._exit_description()) from error
        if status == "error":
            raise value
        return value

    def _start(self) -> None:
        self.stop()
        request_read, request_write = os.pipe()
        reply_read, reply_write = os.pipe()
        try:
            self._process = subprocess.Popen(
                [sys.executable, "-m", WORKER_MODULE, str(request_read), str(reply_write)],
                pass_fds=(request_read, reply_write),
                env=_worker_environment(),
                stdin=subprocess.DEVNULL,
            )
        finally:
            os.close(request_read)  # the child's ends: ours are closed, so its exit is our EOF
            os.close(reply_write)
        self._requests = Connection(request_write, readable=False)
        self._replies = Connection(reply_read, writable=False)
        self._ready = threading.Event()
        self._ready_waiter = threading.Thread(
            target=_await_ready,
            args=(self._replies, self._ready),
            name=f"carpool-conversion-start-{self._process.pid}",
            daemon=True,
        )
        self._ready_waiter.start()
        logger.debug("conversion worker %d started", self._process.pid)

    def _exit_description(self) -> str:
        assert self._process is not None
        try:
            code = self._process.wait(timeout=_STOP_GRACE)
        except subprocess.TimeoutExpired:
            self._process.kill()
            code = self._process.wait()
        if code < 0:
            try:
                return f"killed by {signal.Signals(-code).name}"
            except ValueError:
                return f"killed by signal {-code}"
        return f"exit code {code}"

    def kill(self) -> None:
        """Signal the process to die (safe from any thread: the pipes stay with their owner)."""
        if self._process is not None and self._process.poll() is None:
            self._process.kill()

    def stop(self) -> None:
        """Close the pipe to the worker (it exits on its own), reap it, then close the one back.

        In that order: the start waiter may still be reading the pipe back, until the exit ends it.
        """
        if self._requests is not None:
            self._requests.close()
        if self._process is not None:
            try:
                self._process.wait(timeout=_STOP_GRACE)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        if self._ready_waiter is not None:
            self._ready_waiter.join(_STOP_GRACE)
        if self._replies is not None:
            self._replies.close()
        self._requests = self._replies = self._process = self._ready_waiter = None


def _await_ready(replies: Connection, ready: threading.Event) -> None:
    try:
        replies.recv_bytes()  # the worker's first message: its imports are done
    except (EOFError, OSError):
        pass  # it died starting: the call that uses it reports that
    finally:
        ready.set()


def _worker_environment() -> dict[str, str]:
    # The child must import the same carpool as the server, wherever that came from (a checkout on
    # sys.path, a virtual environment): give it the server's import path, as multiprocessing does.
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(entry for entry in sys.path if isinstance(entry, str) and entry)
    for threads in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(threads, "1")  # the workers are the parallelism: no BLAS thread pool in each
    return env


class ConversionPool:
    """``size`` worker processes that run conversions one at a time each; see the module docstring.

    ``close()`` stops every worker; a pool used again afterwards (an app whose lifespan runs again)
    starts fresh ones, lazily as before. A conversion still running at ``close()`` fails.
    ``timeout``: seconds one conversion may run in a worker before the worker is killed and the
    conversion fails (``None``: no limit). Time spent waiting for an idle worker does not count.
    """

    def __init__(self, size: int, *, timeout: float | None = DEFAULT_CONVERSION_TIMEOUT) -> None:
        if isinstance(size, bool) or not isinstance(size, int) or size < 1:
            raise ValueError(f"a conversion pool needs at least 1 worker, got {size!r}")
        if not SUPPORTED:
            raise ValueError("conversion_workers needs a POSIX system (Linux, macOS); use 0 here")
        _check_timeout(timeout)
        self.size = size
        self.timeout = timeout
        self.timeouts = 0  # conversions stopped for running past the timeout (each worker replaced)
        self.crashes = 0  # workers that died while converting (each replaced)
        self.conversions = 0  # conversions handed to a worker (for diagnostics and tests)
        # last in, first out: a lightly used pool keeps reusing its warm workers
        self._idle: queue.LifoQueue[_Worker] = queue.LifoQueue()
        self._workers = [_Worker() for _ in range(size)]  # every current worker, idle or busy
        for worker in self._workers:
            self._idle.put(worker)
        self._started = False
        self._was_warm = False
        self._busy: set[_Worker] = set()
        self._lock = threading.Lock()
        self._generation = 0  # bumped by close(): a worker taken before it is not put back

    def run(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(*args)`` in a worker process; blocks the calling thread until a worker is free and done.

        ``fn``'s own exceptions are raised here as they were raised there (its traceback, as text,
        in a note); a worker that dies meanwhile raises :class:`ConversionError`.
        """
        self._start_all_once()
        worker = self._idle.get()
        with self._lock:
            self._busy.add(worker)
            generation = self._generation
            self.conversions += 1
        try:
            return worker.call(fn, args, self.timeout)  # type: ignore[no-any-return]
        except _WorkerDied as died:
            replacement = self._replace(worker, generation, died)
            worker = replacement
            raise self._died_error(generation, died) from None
        finally:
            self._release(worker, generation)

    def warm(self) -> bool:
        """Whether conversions go to the workers: one has been ready since the pool (re)started. The
        first call starts them all (and returns at once). It stays true while killed workers are
        replaced: falling back to the server process then would run a hostile file with no timeout."""
        self._start_all_once()
        if self._was_warm:
            return True
        with self._lock:
            workers = list(self._workers)
        self._was_warm = any(worker.warm for worker in workers)
        return self._was_warm

    def _start_all_once(self) -> None:
        # The first conversion starts every worker: they import in parallel, not one per later burst.
        with self._lock:
            if self._started:
                return
            self._started = True
            idle = self._take_idle()
        for worker in idle:
            worker.ensure_started()
            self._idle.put(worker)

    def _take_idle(self) -> list[_Worker]:
        taken = []
        while True:
            try:
                taken.append(self._idle.get_nowait())
            except queue.Empty:
                return taken

    def _replace(self, dead: _Worker, generation: int, died: _WorkerDied) -> _Worker:
        replacement = _Worker()
        with self._lock:
            self._busy.discard(dead)
            closing = generation != self._generation
            self._swap(dead, replacement)
        dead.stop()
        if not closing:
            if isinstance(died, _WorkerTimedOut):
                self.timeouts += 1
                logger.error("a media conversion ran too long (%s); starting a fresh worker", died)
            else:
                self.crashes += 1
                logger.error(
                    "a media conversion worker died (%s) while converting; starting a fresh one", died
                )
            replacement.ensure_started()
        return replacement

    def _died_error(self, generation: int, died: _WorkerDied) -> ConversionError:
        if generation != self._generation:
            return ConversionError("The media conversion was stopped: the server is shutting down.")
        if isinstance(died, _WorkerTimedOut):
            return ConversionError(
                f"The media conversion of this request's values took longer than {self.timeout:g} s "
                "(conversion_timeout), so its worker process was stopped and replaced."
            )
        return ConversionError(
            f"The media conversion worker process died ({died}) while converting this request's "
            "values; it has been replaced, so the request can be sent again."
        )

    def _release(self, worker: _Worker, generation: int) -> None:
        with self._lock:
            self._busy.discard(worker)
            closed_meanwhile = generation != self._generation
        if closed_meanwhile:
            worker.stop()
            fresh = _Worker()
            with self._lock:
                self._swap(worker, fresh)
            worker = fresh
        self._idle.put(worker)

    def _swap(self, old: _Worker, new: _Worker) -> None:
        self._workers = [new if worker is old else worker for worker in self._workers]

    def worker_pids(self) -> list[int]:
        """The process ids of the workers started, busy or idle (for benchmarks and diagnostics)."""
        with self._lock:
            pids = [w.pid for w in self._workers]
        return [pid for pid in pids if pid is not None]

    def busy_worker_pids(self) -> list[int]:
        """The process ids of the workers converting right now (for tests and diagnostics)."""
        with self._lock:
            busy = [w.pid for w in self._busy]
        return [pid for pid in busy if pid is not None]

    def close(self) -> None:
        """Stop every worker: idle ones at once, busy ones are killed (their conversions fail)."""
        with self._lock:
            self._generation += 1
            self._started = False
            self._was_warm = False
            busy = list(self._busy)
            idle = self._take_idle()
        for worker in busy:
            worker.kill()
        for worker in idle:
            worker.stop()
            self._idle.put(worker)  # stopped workers start again if the pool is used again


def convert(fn: Callable[..., T], *args: Any, decode_slot: DecodeLimits | None = None) -> T:
    """``fn(*args)`` in the current file store's conversion pool, or inline when it has none -- or
    while its workers are still starting, so the first requests never wait for their imports.

    ``decode_slot``: the app's decode limits, when ``fn`` decodes an upload. In a worker, ``fn`` gets
    a copy of the limits (slots are per process), so the caller holds one of the app's slots for the
    whole call: ``max_concurrent_decodes`` still bounds the decodes running at once in all workers.
    """
    pool = current_file_store().conversions
    if pool is None or not pool.warm():
        return fn(*args)
    with decode_slot.decoding() if decode_slot is not None else nullcontext():
        return pool.run(fn, *args)
