"""``POST /api/...`` answered by the fast lane (server/_api_fast.py) as the route answered it."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx

from carpool.app import Blocks
from carpool.components import Button, Textbox
from carpool.server import RunningServer


def echo_app() -> Blocks:
    def shout(text: str) -> str:
        return text.upper()

    with Blocks() as demo:
        box, out = Textbox(), Textbox()
        Button("Shout").click(shout, box, out, api_name="shout")
    return demo


def test_an_api_answer_is_compact_json_with_its_length(
    serve: Callable[..., RunningServer], http: httpx.Client
) -> None:
    url = serve(echo_app()).local_url
    response = http.post(url + "api/shout", json={"data": ["héllo"]})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert int(response.headers["content-length"]) == len(response.content)
    assert (
        response.content
        == json.dumps({"data": ["HÉLLO"]}, ensure_ascii=False, separators=(",", ":")).encode()
    )


def test_errors_in_the_lane_are_the_protocol_errors(
    serve: Callable[..., RunningServer], http: httpx.Client
) -> None:
    url = serve(echo_app()).local_url
    unknown = http.post(url + "api/nope", json={"data": ["x"]})
    assert unknown.status_code == 404 and unknown.json()["error"]["type"] == "unknown_endpoint"
    not_json = http.post(url + "api/shout", content=b"{", headers={"content-type": "application/json"})
    assert not_json.status_code == 400 and not_json.json()["error"]["type"] == "bad_request"
    no_name = http.post(url + "api/", json={"data": ["x"]})
    assert no_name.status_code == 404


def test_other_methods_and_paths_still_reach_the_router(
    serve: Callable[..., RunningServer], http: httpx.Client
) -> None:
    url = serve(echo_app()).local_url
    assert http.get(url + "api/shout").status_code == 405  # the route allows POST only
    assert http.post(url + "apix/shout", json={"data": ["x"]}).status_code == 404
    assert http.get(url + "health").status_code == 200
