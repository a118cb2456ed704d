"""POST /queue/unload: the page left, so demo.unload listeners run and State delete callbacks get the
session's values (the session's State is then forgotten)."""

from __future__ import annotations

import threading
from collections.abc import Callable

import httpx

import carpool as cp
from carpool.server import RunningServer


def test_unload_runs_the_listeners_and_hands_each_state_value_to_its_delete_callback(
    serve: Callable[..., RunningServer], http: httpx.Client
) -> None:
    unloaded: list[str | None] = []
    deleted: list[object] = []
    done = threading.Event()

    def on_unload(request: cp.Request) -> None:
        unloaded.append(request.session_hash)
        done.set()

    with cp.Blocks() as demo:
        history = cp.State([], delete_callback=deleted.append)
        untouched = cp.State("never set", delete_callback=deleted.append)
        box = cp.Textbox()
        box.submit(lambda text, items: [*items, text], [box, history], history, api_name="remember")
        demo.unload(on_unload)
    assert untouched.delete_callback is not None
    url = serve(demo).local_url
    joined = http.post(
        f"{url}queue/join", json={"data": ["hi", None], "api_name": "remember", "session_hash": "s1"}
    )
    assert joined.status_code == 200
    with http.stream("GET", f"{url}queue/data", params={"session_hash": "s1"}) as stream:
        for line in stream.iter_lines():
            if "process_completed" in line:
                break

    answer = http.post(
        f"{url}queue/unload", content='{"session_hash": "s1"}', headers={"content-type": "text/plain"}
    )
    assert answer.status_code == 204
    assert done.wait(10)
    assert unloaded == ["s1"]
    assert deleted == [["hi"]]  # only the value the session held; a State it never set is not "deleted"
    again = http.post(f"{url}queue/unload", content='{"session_hash": "s1"}')
    assert again.status_code == 204 and deleted == [["hi"]]  # the session's values are gone


def test_an_unload_without_a_session_hash_is_a_400(
    serve: Callable[..., RunningServer], http: httpx.Client
) -> None:
    with cp.Blocks() as demo:
        cp.Textbox()
    url = serve(demo).local_url
    answer = http.post(f"{url}queue/unload", json=["not", "an", "object"])
    assert answer.status_code == 400
    assert answer.json()["error"]["type"] == "bad_request"
