"""Where ``State`` values live: on the server, one :class:`SessionState` per browser session.

A ``State`` component's value never travels to the browser. Each session starts from a deep copy of the
component's default (so one user's in-place edits of a list or dict never leak into another's), and
:class:`SessionStore` bounds the sessions kept, in total and per client, evicting idle ones only, so
abandoned sessions cannot grow the server without bound and one client cannot push out another's.
"""

from __future__ import annotations

import copy
import hashlib
import pickle
from collections import OrderedDict
from typing import Any

__all__ = ["SessionState", "SessionStore"]


def _initial_value(component: Any) -> Any:
    initial = getattr(component, "initial_value", None)
    if callable(initial):
        return initial()
    value = getattr(component, "value", None)
    if callable(value):
        value = value()
    return copy.deepcopy(value)


def _fingerprint(value: Any) -> str:
    try:
        data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # not picklable (a lock, a model): its text stands in
        data = repr(value).encode(errors="replace")
    return hashlib.sha1(data, usedforsecurity=False).hexdigest()


class SessionState:
    """The State values of one session, by component id."""

    def __init__(self) -> None:
        self._values: dict[int, Any] = {}
        self._prints: dict[int, str] = {}  # fingerprints of watched values, to see in-place changes
        self.renders: dict[int, Any] = {}  # render area id -> this session's latest run of it

    def set_watched(self, component: Any, value: Any) -> bool:
        """Store ``value``; True when it differs from the last one stored (or the default).

        The last value is remembered by fingerprint, not by reference: a function that changes the
        list it was given and returns it has changed the State, as in Gradio.
        """
        before = self._prints.get(component.id)
        if before is None:
            before = _fingerprint(_initial_value(component))
        after = _fingerprint(value)
        self._prints[component.id] = after
        self._values[component.id] = value
        return after != before

    def get(self, component: Any) -> Any:
        """This session's value of ``component`` (its default, deep-copied, until one is stored)."""
        if component.id not in self._values:
            self._values[component.id] = _initial_value(component)
        return self._values[component.id]

    def set(self, component: Any, value: Any) -> None:
        self._values[component.id] = value

    def __contains__(self, component: Any) -> bool:
        return getattr(component, "id", None) in self._values

    def __len__(self) -> int:
        return len(self._values)


class SessionStore:
    """The :class:`SessionState` of each session hash, bounded in total and per client.

    A session is *live* between :meth:`acquire` and :meth:`release` (the server holds it while the
    session has an event channel) and idle after it, kept in least-recently-released order for a client
    that comes back (a reconnecting tab). Past ``max_per_client`` sessions of one client (its address or
    user name), that client's own oldest session goes (an idle one if it has any); past ``max_sessions``
    in all, the oldest idle session goes. A client minting fresh session hashes therefore churns its own
    sessions, not other users' ``State``.
    """

    def __init__(self, max_sessions: int = 10_000, max_per_client: int = 1_000) -> None:
        if max_sessions < 1 or max_per_client < 1:
            raise ValueError("max_sessions and max_per_client must be at least 1")
        self.max_sessions = max_sessions
        self.max_per_client = max_per_client
        self._live: dict[str, _Entry] = {}
        self._idle: OrderedDict[str, _Entry] = OrderedDict()  # oldest released first
        self._by_client: dict[str | None, OrderedDict[str, None]] = {}  # each client's sessions, oldest first

    def acquire(self, session_hash: str, client: str | None = None) -> SessionState:
        """The session's state, created on first use; live until :meth:`release` (idle ones go first)."""
        entry = self._live.get(session_hash) or self._idle.pop(session_hash, None)
        if entry is None:
            entry = self._live[session_hash] = _Entry(SessionState(), client)
            self._by_client.setdefault(client, OrderedDict())[session_hash] = None
            self._evict_over(client)
        self._live[session_hash] = entry
        return entry.state

    def get(self, session_hash: str, client: str | None = None) -> SessionState:
        """The session's state as an idle session: created or touched, then released at once."""
        state = self.acquire(session_hash, client)
        self.release(session_hash)
        return state

    def release(self, session_hash: str) -> None:
        """The server no longer holds the session: it becomes the most recently used idle one."""
        entry = self._live.pop(session_hash, None)
        if entry is not None:
            self._idle[session_hash] = entry
            self._by_client[entry.client].move_to_end(session_hash)

    def discard(self, session_hash: str) -> None:
        entry = self._live.pop(session_hash, None) or self._idle.pop(session_hash, None)
        if entry is not None:
            self._forget(session_hash, entry.client)

    def _evict_over(self, client: str | None) -> None:
        # Idle sessions go first. A live one evicted keeps working (its stream holds the state) and is
        # forgotten once released: that only happens to a client past its own bound, or when every
        # session in the store is live.
        owned = self._by_client[client]
        if len(owned) > self.max_per_client:
            self.discard(next((hash_ for hash_ in owned if hash_ in self._idle), next(iter(owned))))
        if len(self) > self.max_sessions:
            self.discard(next(iter(self._idle)) if self._idle else next(iter(self._live)))

    def _forget(self, session_hash: str, client: str | None) -> None:
        owned = self._by_client[client]
        del owned[session_hash]
        if not owned:
            del self._by_client[client]

    def __contains__(self, session_hash: object) -> bool:
        return session_hash in self._live or session_hash in self._idle

    def __len__(self) -> int:
        return len(self._live) + len(self._idle)


class _Entry:
    __slots__ = ("client", "state")

    def __init__(self, state: SessionState, client: str | None) -> None:
        self.state = state
        self.client = client
