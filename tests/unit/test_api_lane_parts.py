"""The parts of an API call's hot path that are worked out once or done lazily, and must stay exact."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from carpool.app import Blocks, SessionState
from carpool.components import Button, Image, Number, State, Textbox
from carpool.exceptions import InvalidInputError, UnknownEndpointError
from carpool.protocol import encode_json
from carpool.server._body_timeout import BodyTimeout
from carpool.server._connections import WATCH_DISCONNECT_AFTER, DisconnectWatch
from carpool.server._errors import HTTPError
from carpool.server._json import answer_json
from carpool.server._processing import needs_file_store
from carpool.server._requests import EventHeaders, read_json_body, scope_context
from carpool.server._state import ApiEndpoints


class _Job:
    def __init__(self) -> None:
        self.cancelled = 0

    def cancel(self) -> bool:
        self.cancelled += 1
        return True


async def test_a_call_answered_quickly_is_never_watched() -> None:
    reads = 0

    async def receive() -> dict[str, Any]:
        nonlocal reads
        reads += 1
        await asyncio.Event().wait()  # the client never leaves
        return {}

    watch = DisconnectWatch()
    jobs = (_Job(),)
    watch.add(receive, jobs)
    await asyncio.sleep(WATCH_DISCONNECT_AFTER / 4)
    assert watch.discard(jobs) is False
    await asyncio.sleep(WATCH_DISCONNECT_AFTER * 2)
    assert reads == 0 and jobs[0].cancelled == 0


async def test_a_call_still_waiting_has_its_jobs_cancelled_when_its_client_leaves() -> None:
    left = asyncio.Event()

    async def receive() -> dict[str, Any]:
        await left.wait()
        return {"type": "http.disconnect"}

    watch = DisconnectWatch()
    jobs = (_Job(), _Job())
    watch.add(receive, jobs)
    await asyncio.sleep(WATCH_DISCONNECT_AFTER * 1.5)  # watched by now
    left.set()
    for _ in range(200):
        if jobs[0].cancelled:
            break
        await asyncio.sleep(0.01)
    assert watch.discard(jobs) is True
    assert [job.cancelled for job in jobs] == [1, 1]


async def test_a_watched_call_answered_before_its_client_leaves_stops_being_watched() -> None:
    reads: list[asyncio.Future[None]] = []

    async def receive() -> dict[str, Any]:
        waiter = asyncio.get_running_loop().create_future()
        reads.append(waiter)
        await waiter
        return {"type": "http.disconnect"}

    watch = DisconnectWatch()
    jobs = (_Job(),)
    watch.add(receive, jobs)
    await asyncio.sleep(WATCH_DISCONNECT_AFTER * 1.5)
    assert len(reads) == 1  # its watcher waits for the disconnect
    assert watch.discard(jobs) is False
    await asyncio.sleep(0)
    assert reads[0].cancelled() and jobs[0].cancelled == 0


def _app() -> Blocks:
    with Blocks() as demo:
        box, out = Textbox(), Textbox()
        Button("Go").click(lambda text: text, box, out, api_name="echo")
    return demo


def test_an_endpoint_is_found_under_every_spelling_and_unknown_names_keep_failing() -> None:
    demo, endpoints = _app(), ApiEndpoints()
    assert endpoints.get(demo, "echo").dependency is endpoints.get(demo, "/echo").dependency
    assert endpoints.get(demo, "echo").listener_id == "echo"
    for _ in range(2):
        with pytest.raises(UnknownEndpointError):
            endpoints.get(demo, "nope")


def test_endpoints_are_looked_up_again_when_the_app_gains_dependencies() -> None:
    demo, endpoints = _app(), ApiEndpoints()
    first = endpoints.get(demo, "echo")
    with demo:
        Button("Again").click(lambda text: text, Textbox(), Textbox(), api_name="again")
    assert endpoints.get(demo, "again").listener_id == "again"
    assert endpoints.get(demo, "echo").dependency is first.dependency


def test_only_plain_data_components_skip_the_file_store() -> None:
    class Shouting(Textbox):
        def postprocess(self, value: Any) -> str | None:
            return str(value).upper()

    with Blocks():
        text, number, image, loud = Textbox(), Number(), Image(), Shouting()
        plain = Button("a").click(lambda t, n: t, [text, number], text)
        media = Button("b").click(lambda t: t, text, image)
        subclassed = Button("c").click(lambda t: t, text, loud)
    assert not needs_file_store(plain)
    assert needs_file_store(media) and needs_file_store(subclassed)


def test_inputs_convert_naming_the_one_that_failed_and_state_comes_from_the_session() -> None:
    with Blocks():
        name, count, memory = Textbox(label="name"), Number(label="count"), State(7)
        dep = Button("go").click(lambda n, c, m: n, [name, memory, count], name)
    session = SessionState()
    assert dep.preprocess(["ada", 3], session) == ["ada", 7, 3]  # the State input left out
    with pytest.raises(InvalidInputError) as failure:
        dep.preprocess(["ada", None, "three"], session)
    assert failure.value.parameter == "count"


def test_event_headers_decode_when_read_and_the_last_of_a_repeated_name_wins() -> None:
    raw = [(b"host", b"localhost"), (b"x-tag", b"one"), (b"x-tag", b"caf\xe9")]
    scope = {"type": "http", "headers": raw, "client": ("10.0.0.1", 5), "query_string": b"a=1&b="}
    context = scope_context(scope, "s1")
    headers = context["headers"]
    assert isinstance(headers, EventHeaders) and headers._decoded is None
    assert headers == {"host": "localhost", "x-tag": "café"} and len(headers) == 2
    assert context["query_params"] == {"a": "1", "b": ""} and context["client"] == ("10.0.0.1", 5)
    assert context["session_hash"] == "s1" and context["username"] is None


async def _read(body: bytes) -> Any:
    messages: list[dict[str, Any]] = [
        {"type": "http.request", "body": body[:3], "more_body": True},
        {"type": "http.request", "body": body[3:]},
    ]

    async def receive() -> dict[str, Any]:
        return messages.pop(0)

    scope = {"type": "http", "headers": [(b"content-length", str(len(body)).encode())]}
    return await read_json_body(scope, receive, 1 << 20)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "utf-32-le"])
async def test_a_body_reads_as_json_loads_reads_it(encoding: str) -> None:
    text = json.dumps({"data": ["héllo", 1.5, None]}, ensure_ascii=False)
    assert await _read(text.encode(encoding)) == json.loads(text)


async def test_bad_bodies_are_refused_as_before() -> None:
    with pytest.raises(HTTPError) as not_utf8:
        await _read(b'{"data": ["\xff\xfe"]}')
    assert not_utf8.value.status == 400
    with pytest.raises(InvalidInputError):
        await _read(b'{"data": ["\\ud800"]}')


def _timed_receive(timeout: float, receive: Any) -> Any:
    scope = {"type": "http", "headers": [(b"content-length", b"5")]}
    return BodyTimeout(app=None, timeout=timeout).timed(scope, receive)  # type: ignore[arg-type]


async def test_a_body_read_that_waits_gets_its_message_and_one_that_does_not_is_not_timed() -> None:
    arrived = asyncio.Event()

    async def at_once() -> dict[str, Any]:
        return {"type": "http.request", "body": b"hello"}

    async def after_a_while() -> dict[str, Any]:
        await arrived.wait()
        await asyncio.sleep(0)  # a second wait: the task keeps driving the read
        return {"type": "http.request", "body": b"hello"}

    ready = _timed_receive(30.0, at_once)
    assert (await ready())["body"] == b"hello"
    assert ready._sweeper._timer is None  # never registered: no sweep was even armed
    waiting = _timed_receive(30.0, after_a_while)
    read = asyncio.ensure_future(waiting())
    await asyncio.sleep(0.01)
    assert waiting._sweeper.waiting  # timed while it waits
    arrived.set()
    assert (await read)["body"] == b"hello" and not waiting._sweeper.waiting


async def test_a_body_read_that_waits_past_its_deadline_is_a_408_and_a_cancelled_one_is_cancelled() -> None:
    async def never() -> dict[str, Any]:
        await asyncio.Event().wait()
        return {}

    with pytest.raises(HTTPError) as late:
        await asyncio.wait_for(_timed_receive(0.3, never)(), 5)
    assert late.value.status == 408
    read = asyncio.ensure_future(_timed_receive(30.0, never)())
    await asyncio.sleep(0.01)
    read.cancel()
    with pytest.raises(asyncio.CancelledError):
        await read


def test_text_only_dependencies_convert_as_their_textboxes_do() -> None:
    with Blocks():
        a, b, c = Textbox(label="a"), Textbox(label="b"), Textbox()
        pair = Button("go").click(lambda x, y: (x, y), [a, b], [b, c])
        limited = Button("go").click(lambda x: x, Textbox(max_length=2), c)
    session = SessionState()
    assert pair.text_only and not limited.text_only
    assert pair.preprocess(["x", None], session) == ["x", None]
    with pytest.raises(InvalidInputError) as not_text:
        pair.preprocess(["x", 3], session)
    assert not_text.value.parameter == "b"
    assert pair.postprocess(("x", "y"), session) == ["x", "y"]
    assert pair.postprocess(("x", 3), session) == ["x", "3"]  # numbers shown as text, as before
    assert pair.postprocess(("x", None), session) == ["x", None]
    with pytest.raises(ValueError):
        pair.postprocess("x", session)  # two outputs need two values


@pytest.mark.parametrize(
    "output",
    [
        ['héllo "quoted" \\ back\nslash\t\x01'],
        ["a", None, "😀"],
        [],
        ["lone \ud800 surrogate"],
        ["text", 3, {"k": [1.5, float("nan")]}],
    ],
)
def test_an_answer_is_written_as_the_protocol_encodes_it(output: list[Any]) -> None:
    assert answer_json(output) == encode_json({"data": output})


@pytest.mark.parametrize("body", [b'{"data": []} x', b"{", b'{"data": [1]}\x0b', b"{} {}"])
async def test_a_body_with_more_or_less_than_one_json_value_is_a_400(body: bytes) -> None:
    with pytest.raises(HTTPError) as refused:
        await _read(body)
    assert refused.value.status == 400


async def test_whitespace_around_the_value_is_fine() -> None:
    assert await _read(b'{"data": [1]} \r\n\t') == {"data": [1]}
