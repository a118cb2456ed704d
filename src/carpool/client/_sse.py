"""Decoding a server-sent event stream, line by line, into the protocol's JSON messages."""

from __future__ import annotations

import json
from typing import Any

from carpool.exceptions import ProtocolError

__all__ = ["NamedEventDecoder", "SSEDecoder"]


class SSEDecoder:
    """Feed it the stream's lines; it returns a message when a blank line completes an event."""

    def __init__(self) -> None:
        self._data: list[str] = []

    def feed(self, line: str) -> dict[str, Any] | None:
        line = line.rstrip("\r\n")
        if line:
            field, _, value = line.partition(":")
            if field == "data":
                self._data.append(value[1:] if value.startswith(" ") else value)
            return None  # comments (":"), event/id/retry fields: nothing carpool needs
        if not self._data:
            return None
        payload, self._data = "\n".join(self._data), []
        try:
            message = json.loads(payload)
        except ValueError as error:
            raise ProtocolError(f"event stream sent non-JSON data: {payload[:80]!r}") from error
        if not isinstance(message, dict) or not isinstance(message.get("msg"), str):
            raise ProtocolError(f"event stream sent a message without 'msg': {payload[:80]!r}")
        return message


class NamedEventDecoder:
    """For streams of named events (``event: complete`` + ``data: {...}``): returns ``(name, data)``."""

    def __init__(self) -> None:
        self._event = "message"
        self._data: list[str] = []

    def feed(self, line: str) -> tuple[str, Any] | None:
        line = line.rstrip("\r\n")
        if line:
            field, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if field == "event":
                self._event = value
            elif field == "data":
                self._data.append(value)
            return None  # comments (heartbeats), id and retry fields
        if not self._data:
            return None
        event, payload = self._event, "\n".join(self._data)
        self._event, self._data = "message", []
        try:
            return event, json.loads(payload)
        except ValueError as error:
            raise ProtocolError(f"event stream sent non-JSON data: {payload[:80]!r}") from error
