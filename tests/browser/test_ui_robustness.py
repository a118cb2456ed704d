"""The page when the server misbehaves: a reply it cannot read ends the event with a message, never a hang."""

from __future__ import annotations

import json

import pytest
from browser_session import Web
from browser_support import button, component, status
from playwright.sync_api import Page, Route, expect

import carpool as cp

pytestmark = pytest.mark.browser


def echo_app() -> tuple[cp.Blocks, int]:
    with cp.Blocks() as demo:
        text = cp.Textbox(label="In")
        out = cp.Textbox(label="Out")
        event = cp.Button("Go").click(lambda s: s, text, out)
    return demo.queue(), event.index


def serve_stream(page: Page, frames: list[str]) -> None:
    """The page's join answers event "e1"; its event stream carries ``frames`` as they are."""

    def join(route: Route) -> None:
        route.fulfill(status=200, content_type="application/json", body=json.dumps({"event_id": "e1"}))

    def stream(route: Route) -> None:
        body = "".join(f"data: {frame}\n\n" for frame in frames)
        route.fulfill(
            status=200, headers={"content-type": "text/event-stream", "cache-control": "no-cache"}, body=body
        )

    page.route("**/queue/join", join)
    page.route("**/queue/data*", stream)


@pytest.mark.parametrize(
    "bad_frame",
    [
        '{"msg":"process_completed","event_id":"e1","status":"completed","output":{"data":[NaN]}}',
        '{"msg":"process_completed", "truncated',
    ],
    ids=["NaN in an output", "no readable event id"],
)
def test_an_unreadable_frame_ends_the_event_with_a_message_instead_of_running_forever(
    web: Web, bad_frame: str
) -> None:
    demo, dependency_id = echo_app()
    url = web.launch(demo)
    page = web.page()
    serve_stream(page, ['{"msg":"process_starts","event_id":"e1","eta":null}', bad_frame])
    page.goto(url)
    page.wait_for_function("() => window.carpool && window.carpool.deps")
    button(page, "Go").click()
    expect(status(page, dependency_id)).to_have_attribute("data-state", "error")
    expect(status(page, dependency_id)).to_contain_text("cannot read")


def test_a_default_that_cannot_be_loaded_is_marked_and_the_rest_of_the_page_works(web: Web) -> None:
    with cp.Blocks() as demo:
        picture = cp.Image("/no/such/picture.png", label="Picture")
        text = cp.Textbox(label="In")
        out = cp.Textbox(label="Out")
        cp.Button("Go").click(lambda s: s.upper(), text, out)
    page = web.page(web.launch(demo.queue()))
    expect(component(page, picture.id).get_by_role("note")).to_contain_text("could not be loaded")
    page.get_by_label("In", exact=True).fill("works")
    button(page, "Go").click()
    expect(page.get_by_label("Out", exact=True)).to_have_value("WORKS")
