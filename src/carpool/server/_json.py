"""JSON responses as the protocol writes them (``carpool.protocol.encode_json``).

Starlette's ``JSONResponse`` refuses NaN (a 500 for a model that returned one) and cannot encode a lone
surrogate; the protocol's encoder sends ``null`` and an escape instead, so every answer a function
produces reaches the client as JSON a strict parser accepts.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse, Response

from carpool.protocol import encode_json

__all__ = ["JSONAnswer", "WireJSONResponse"]


class WireJSONResponse(JSONResponse):
    def render(self, content: Any) -> bytes:
        return encode_json(content)


class JSONAnswer(Response):
    """A 200 answer of ``content`` as protocol JSON, built without ``Response.__init__``'s header logic.

    The hot path of an API call: two headers, known up front, and nothing a caller can pass in.
    """

    media_type = "application/json"

    def __init__(self, content: Any) -> None:  # super().__init__ is what this skips, on purpose
        self.status_code = 200
        self.background = None
        self.body = encode_json(content)
        self.raw_headers = [(b"content-length", str(len(self.body)).encode()), _JSON_TYPE]


_JSON_TYPE = (b"content-type", b"application/json")
