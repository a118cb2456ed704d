"""``carpool.Request``: who sent the event, for functions that ask for it.

A function declares ``request: carpool.Request`` and receives one built from the event's context, which
the server sets when the event joins the queue (``{"headers", "client", "session_hash", "username",
"query_params"}``). Only plain data crosses into the engine; no HTTP object is kept alive by a waiting
event.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple

__all__ = ["ClientAddress", "Headers", "Request"]


class ClientAddress(NamedTuple):
    host: str
    port: int | None = None


class Headers(Mapping[str, str]):
    """Read-only HTTP headers; names are case-insensitive, as in HTTP."""

    def __init__(self, headers: Mapping[str, str] | None = None) -> None:
        self._headers = {name.lower(): value for name, value in (headers or {}).items()}

    def __getitem__(self, name: str) -> str:
        return self._headers[name.lower()]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._headers

    def __iter__(self) -> Iterator[str]:
        return iter(self._headers)

    def __len__(self) -> int:
        return len(self._headers)

    def __repr__(self) -> str:
        return f"Headers({self._headers!r})"


def _client_address(value: Any) -> ClientAddress | None:
    if value is None:
        return None
    if isinstance(value, ClientAddress):
        return value
    if isinstance(value, str):
        return ClientAddress(value)
    host, port = value
    return ClientAddress(str(host), None if port is None else int(port))


class Request:
    """The request behind one event: headers, client address, session, user and query parameters."""

    def __init__(
        self,
        *,
        headers: Mapping[str, str] | None = None,
        client: ClientAddress | tuple[str, int | None] | str | None = None,
        session_hash: str | None = None,
        username: str | None = None,
        query_params: Mapping[str, str] | None = None,
    ) -> None:
        self.headers = Headers(headers)
        self.client = _client_address(client)
        self.session_hash = session_hash
        self.username = username
        self.query_params: dict[str, str] = dict(query_params or {})

    @classmethod
    def from_context(cls, context: Mapping[str, Any] | None) -> Request:
        """The request described by an event's context mapping (empty when there is none)."""
        context = context or {}
        return cls(
            headers=context.get("headers"),
            client=context.get("client"),
            session_hash=context.get("session_hash"),
            username=context.get("username"),
            query_params=context.get("query_params"),
        )

    def __repr__(self) -> str:
        return (
            f"Request(client={self.client!r}, session_hash={self.session_hash!r}, username={self.username!r})"
        )
