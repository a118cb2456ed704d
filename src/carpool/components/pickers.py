"""Value pickers with a text wire form: ColorPicker (``"#rrggbb"``) and DateTime."""

from __future__ import annotations

import datetime
import re
from typing import Any, ClassVar, Literal

from carpool.components.base import Component, json_type_name
from carpool.components.events import Blurrable, Changeable, Focusable, Inputable, Submittable
from carpool.exceptions import InvalidInputError

__all__ = ["ColorPicker", "DateTime"]

_HEX_COLOR = re.compile(r"#([0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})")


class ColorPicker(Changeable, Inputable, Submittable, Focusable, Blurrable, Component):
    """A colour, as a CSS hex string (``"#ff8800"``); the function receives that string or ``None``."""

    block_type: ClassVar[str] = "colorpicker"

    def __init__(self, value: str | None = None, **common: Any) -> None:
        super().__init__(value, **common)

    def preprocess(self, payload: Any) -> str | None:
        if payload is None:
            return None
        if not isinstance(payload, str) or not _HEX_COLOR.fullmatch(payload):
            got = repr(payload) if isinstance(payload, str) else json_type_name(payload)
            raise InvalidInputError(f'ColorPicker expects a hex colour such as "#ff8800", got {got}')
        return payload

    def postprocess(self, value: Any) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str):
            raise TypeError(f"ColorPicker output expects a str such as '#ff8800', got {type(value).__name__}")
        return value

    def api_schema(self) -> dict[str, Any]:
        return {"type": ["string", "null"], "pattern": _HEX_COLOR.pattern}

    def example_payload(self) -> str:
        return "#4a4fe0"


DateTimeType = Literal["timestamp", "datetime", "string"]
_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d")


class DateTime(Changeable, Submittable, Component):
    """A date (and time): the wire carries ``"YYYY-MM-DD HH:MM:SS"``; the function receives a POSIX
    timestamp (``type="timestamp"``, default), a ``datetime`` or the string. Times are local unless
    ``timezone`` (an IANA name) is given."""

    block_type: ClassVar[str] = "datetime"

    def __init__(
        self,
        value: float | str | datetime.datetime | None = None,
        *,
        include_time: bool = True,
        type: DateTimeType = "timestamp",  # Gradio's name
        timezone: str | None = None,
        **common: Any,
    ) -> None:
        if type not in ("timestamp", "datetime", "string"):
            raise ValueError(f"DateTime type must be 'timestamp', 'datetime' or 'string', got {type!r}")
        self.include_time = include_time
        self.type = type
        self.timezone = timezone
        super().__init__(value, **common)

    def _zone(self) -> datetime.tzinfo | None:
        if self.timezone is None:
            return None
        from zoneinfo import ZoneInfo  # stdlib; only a DateTime with a timezone needs it

        return ZoneInfo(self.timezone)

    def preprocess(self, payload: Any) -> float | datetime.datetime | str | None:
        if payload is None or payload == "":
            return None
        if not isinstance(payload, str):
            raise InvalidInputError(
                f'DateTime expects a string "YYYY-MM-DD HH:MM:SS", got {json_type_name(payload)}'
            )
        moment = self._parse(payload.strip())
        if self.type == "string":
            return payload
        if self.type == "datetime":
            return moment
        return moment.timestamp()

    def _parse(self, text: str) -> datetime.datetime:
        for fmt in _FORMATS:
            try:
                return datetime.datetime.strptime(text, fmt).replace(tzinfo=self._zone())
            except ValueError:
                continue
        raise InvalidInputError(f'DateTime expects "YYYY-MM-DD HH:MM:SS" (or "YYYY-MM-DD"), got {text!r}')

    def postprocess(self, value: Any) -> str | None:
        if value is None:
            return None
        if isinstance(value, str):
            return value
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = datetime.datetime.fromtimestamp(value, tz=self._zone())
        if isinstance(value, datetime.datetime):
            return value.strftime("%Y-%m-%d %H:%M:%S" if self.include_time else "%Y-%m-%d")
        if isinstance(value, datetime.date):
            return value.strftime("%Y-%m-%d")
        raise TypeError(f"DateTime output expects a timestamp, datetime or str, got {type(value).__name__}")

    def api_schema(self) -> dict[str, Any]:
        return {"type": ["string", "null"], "description": "YYYY-MM-DD HH:MM:SS"}

    def example_payload(self) -> str:
        return "2024-01-01 12:00:00" if self.include_time else "2024-01-01"

    def component_props(self) -> dict[str, Any]:
        return {"include_time": self.include_time, "timezone": self.timezone}
