"""``functools.partial`` of a callable object whose ``__call__`` is async or a generator, end to end.

The engine and the app classify the function the same way (``carpool.core.callables``), so the
coroutine is awaited and the generator streamed over HTTP exactly as in a direct ``demo(...)`` call.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator

import httpx
from integration_support import assert_partials_of

import carpool as cp
from carpool.client import Client
from carpool.server import RunningServer


class Adder:
    async def __call__(self, x: float, n: float) -> float:
        return x + n


class Counter:
    def __call__(self, word: str, n: int) -> Iterator[str]:
        for i in range(n):
            yield f"{word}{i}"


def partial_objects_app() -> cp.Blocks:
    with cp.Blocks() as demo:
        number, total = cp.Number(), cp.Number()
        word, counted = cp.Textbox(), cp.Textbox()
        cp.Button("add").click(functools.partial(Adder(), n=1), number, total, api_name="add")
        cp.Button("count").click(functools.partial(Counter(), n=3), word, counted, api_name="count")
    return demo.queue()


def test_a_partial_of_an_async_callable_object_answers_over_http_as_it_does_directly(
    serve: Callable[..., RunningServer],
) -> None:
    demo = partial_objects_app()
    assert demo(2, api_name="add") == 3
    server = serve(demo)
    reply = httpx.post(f"{server.local_url}api/add", json={"data": [2]}, timeout=30)
    assert reply.status_code == 200, reply.text
    assert reply.json() == {"data": [3]}


def test_a_partial_of_a_generator_callable_object_streams(serve: Callable[..., RunningServer]) -> None:
    server = serve(partial_objects_app())
    info = httpx.get(f"{server.local_url}info", timeout=30).json()
    assert info["endpoints"]["count"]["generator"] is True
    with Client(server.local_url) as client:
        assert_partials_of(list(client.stream("w", api_name="/count")), ["w0", "w1", "w2"])
        assert client.predict("w", api_name="/count") == "w2"
