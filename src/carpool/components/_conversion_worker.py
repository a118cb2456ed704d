"""A conversion worker process: ``python -m carpool.components._conversion_worker READ_FD WRITE_FD``.

Reads ``(function, args)`` from one pipe, runs it, writes ``("ok", result)`` or ``("error", exception)``
to the other, until the first pipe closes (the server stopped the pool, or the server itself is gone).
Started by :class:`carpool.components._conversion.ConversionPool`; never by hand.
"""

from __future__ import annotations

import pickle
import signal
import sys
import traceback
from collections.abc import Sequence
from multiprocessing.connection import Connection
from typing import Any

__all__ = ["READY", "main", "outcome"]

READY = b"ready"


def outcome(task: bytes) -> bytes:
    """The pickled reply to one pickled ``(function, args)``: its result, or its exception."""
    try:
        fn, args = pickle.loads(task)
        reply: tuple[str, Any] = ("ok", fn(*args))
    except Exception as error:
        error.add_note("".join(traceback.format_exception(error)).rstrip())
        reply = ("error", error)
    try:
        return pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as error:  # a result or an exception that does not pickle: say what it was
        described = reply[1] if reply[0] == "error" else error
        substitute = RuntimeError(f"{type(described).__name__}: {described}")
        return pickle.dumps(("error", substitute), protocol=pickle.HIGHEST_PROTOCOL)


def main(argv: Sequence[str]) -> int:
    # Ctrl-C in a terminal reaches the whole process group; the server stops its workers itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    requests = Connection(int(argv[0]), writable=False)
    replies = Connection(int(argv[1]), readable=False)
    replies.send_bytes(READY)  # importing this module imported carpool, numpy and Pillow: ready
    while True:
        try:
            task = requests.recv_bytes()
        except EOFError:
            return 0
        try:
            replies.send_bytes(outcome(task))
        except BrokenPipeError:  # the server went away mid-reply: nobody is waiting for it
            return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
