"""@carpool.render over the wire: routers are hidden from the API, a stale rendered call is a 422."""

from __future__ import annotations

from collections.abc import Callable

import httpx

import carpool as cp
from carpool.app._render import RenderRouter
from carpool.server import RunningServer


def test_routers_have_no_api_and_a_call_for_a_run_the_session_lacks_is_a_422(
    serve: Callable[..., RunningServer],
) -> None:
    with cp.Blocks() as demo:
        text = cp.Textbox(label="text")

        @cp.render(inputs=text)
        def letters(value: str | None) -> None:
            for letter in value or "":
                cp.Button(letter).click(lambda shown=letter: shown, None, text)

    server = serve(demo)
    info = httpx.get(f"{server.local_url}info", timeout=30).json()
    assert info["endpoints"] == {}  # neither the render listener nor its routers are API endpoints
    router = next(d for d in demo.dependencies if isinstance(d, RenderRouter))
    body = {"fn_index": router.index, "data": [{"run": 999, "listener": 0}], "session_hash": "s1"}
    response = httpx.post(f"{server.local_url}queue/join", json=body, timeout=30)
    assert response.status_code == 422, response.text
    assert "rendered again" in response.json()["error"]["message"]
