"""HTML with templates in the page: drawn from value and props, js_on_load events, server functions."""

from __future__ import annotations

import pytest
from browser_session import Web
from browser_support import component, field
from playwright.sync_api import expect

import carpool as cp

pytestmark = pytest.mark.browser

STARS = """
<p class='count'>${value} of ${max_stars}</p>
${Array.from({length: max_stars}, (_, i) => `<span class='star ${i < value ? "on" : "off"}'>*</span>`)
  .join('')}
<button class='send'>Send</button>
"""
ON_LOAD = """
element.querySelectorAll('.star').forEach((star, index) => {
  star.addEventListener('click', () => { props.value = index + 1; });
});
element.querySelector('.send').addEventListener('click', () => trigger('submit'));
document.addEventListener('keydown', (e) => trigger('keypress', {key: e.key}));
"""


def test_a_template_rerenders_from_props_and_its_events_reach_functions(web: Web) -> None:
    def shout(text: str) -> str:
        return text.upper()

    def pressed(data: cp.EventData) -> str:
        return str(data.key)

    with cp.Blocks() as demo:
        rating = cp.HTML(
            2,
            html_template=STARS,
            css_template=".on { color: rgb(255, 0, 0); }",
            js_on_load=ON_LOAD + "server.shout('hi').then((x) => { element.dataset.said = x; });",
            server_functions=[shout],
            max_stars=4,
        )
        sent = cp.Textbox(label="Sent")
        key = cp.Textbox(label="Key")
        rating.submit(lambda stars: f"{stars} stars", rating, sent)
        rating.keypress(pressed, None, key)  # an event the JavaScript fires
    page = web.page(web.launch(demo))

    box = component(page, rating.id)
    expect(box.locator(".count")).to_have_text("2 of 4")
    assert box.locator(".star.on").first.evaluate("el => getComputedStyle(el).color") == "rgb(255, 0, 0)"
    expect(box.locator(".cp-html-content")).to_have_attribute("data-said", "HI")  # a server function ran
    box.locator(".star").nth(2).click()
    expect(box.locator(".count")).to_have_text("3 of 4")
    box.locator(".send").click()
    expect(field(page, "Sent")).to_have_value("3 stars")
    page.keyboard.press("x")
    expect(field(page, "Key")).to_have_value("x")
