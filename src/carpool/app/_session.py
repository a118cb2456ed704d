"""Where ``State`` values live: on the server, one :class:`SessionState` per browser session.

A ``State`` component's value never travels to the browser. Each session starts from a deep copy of the
component's default (so one user's in-place edits of a list or dict never leak into another's), and
:class:`SessionStore` keeps the most recently used sessions only, so abandoned sessions cannot grow the
server without bound.
"""

from __future__ import annotations

import copy
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


class SessionState:
    """The State values of one session, by component id."""

    def __init__(self) -> None:
        self._values: dict[int, Any] = {}

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
    """The :class:`SessionState` of each session hash, least recently used dropped past ``max_sessions``."""

    def __init__(self, max_sessions: int = 10_000) -> None:
        if max_sessions < 1:
            raise ValueError("max_sessions must be at least 1")
        self.max_sessions = max_sessions
        self._sessions: OrderedDict[str, SessionState] = OrderedDict()

    def get(self, session_hash: str) -> SessionState:
        """The session's state, created on first use; marks it most recently used."""
        state = self._sessions.get(session_hash)
        if state is None:
            state = SessionState()
            self._sessions[session_hash] = state
            if len(self._sessions) > self.max_sessions:
                self._sessions.popitem(last=False)
        else:
            self._sessions.move_to_end(session_hash)
        return state

    def discard(self, session_hash: str) -> None:
        self._sessions.pop(session_hash, None)

    def __contains__(self, session_hash: object) -> bool:
        return session_hash in self._sessions

    def __len__(self) -> int:
        return len(self._sessions)
