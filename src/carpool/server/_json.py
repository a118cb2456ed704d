"""JSON responses as the protocol writes them (``carpool.protocol.encode_json``).

Starlette's ``JSONResponse`` refuses NaN (a 500 for a model that returned one) and cannot encode a lone
surrogate; the protocol's encoder sends ``null`` and an escape instead, so every answer a function
produces reaches the client as JSON a strict parser accepts.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse

from carpool.protocol import encode_json

__all__ = ["WireJSONResponse"]


class WireJSONResponse(JSONResponse):
    def render(self, content: Any) -> bytes:
        return encode_json(content)
