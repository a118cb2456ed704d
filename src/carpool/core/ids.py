"""Event ids: unique, and cheap to mint.

Ids are not capabilities -- only the session that joined an event may cancel it -- so they must be
unique, not secret: a random prefix per process (distinct across restarts) and a counter. ``uuid4`` cost
a system call per event, a measurable share of a trivial request's time.
"""

from __future__ import annotations

import itertools
import os

__all__ = ["new_event_id"]

_PREFIX = os.urandom(6).hex()
_counter = itertools.count(1)  # next() on a count is atomic under the GIL: safe from any thread


def new_event_id() -> str:
    return f"{_PREFIX}{next(_counter):x}"
