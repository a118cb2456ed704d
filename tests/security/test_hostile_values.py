"""Values that are valid on one side of the wire and not on the other (issue 12, item 8).

NaN and infinities in an output go out as ``null`` (JSON has no spelling for them; Gradio sends null
too), a lone surrogate or a 400-digit integer sent in is a 422, a multipart body cut off before its
closing boundary stores nothing, and a client minting thousands of sessions churns its own ``State``
values, never another client's.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import httpx
import pytest
from reliability_support import AsgiDriver, EventStream

import carpool as cp
from carpool.server import create_app

NAN = float("nan")


def strict_json(data: bytes) -> Any:
    """What a browser's JSON.parse accepts: Python's NaN/Infinity extension refused."""

    def refuse(name: str) -> Any:
        raise ValueError(f"{name} is not JSON")

    return json.loads(data, parse_constant=refuse)


def values_app() -> cp.Blocks:
    with cp.Blocks() as demo:
        text = cp.Textbox()
        label = cp.Label()
        number = cp.Number()
        cp.Button("classify").click(
            lambda s: {"cat": NAN, "dog": float("inf")}, text, label, api_name="classify"
        )
        cp.Button("echo").click(lambda s: s, text, text, api_name="echo")
        cp.Button("twice").click(lambda n: n * 2, number, number, api_name="twice")
        cp.Button("error").click(
            lambda s: (_ for _ in ()).throw(cp.Error("bad \udc80 byte")), text, text, api_name="error"
        )
    return demo.queue()


async def test_nan_and_infinity_in_an_api_answer_are_null_not_a_500() -> None:
    driver = AsgiDriver(create_app(values_app()))
    async with driver.running():
        reply = await driver.request("POST", "/api/classify", json_body={"data": ["x"]})
    assert reply.status == 200, reply.body
    confidences = strict_json(reply.body)["data"][0]["confidences"]
    assert [entry["confidence"] for entry in confidences] == [None, None]


class RawEventStream(EventStream):
    """An event stream that also keeps every frame exactly as it came off the wire."""

    frames: list[bytes]

    async def _send(self, message: dict[str, Any]) -> None:
        body = message.get("body", b"")
        self.frames = [
            *getattr(self, "frames", []),
            *(line[6:] for line in body.split(b"\n") if line.startswith(b"data: ")),
        ]
        await super()._send(message)


async def test_a_lone_surrogate_in_an_error_message_is_escaped_not_a_500() -> None:
    driver = AsgiDriver(create_app(values_app()))
    async with driver.running():
        reply = await driver.request("POST", "/api/error", json_body={"data": ["x"]})
    assert reply.status == 500
    assert reply.headers["content-type"].startswith("application/json")
    assert strict_json(reply.body)["error"]["message"] == "bad \udc80 byte"


async def test_nan_on_the_event_stream_is_valid_json() -> None:
    driver = AsgiDriver(create_app(values_app()))
    async with driver.running():
        stream = RawEventStream(driver.app, "nan-session")
        await stream.opened.wait()
        joined = await driver.join("nan-session", "classify", ["x"])
        assert joined.status == 200
        final = (await stream.finals(1))[joined.json()["event_id"]]
        await stream.disconnect()
    assert final["status"] == "completed"
    completed = [strict_json(frame) for frame in stream.frames if b"process_completed" in frame]  # NaN raises
    confidences = completed[0]["output"]["data"][0]["confidences"]
    assert [entry["confidence"] for entry in confidences] == [None, None]


async def test_a_lone_surrogate_sent_in_is_422_not_500() -> None:
    driver = AsgiDriver(create_app(values_app()))
    body = b'{"data": ["abc\\ud800def"]}'
    paired = b'{"data": ["\\ud83d\\ude00"]}'  # a real pair (an emoji) is fine
    async with driver.running():
        lone = await driver.request(
            "POST", "/api/echo", body=body, headers=[("content-type", "application/json")]
        )
        pair = await driver.request(
            "POST", "/api/echo", body=paired, headers=[("content-type", "application/json")]
        )
        join = await driver.request(
            "POST",
            "/queue/join",
            body=b'{"data": ["\\udfff"], "api_name": "echo", "session_hash": "s1"}',
            headers=[("content-type", "application/json")],
        )
    assert lone.status == 422 and lone.json()["error"]["type"] == "invalid_input", lone.body
    assert "surrogate" in lone.json()["error"]["message"]
    assert pair.status == 200 and pair.json()["data"] == ["\U0001f600"]
    assert join.status == 422


@pytest.mark.parametrize("digits", ["9" * 400, "-" + "9" * 400])
async def test_a_400_digit_integer_into_number_is_422_not_500(digits: str) -> None:
    driver = AsgiDriver(create_app(values_app()))
    body = f'{{"data": [{digits}]}}'.encode()
    async with driver.running():
        reply = await driver.request(
            "POST", "/api/twice", body=body, headers=[("content-type", "application/json")]
        )
        small = await driver.request("POST", "/api/twice", json_body={"data": [10**20]})
    assert reply.status == 422 and reply.json()["error"]["type"] == "invalid_input", reply.body
    assert small.status == 200


BOUNDARY = "hostile-boundary"


def upload_app() -> cp.Blocks:
    with cp.Blocks() as demo:
        upload = cp.File()
        name = cp.Textbox()
        cp.Button("go").click(lambda path: str(path), upload, name)
    return demo


@pytest.mark.parametrize(
    "tail",
    [b"", b"\r\n", f"\r\n--{BOUNDARY}".encode(), f"\r\n--{BOUNDARY}-".encode()],
    ids=["no boundary", "CRLF only", "boundary without --", "one dash"],
)
async def test_a_multipart_body_without_its_closing_boundary_stores_nothing(tail: bytes) -> None:
    head = f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="files"; filename="cut.bin"\r\n\r\n'
    body = head.encode() + b"half of a file" + tail
    driver = AsgiDriver(create_app(upload_app()))
    async with driver.running():
        reply = await driver.request(
            "POST",
            "/upload",
            body=body,
            headers=[("content-type", f"multipart/form-data; boundary={BOUNDARY}")],
        )
        whole = await driver.request(
            "POST",
            "/upload",
            body=head.encode() + b"a whole file\r\n" + f"--{BOUNDARY}--\r\n".encode(),
            headers=[("content-type", f"multipart/form-data; boundary={BOUNDARY}")],
        )
        stored = len(driver.state.files)
    assert reply.status == 400 and "closing boundary" in reply.json()["error"]["message"], reply.body
    assert whole.status == 200 and stored == 1  # only the complete upload


def counter_app() -> cp.Blocks:
    def bump(count: int) -> tuple[int, int]:
        return count + 1, count + 1

    with cp.Blocks() as demo:
        count = cp.State(0)
        shown = cp.Number()
        cp.Button("bump").click(bump, count, [count, shown], api_name="bump")
    return demo.queue()


async def _bump(client: httpx.AsyncClient, session_hash: str) -> str:
    reply = await client.post(
        "/queue/join", json={"data": [], "api_name": "bump", "session_hash": session_hash}
    )
    assert reply.status_code == 200, reply.text
    return str(reply.json()["event_id"])


async def test_a_client_churning_sessions_evicts_its_own_state_not_another_clients() -> None:
    app = create_app(counter_app(), session_idle_timeout=0.05)
    state = app.state.carpool
    state.settings = dataclasses.replace(state.settings, max_sessions=50, max_sessions_per_client=20)
    driver = AsgiDriver(app)
    victim = httpx.AsyncClient(
        transport=httpx.ASGITransport(app, client=("10.0.0.1", 1)), base_url="http://127.0.0.1"
    )
    churner = httpx.AsyncClient(
        transport=httpx.ASGITransport(app, client=("10.0.0.2", 1)), base_url="http://127.0.0.1"
    )
    async with driver.running(), victim, churner:
        stream = EventStream(app, "victim")
        await stream.opened.wait()
        await _bump(victim, "victim")
        await stream.finals(1)
        await stream.disconnect()  # the victim's tab goes away for a moment: its State is idle now
        for index in range(300):
            await _bump(churner, f"churn-{index}")
        stream = EventStream(app, "victim")  # the tab comes back
        await stream.opened.wait()
        event_id = await _bump(victim, "victim")
        final = (await stream.finals(1))[event_id]
        await stream.disconnect()
    assert final["output"]["data"][1] == 2  # the victim's counter survived 300 foreign sessions
