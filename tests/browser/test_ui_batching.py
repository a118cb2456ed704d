"""The seed's scenarios in real browser tabs: batching across tabs, cancelling, per-sample errors, ten tabs.

Every simulated person gets their own browser context, as separate people would; the ten-tab test puts
ten pages in ONE context on purpose, because that is where the browser's per-host connection limit bites.
Functions that must overlap in time wait on a gate the test opens once the browser shows what it should,
so the scenarios do not depend on how fast this machine happens to be.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

import pytest
from browser_session import Web
from browser_support import BatchRecorder, button, field, state_time, status, streams
from playwright.sync_api import Page, expect

import carpool as cp

pytestmark = pytest.mark.browser

SEED_SECONDS = 1.5  # the seed's model cost per call
QUEUED_WITH_POSITION = re.compile(r"^queued \d+/\d+")
TOGETHER_SECONDS = 0.75  # one batch's results reach every tab within this: delivery, not computing


def trimmed(words: list[str], lengths: list[float]) -> list[list[str]]:
    return [[word[: int(n)] for word, n in zip(words, lengths, strict=True)]]


def trim_words_app(fn: Callable[..., Any]) -> tuple[cp.Blocks, int]:
    """The seed's app: Word and Length in, Trimmed out, Run and Cancel; returns (app, Run's dependency)."""
    with cp.Blocks(title="trim_words") as demo:
        word = cp.Textbox(label="Word")
        length = cp.Number(label="Length", value=3, precision=0)
        out = cp.Textbox(label="Trimmed")
        run = cp.Button("Run", variant="primary")
        stop = cp.Button("Cancel", variant="stop")
        event = run.click(fn, [word, length], out, batch=True, max_batch_size=16, api_name="trim_words")
        stop.click(None, None, None, cancels=[event])
    return demo.queue(), event.index


def run_word(page: Page, word: str, length: int = 3) -> None:
    field(page, "Word").fill(word)
    field(page, "Length").fill(str(length))
    button(page, "Run").click()


def expect_done(page: Page, dependency_id: int, output: str) -> None:
    expect(status(page, dependency_id)).to_have_attribute("data-state", "done")
    expect(field(page, "Trimmed")).to_have_value(output)


def test_three_tabs_first_runs_alone_the_two_queued_behind_it_show_positions_and_finish_together_in_one_batch(
    web: Web,
) -> None:
    recorder, first_call = BatchRecorder(), web.gate()

    def trim_words(words: list[str], lengths: list[float]) -> list[list[str]]:
        if recorder.record(words) == 0:
            first_call.hold()  # until the other two tabs are queued behind it, however slow the machine
        time.sleep(SEED_SECONDS)
        return trimmed(words, lengths)

    demo, run = trim_words_app(trim_words)
    url = web.launch(demo)
    first, second, third = (web.page(url) for _ in range(3))

    run_word(first, "alpha", 1)
    assert first_call.entered.wait(10), "the first tab's request never reached the function"
    expect(status(first, run)).to_have_attribute("data-state", "running")
    run_word(second, "bravo", 2)
    run_word(third, "charlie", 3)
    # position (from 1) / queue size: the third tab waits behind the second
    expect(status(second, run)).to_have_text(re.compile(r"^queued 1/[12]\b"))
    expect(status(third, run)).to_have_text(re.compile(r"^queued 2/2\b"))
    first_call.open()

    expect_done(first, run, "a")
    expect_done(second, run, "br")
    expect_done(third, run, "cha")
    assert recorder.sizes == [1, 2]
    assert sorted(recorder.calls[1]) == ["bravo", "charlie"]
    done_first, done_second, done_third = (state_time(page, run, "done") for page in (first, second, third))
    assert min(done_second, done_third) - done_first > 0.8 * SEED_SECONDS, "the first did not finish alone"
    assert abs(done_second - done_third) < TOGETHER_SECONDS, "the batched pair did not finish together"


def test_cancelling_a_waiting_tab_means_it_never_runs_and_the_two_behind_it_move_up_and_finish_together(
    web: Web,
) -> None:
    recorder, first_call = BatchRecorder(), web.gate()

    def trim_words(words: list[str], lengths: list[float]) -> list[list[str]]:
        if recorder.record(words) == 0:
            first_call.hold()
        return trimmed(words, lengths)

    demo, run = trim_words_app(trim_words)
    url = web.launch(demo)
    pages = [web.page(url) for _ in range(4)]
    run_word(pages[0], "one")
    assert first_call.entered.wait(10)
    for page, word in zip(pages[1:], ["two", "three", "four"], strict=True):
        run_word(page, word)
    for page in pages[1:]:
        expect(status(page, run)).to_have_text(QUEUED_WITH_POSITION)

    expect(status(pages[3], run)).to_have_text(re.compile(r"^queued 3/3\b"))
    button(pages[1], "Cancel").click()
    expect(status(pages[1], run)).to_have_attribute("data-state", "cancelled")
    # the tabs behind the cancelled one see their positions move up while they still wait
    expect(status(pages[2], run)).to_have_text(re.compile(r"^queued 1/2\b"))
    expect(status(pages[3], run)).to_have_text(re.compile(r"^queued 2/2\b"))
    first_call.open()

    expect_done(pages[0], run, "one")
    expect_done(pages[2], run, "thr")
    expect_done(pages[3], run, "fou")
    assert recorder.calls[0] == ["one"]
    assert sorted(recorder.calls[1]) == ["four", "three"]
    assert "two" not in recorder.items, "the cancelled request reached the function"
    expect(status(pages[1], run)).to_have_text("cancelled")
    expect(field(pages[1], "Trimmed")).to_have_value("")
    together = abs(state_time(pages[2], run, "done") - state_time(pages[3], run, "done"))
    assert together < TOGETHER_SECONDS


def test_an_error_in_one_sample_of_a_batch_shows_only_in_that_tab(web: Web) -> None:
    recorder, first_call = BatchRecorder(), web.gate()

    def shout(words: list[str]) -> list[list[Any]]:
        if recorder.record(words) == 0:
            first_call.hold()  # so the good and the bad word meet in the next batch
        return [[word.upper() if word.isalpha() else cp.Error(f"{word!r} is not a word") for word in words]]

    demo = cp.Interface(
        shout, cp.Textbox(label="Word"), cp.Textbox(label="Shouted"), batch=True, max_batch_size=16
    )
    run = demo.submit_dependency.index
    url = web.launch(demo.queue())
    blocker, good, bad = (web.page(url) for _ in range(3))
    for page, word in ((blocker, "first"), (good, "hello"), (bad, "h3llo")):
        field(page, "Word").fill(word)
        button(page, "Submit").click()
        if page is blocker:
            assert first_call.entered.wait(10)
    for page in (good, bad):
        expect(status(page, run)).to_have_text(QUEUED_WITH_POSITION)
    first_call.open()

    expect(status(bad, run)).to_have_attribute("data-state", "error")
    expect(status(bad, run)).to_contain_text("'h3llo' is not a word")
    expect(field(bad, "Shouted")).to_have_value("")
    expect(status(good, run)).to_have_attribute("data-state", "done")
    expect(field(good, "Shouted")).to_have_value("HELLO")
    expect(good.get_by_text("is not a word")).to_have_count(0)
    expect(status(blocker, run)).to_have_attribute("data-state", "done")
    assert sorted(recorder.calls[1]) == ["h3llo", "hello"], "the two words were not in one batch"


def test_ten_tabs_of_one_browser_all_complete_each_holding_at_most_one_event_stream(web: Web) -> None:
    recorder = BatchRecorder()

    def trim_words(words: list[str], lengths: list[float]) -> list[list[str]]:
        recorder.record(words)
        time.sleep(0.2)  # long enough for requests from other tabs to pile up and share calls
        return trimmed(words, lengths)

    demo, run = trim_words_app(trim_words)
    url = web.launch(demo)
    browser_profile = web.context()  # ONE profile: its ~6 connections per host are shared by all tabs
    words = [f"tab{number:02d}x" for number in range(10)]
    pages: list[Page] = []
    for word in words:  # each tab loads while the earlier ones are running or done
        page = web.page(url, context=browser_profile)
        field(page, "Word").fill(word)
        field(page, "Length").fill("5")
        button(page, "Run").dispatch_event("click")  # a real click in a background tab waits for frames
        pages.append(page)

    for page, word in zip(pages, words, strict=True):
        expect_done(page, run, word[:5])
    assert sorted(recorder.items) == sorted(words)
    for page in pages:
        page.wait_for_function("() => __cpStreams.openNow() === 0")  # an idle page gives its stream back
        used = streams(page)
        assert used["opened"] >= 1
        assert used["maxOpen"] == 1, f"a page held {used['maxOpen']} event streams at once"
