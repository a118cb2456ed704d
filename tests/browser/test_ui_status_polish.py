"""What the page says about runs (issue 12, item 17): the whole wait, a Stop button that is neutral when
nothing runs, failures that are always shown, cleared by Clear and never stacked, and a tab strip that
shows it scrolls on a phone."""

from __future__ import annotations

import re

import pytest
from browser_session import Web
from browser_support import button, field, status
from playwright.sync_api import expect

import carpool as cp

pytestmark = pytest.mark.browser


def test_done_shows_the_whole_wait_including_the_time_queued(web: Web) -> None:
    first_call = web.gate()
    calls: list[str] = []

    def echo(text: str) -> str:
        calls.append(text)
        if len(calls) == 1:
            first_call.hold()
        return text

    with cp.Blocks() as demo:
        text, out = cp.Textbox(label="In"), cp.Textbox(label="Out")
        run = cp.Button("Run").click(echo, text, out, concurrency_limit=1)
    url = web.launch(demo.queue())
    first, second = web.page(url), web.page(url)
    field(first, "In").fill("a")
    button(first, "Run").click()
    assert first_call.entered.wait(10)
    field(second, "In").fill("b")
    button(second, "Run").click()
    expect(status(second, run.index)).to_have_attribute("data-state", "queued")
    second.wait_for_timeout(300)  # it waits in the queue at least this long
    first_call.open()
    expect(status(second, run.index)).to_have_text(re.compile(r"^done \S+s · \S+s queued$"))
    # the first ran at once: at most a moment queued (shown when a busy machine makes it visible)
    expect(status(first, run.index)).to_have_text(re.compile(r"^done \S+s( · \S+s queued)?$"))
    assert queued_seconds(status(first, run.index).inner_text()) < queued_seconds(
        status(second, run.index).inner_text()
    )


def queued_seconds(shown: str) -> float:
    found = re.search(r"· ([\d.]+)s queued", shown)
    return float(found.group(1)) if found else 0.0


def test_the_stop_button_is_neutral_and_disabled_while_nothing_runs(web: Web) -> None:
    gate = web.gate()

    def slow(text: str) -> str:
        gate.hold()
        return text

    demo = cp.Interface(slow, "textbox", "textbox")
    page = web.page(web.launch(demo.queue()))
    stop = button(page, "Stop")
    expect(stop).to_be_disabled()
    red = stop.evaluate("(el) => getComputedStyle(el).backgroundColor")
    page.get_by_role("textbox").first.fill("x")
    button(page, "Submit").click()
    expect(stop).to_be_enabled()
    assert stop.evaluate("(el) => getComputedStyle(el).backgroundColor") != red  # the stop colour now
    stop.click()
    expect(stop).to_be_disabled()
    gate.open()


def test_an_error_is_cleared_by_clear_and_two_failures_show_one_message(web: Web) -> None:
    def fail_one(text: str) -> str:
        raise cp.Error(f"first failed on {text}")

    def fail_two(text: str) -> str:
        raise cp.Error(f"second failed on {text}")

    with cp.Blocks() as demo:
        text, out = cp.Textbox(label="In"), cp.Textbox(label="Out")
        one = cp.Button("One").click(fail_one, text, out)
        two = cp.Button("Two").click(fail_two, text, out)
        cp.ClearButton([text, out])
    page = web.page(web.launch(demo.queue()))
    field(page, "In").fill("x")
    button(page, "One").click()
    expect(status(page, one.index)).to_have_text("error first failed on x")
    button(page, "Two").click()
    expect(status(page, two.index)).to_have_text("error second failed on x")
    expect(page.locator('[data-state="error"]:visible')).to_have_count(1)
    button(page, "Clear").click()
    expect(page.locator('[data-state="error"]:visible')).to_have_count(0)


def test_interface_clear_retires_the_error_and_hidden_progress_still_shows_failures(web: Web) -> None:
    def picky(text: str) -> str:
        raise cp.Error("Please type a shorter word.")

    demo = cp.Interface(picky, "textbox", "textbox")
    page = web.page(web.launch(demo.queue()))
    page.get_by_role("textbox").first.fill("antidisestablishment")
    button(page, "Submit").click()
    failure = status(page, demo.submit_dependency.index)
    expect(failure).to_have_text("error Please type a shorter word.")
    button(page, "Clear").click()  # the Interface's own Clear: a listener that resets the outputs
    expect(failure).to_be_hidden()

    with cp.Blocks() as quiet:
        text, out = cp.Textbox(label="In"), cp.Textbox(label="Out")
        run = cp.Button("Run").click(picky, text, out, show_progress="hidden")
    page = web.page(web.launch(quiet.queue()))
    button(page, "Run").click()
    failure = status(page, run.index)
    expect(failure).to_have_text("error Please type a shorter word.")
    expect(failure).to_be_visible()  # show_progress="hidden" hides progress, not the message
    assert not failure.evaluate("(el) => el.classList.contains('cp-sr-only')")


def test_a_tab_strip_too_wide_for_a_phone_fades_at_the_edge_that_hides_tabs(web: Web) -> None:
    with cp.Blocks() as demo, cp.Tabs():
        for index in range(10):
            with cp.Tab(f"Section number {index}"):
                cp.Markdown(f"content {index}")
    page = web.page(web.launch(demo), viewport={"width": 375, "height": 700})
    strip = page.get_by_role("tablist")
    expect(strip).to_have_class(re.compile(r"\bcp-more-after\b"))
    expect(strip).not_to_have_class(re.compile(r"\bcp-more-before\b"))
    page.get_by_role("tab", name="Section number 9").click()  # scrolled into view at the far end
    expect(strip).to_have_class(re.compile(r"\bcp-more-before\b"))
    expect(strip).not_to_have_class(re.compile(r"\bcp-more-after\b"))
    with cp.Blocks() as few, cp.Tabs():
        for name in ("A", "B"):
            with cp.Tab(name):
                cp.Markdown(name)
    fits = web.page(web.launch(few), viewport={"width": 375, "height": 700})
    expect(fits.get_by_role("tablist")).not_to_have_class(re.compile(r"cp-more"))
