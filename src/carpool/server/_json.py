"""JSON responses as the protocol writes them (``carpool.protocol.encode_json``).

Starlette's ``JSONResponse`` refuses NaN (a 500 for a model that returned one) and cannot encode a lone
surrogate; the protocol's encoder sends ``null`` and an escape instead, so every answer a function
produces reaches the client as JSON a strict parser accepts.
"""

from __future__ import annotations

from json.encoder import encode_basestring
from typing import Any

from starlette.responses import JSONResponse, Response
from starlette.types import Send

from carpool.protocol import encode_json

__all__ = ["JSONAnswer", "WireJSONResponse", "answer_json", "send_json_answer"]


class WireJSONResponse(JSONResponse):
    def render(self, content: Any) -> bytes:
        return encode_json(content)


_JSON_TYPE = (b"content-type", b"application/json")


def answer_json(output: list[Any]) -> bytes:
    """``{"data": output}`` as :func:`encode_json` writes it; an output of strings written directly.

    The answer of a text function is a list of strings, and the encoder's own set-up costs several
    times more than escaping them (``encode_basestring`` is the encoder's own escaping, in C).
    """
    parts = []
    for value in output:
        if type(value) is str:
            parts.append(encode_basestring(value))
        elif value is None:
            parts.append("null")
        else:
            return encode_json({"data": output})
    try:
        return ('{"data":[' + ",".join(parts) + "]}").encode()
    except UnicodeEncodeError:  # a lone surrogate, which the protocol sends escaped
        return encode_json({"data": output})


def _answer_headers(body: bytes) -> list[tuple[bytes, bytes]]:
    return [(b"content-length", b"%d" % len(body)), _JSON_TYPE]


class JSONAnswer(Response):
    """A 200 answer of ``content`` as protocol JSON, built without ``Response.__init__``'s header logic.

    The hot path of an API call: two headers, known up front, and nothing a caller can pass in.
    """

    media_type = "application/json"

    def __init__(self, content: Any) -> None:  # super().__init__ is what this skips, on purpose
        self.status_code = 200
        self.background = None
        self.body = encode_json(content)
        self.raw_headers = _answer_headers(self.body)

    @classmethod
    def of_body(cls, body: bytes) -> JSONAnswer:
        """The answer whose JSON is already encoded."""
        answer = cls.__new__(cls)
        answer.status_code, answer.background, answer.body = 200, None, body
        answer.raw_headers = _answer_headers(body)
        return answer


async def send_json_answer(send: Send, body: bytes) -> None:
    """Send a 200 whose body is ``body`` (encoded JSON) as two raw ASGI messages: no Response object."""
    await send({"type": "http.response.start", "status": 200, "headers": _answer_headers(body)})
    await send({"type": "http.response.body", "body": body})
