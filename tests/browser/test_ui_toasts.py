"""carpool.Info / Warning / Success and raised carpool.Error appear in the page as toasts."""

from __future__ import annotations

import pytest
from browser_session import Web
from browser_support import BatchRecorder, button, field, luminance
from playwright.sync_api import expect

import carpool as cp

pytestmark = pytest.mark.browser


def test_notes_of_a_batched_function_reach_every_page_of_the_batch(web: Web) -> None:
    recorder = BatchRecorder()
    gate = web.gate()

    def shout(texts: list[str]) -> list[list[str]]:
        recorder.record(texts)
        if len(recorder.calls) == 1:
            gate.hold()  # the first call waits, so the next two pages' events form one batch
        cp.Info(f"batch of {len(texts)}", title="Batched")
        cp.Warning("**careful**", duration=None)
        return [[t.upper() for t in texts]]

    with cp.Blocks() as demo:
        text = cp.Textbox(label="text")
        out = cp.Textbox(label="out")
        cp.Button("Shout").click(shout, text, out, batch=True, max_batch_size=4)
    url = web.launch(demo)
    first = web.page(url)
    field(first, "text").fill("warm")
    button(first, "Shout").click()
    assert gate.entered.wait(30)
    pages = [web.page(url), web.page(url)]
    for page, word in zip(pages, ("a", "b"), strict=True):
        field(page, "text").fill(word)
        button(page, "Shout").click()
    expect(pages[1].get_by_test_id("status-0")).to_have_attribute("data-state", "queued")
    gate.open()
    for page, word in zip(pages, ("A", "B"), strict=True):
        expect(field(page, "out")).to_have_value(word)
        info = page.locator('[data-testid="toast"][data-level="info"]')
        expect(info).to_contain_text("Batched")
        expect(info).to_contain_text("batch of 2")
        warning = page.locator('[data-testid="toast"][data-level="warning"]')
        expect(warning.locator("strong", has_text="careful")).to_be_visible()  # HTML/Markdown rendered
        warning.get_by_role("button", name="Close").click()  # duration=None: stays until closed
        expect(warning).to_have_count(0)
    assert recorder.sizes == [1, 2]


def test_an_error_is_a_toast_with_its_title_and_closes_after_its_duration(web: Web) -> None:
    def divide(a: float, b: float) -> float:
        if b == 0:
            raise cp.Error("Cannot divide by zero!", duration=1, title="Maths")
        return a / b

    with cp.Blocks() as demo:
        a, b, out = cp.Number(1, label="a"), cp.Number(0, label="b"), cp.Number(label="out")
        cp.Button("Divide").click(divide, [a, b], out)
    page = web.page(web.launch(demo))
    button(page, "Divide").click()
    toast = page.locator('[data-testid="toast"][data-level="error"]')
    expect(toast).to_contain_text("Maths")
    expect(toast).to_contain_text("Cannot divide by zero!")
    expect(page.get_by_test_id("status-0")).to_have_attribute("data-state", "error")
    expect(toast).to_have_count(0, timeout=10_000)  # duration=1 s


def test_a_hidden_error_shows_no_toast_but_its_status(web: Web) -> None:
    def fail() -> str:
        raise cp.Error("quiet", visible=False)

    with cp.Blocks() as demo:
        out = cp.Textbox(label="out")
        cp.Button("Go").click(fail, None, out)
    page = web.page(web.launch(demo))
    button(page, "Go").click()
    expect(page.get_by_test_id("status-0")).to_have_attribute("data-state", "error")
    expect(page.get_by_test_id("toast")).to_have_count(0)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_toasts_fit_a_phone_in_both_colour_schemes(web: Web, scheme: str) -> None:
    def note() -> str:
        cp.Success("saved, " + "long text " * 20)
        return "ok"

    with cp.Blocks() as demo:
        out = cp.Textbox(label="out")
        cp.Button("Save").click(note, None, out)
    page = web.page(web.launch(demo), viewport={"width": 390, "height": 740}, color_scheme=scheme)
    button(page, "Save").click()
    toast = page.locator('[data-testid="toast"][data-level="success"]')
    expect(toast).to_be_visible()
    box = toast.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    background = luminance(toast.evaluate("(el) => getComputedStyle(el).backgroundColor"))
    assert (background > 0.5) if scheme == "light" else (background < 0.3)
