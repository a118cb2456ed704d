"""ChatInterface and Chatbot in Chromium: a streamed reply grows token by token in one bubble, three tabs
are answered by one batched call, Stop keeps the partial answer and frees the slot, and the chat events
(like, retry, undo, edit, examples) carry their data to the functions.

Functions that must be mid-answer while the test looks wait on queues or gates the test controls, so
nothing depends on how fast this machine is.
"""

from __future__ import annotations

import asyncio
import queue
import re
import threading
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from browser_session import Web
from browser_support import BatchRecorder, button, luminance
from playwright.sync_api import Locator, Page, expect

import carpool as cp

pytestmark = pytest.mark.browser

DONE = object()


def chat_log(page: Page) -> Locator:
    return page.get_by_role("log", name="Chatbot")


def messages(page: Page) -> Locator:
    return chat_log(page).get_by_test_id("chat-message")


def message_box(page: Page) -> Locator:
    return page.get_by_role("textbox", name="Message")


def send(page: Page, text: str) -> None:
    message_box(page).fill(text)
    message_box(page).press("Enter")


def test_a_streamed_reply_grows_token_by_token_in_one_bubble_and_the_history_is_not_redrawn(web: Web) -> None:
    tokens: queue.Queue[Any] = queue.Queue()

    def stream(message: str, history: list[Any]) -> Iterator[str]:
        reply = ""
        while (token := tokens.get(timeout=30)) is not DONE:
            reply += token
            yield reply

    page = web.page(web.launch(cp.ChatInterface(stream)))
    tokens.put("First answer.")
    tokens.put(DONE)
    send(page, "one")
    expect(messages(page)).to_have_count(2)
    expect(messages(page).nth(1)).to_contain_text("First answer.")
    expect(message_box(page)).to_be_editable()
    # mark the DOM nodes shown now: a redraw would replace them
    chat_log(page).evaluate(
        "log => log.querySelectorAll('[data-testid=chat-message]').forEach(el => { el.__kept = true; })"
    )

    send(page, "two")
    expect(messages(page)).to_have_count(3)
    expect(messages(page).nth(2)).to_have_text("two Copy")
    # (token, what the bubble shows once it arrived: an unclosed ** stays literal until it closes)
    steps = [("Hel", "Hel"), ("lo", "Hello"), (" **wor", "Hello **wor"), ("ld**", "Hello world")]
    for number, (token, shown) in enumerate(steps):
        tokens.put(token)
        expect(messages(page)).to_have_count(4)
        expect(messages(page).nth(3).locator(".cp-msg-text")).to_have_text(shown)
        if number == 0:
            messages(page).nth(3).evaluate(
                "el => { el.__growing = true; el.querySelector('.cp-msg').__bubble = true; }"
            )
    assert (
        messages(page)
        .nth(3)
        .evaluate("el => el.__growing === true && el.querySelector('.cp-msg').__bubble === true")
    )
    expect(messages(page).nth(3).locator("strong")).to_have_text("world")  # Markdown, rendered as it grows
    assert messages(page).evaluate_all("els => els.slice(0, 2).every((el) => el.__kept === true)")
    expect(button(page, "Stop")).to_be_visible()
    tokens.put(DONE)
    expect(button(page, "Stop")).to_be_hidden()
    expect(button(page, "Send")).to_be_visible()


def test_three_tabs_chatting_at_once_are_answered_by_one_batched_call(web: Web) -> None:
    recorder = BatchRecorder()

    def answer_all(messages_: list[str], histories: list[list[Any]]) -> list[str]:
        recorder.record(messages_)
        return [f"batched reply to {m}" for m in messages_]

    # the slot waits (up to 20 s) until three chats are waiting: one call, however the tabs arrive
    demo = cp.ChatInterface(answer_all, batch=True, max_batch_size=3, batch_timeout=20)
    url = web.launch(demo)
    pages = [web.page(url) for _ in range(3)]
    for number, page in enumerate(pages):
        send(page, f"tab {number}")
    for number, page in enumerate(pages):
        expect(messages(page).nth(1)).to_contain_text(f"batched reply to tab {number}")
    assert recorder.sizes == [3]
    assert sorted(recorder.items) == ["tab 0", "tab 1", "tab 2"]


def test_stop_mid_answer_keeps_the_partial_answer_and_frees_the_slot(web: Web) -> None:
    closed = threading.Event()

    async def slow(message: str, history: list[Any]) -> AsyncIterator[str]:
        if message == "quick":
            yield f"quick answer after {len(history)} messages"
            return
        try:
            yield "a partial answer"
            await asyncio.sleep(120)  # only a cancellation ends it
            yield "never shown"
        finally:
            closed.set()

    page = web.page(web.launch(cp.ChatInterface(slow)))  # concurrency_limit 1: one answer at a time
    send(page, "long question")
    expect(messages(page).nth(1)).to_contain_text("a partial answer")
    expect(message_box(page)).not_to_be_editable()
    button(page, "Stop").click()
    assert closed.wait(10), "the answer's generator was not cancelled"
    expect(button(page, "Stop")).to_be_hidden()
    expect(message_box(page)).to_be_editable()
    expect(messages(page)).to_have_count(2)
    expect(messages(page).nth(1)).to_contain_text("a partial answer")

    send(page, "quick")  # the slot is free again, and the partial answer is part of the history
    expect(messages(page).nth(3)).to_contain_text("quick answer after 2 messages")


def test_retry_undo_and_edit_rerun_or_take_back_the_turn(web: Web) -> None:
    seen: list[tuple[str, int]] = []

    def answer(message: str, history: list[Any]) -> str:
        seen.append((message, len(history)))
        return f"answer {len(seen)} to {message}"

    page = web.page(web.launch(cp.ChatInterface(answer, editable=True)))
    send(page, "question")
    expect(messages(page).nth(1)).to_contain_text("answer 1 to question")
    button(page, "Retry").click()
    expect(messages(page).nth(1)).to_contain_text("answer 2 to question")
    expect(messages(page)).to_have_count(2)
    button(page, "Undo").click()
    expect(messages(page)).to_have_count(0)
    expect(message_box(page)).to_have_value("question")

    send(page, "typo")
    expect(messages(page).nth(1)).to_contain_text("answer 3 to typo")
    messages(page).nth(0).get_by_role("button", name="Edit message").click()
    page.get_by_role("textbox", name="Edit message").fill("fixed")
    button(page, "Save").click()
    expect(messages(page).nth(1)).to_contain_text("answer 4 to fixed")
    assert seen == [("question", 0), ("question", 0), ("typo", 0), ("fixed", 0)]


def test_an_example_in_the_chatbot_starts_the_conversation(web: Web) -> None:
    page = web.page(web.launch(cp.ChatInterface(lambda m, h: f"re: {m}", examples=["What is carpool?"])))
    page.get_by_test_id("chat-example").filter(has_text="What is carpool?").click()
    expect(messages(page).nth(1)).to_contain_text("re: What is carpool?")


def test_a_like_reaches_the_listener_as_like_data(web: Web) -> None:
    likes: list[tuple[Any, Any, Any]] = []
    liked = threading.Event()

    def on_like(data: cp.LikeData) -> None:
        likes.append((data.index, data.liked, type(data.target).__name__))
        liked.set()

    with cp.Blocks() as demo:
        chatbot = cp.Chatbot(
            [{"role": "user", "content": "hi"}, cp.ChatMessage("hello **there**")], label="Chatbot"
        )
        chatbot.like(on_like)
    page = web.page(web.launch(demo))
    expect(messages(page).nth(1).locator("strong")).to_have_text("there")
    expect(messages(page).nth(0).get_by_role("button", name="Like")).to_have_count(0)  # bot messages only
    messages(page).nth(1).get_by_role("button", name="Dislike").click()
    expect(messages(page).nth(1).get_by_role("button", name="Dislike")).to_have_attribute(
        "aria-pressed", "true"
    )
    assert liked.wait(10), "the like listener never ran"
    assert likes == [(1, False, "Chatbot")]


def test_thoughts_and_files_render_as_gradio_shows_them(web: Web, tmp_path: Any) -> None:
    picture = tmp_path / "dot.png"
    picture.write_bytes(
        bytes.fromhex(
            "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360f8cf"
            "c0f01f0005000201a5d4a3b50000000049454e44ae426082"
        )
    )
    value = [
        cp.ChatMessage("searching the web", metadata={"title": "🔧 Tool: search", "status": "pending"}),
        cp.ChatMessage("done thinking", metadata={"title": "Thought", "status": "done", "duration": 2.0}),
        {"role": "assistant", "content": {"path": str(picture), "alt_text": "a dot"}},
        {
            "role": "assistant",
            "content": "<script>window.__owned = 1</script>[click](javascript:alert(1)) safe",
        },
    ]
    with cp.Blocks() as demo:
        cp.Chatbot(value, label="Chatbot")
    page = web.page(web.launch(demo))
    pending, done = messages(page).nth(0).locator("details"), messages(page).nth(1).locator("details")
    expect(pending).to_have_attribute("open", "")
    expect(pending.locator(".cp-spinner")).to_have_count(1)
    expect(done).not_to_have_attribute("open", "")
    expect(done.locator("summary")).to_contain_text("Thought(2.0s)")
    expect(messages(page).nth(2).get_by_role("img", name="a dot")).to_be_visible()
    assert (
        messages(page)
        .nth(3)
        .locator("img")
        .evaluate_all("els => els.every((e) => !e.hasAttribute('onerror'))")
    )


def test_the_chat_reads_well_in_dark_mode_and_fits_a_phone(web: Web) -> None:
    demo = cp.ChatInterface(lambda m, h: "a reply that is long enough to wrap on a narrow phone screen " * 3)
    url = web.launch(demo)
    page = web.page(url, color_scheme="dark", viewport={"width": 390, "height": 800})
    send(page, "hello")
    expect(messages(page).nth(1)).to_contain_text("a reply that is long")
    bubble = messages(page).nth(1).locator(".cp-msg")
    colors = bubble.evaluate("el => [getComputedStyle(el).backgroundColor, getComputedStyle(el).color]")
    assert luminance(colors[0]) < 0.3 < luminance(colors[1])  # light text on a dark bubble
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")
    box = bubble.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390


def test_a_multimodal_message_uploads_its_file_and_the_function_reads_it(web: Web, tmp_path: Any) -> None:
    def describe(message: dict[str, Any], history: list[Any]) -> str:
        (path,) = message["files"]
        with open(path, encoding="utf-8") as f:
            return f"{message['text']}: {f.read()}"

    note = tmp_path / "note.txt"
    note.write_text("the file's words", encoding="utf-8")
    page = web.page(web.launch(cp.ChatInterface(describe, multimodal=True)))
    page.locator(".cp-type-multimodaltextbox:visible input[type=file]").set_input_files(str(note))
    expect(page.get_by_role("list", name="Attached files")).to_contain_text("note.txt")
    send(page, "read it")
    expect(messages(page).nth(0)).to_contain_text("note.txt")
    expect(messages(page).nth(1)).to_contain_text("read it: the file's words")
    expect(page.get_by_role("list", name="Attached files")).to_be_hidden()  # the box was emptied


def test_saved_history_keeps_conversations_in_the_browser(web: Web) -> None:
    url = web.launch(cp.ChatInterface(lambda m, h: f"re: {m}", save_history=True))
    page = web.page(url)
    send(page, "first chat")
    expect(messages(page).nth(1)).to_contain_text("re: first chat")
    button(page, "+ New chat").click()
    expect(messages(page)).to_have_count(0)
    send(page, "second chat")
    expect(messages(page).nth(1)).to_contain_text("re: second chat")
    saved = page.get_by_role("navigation", name="Saved conversations")
    expect(saved.get_by_role("button", name="first chat", exact=True)).to_be_visible()
    page.reload()
    saved.get_by_role("button", name="first chat", exact=True).click()
    expect(messages(page).nth(1)).to_contain_text("re: first chat")
    send(page, "more")  # the loaded conversation goes on from where it was
    expect(messages(page).nth(3)).to_contain_text("re: more")


def test_clicking_a_message_selects_it_for_a_select_listener(web: Web) -> None:
    picked: queue.Queue[tuple[Any, Any]] = queue.Queue()

    def on_select(data: cp.SelectData) -> None:
        picked.put((data.index, data.value))

    with cp.Blocks() as demo:
        chatbot = cp.Chatbot(
            [{"role": "user", "content": "first"}, {"role": "assistant", "content": "second"}]
        )
        chatbot.select(on_select)
    page = web.page(web.launch(demo))
    page.get_by_test_id("chat-message").nth(1).locator(".cp-msg").click()
    assert picked.get(timeout=10) == (1, "second")


def test_a_waiting_chat_shows_its_queue_position_in_the_chatbot(web: Web) -> None:
    gate = web.gate()

    def slow(message: str, history: list[Any]) -> str:
        if message == "first":
            gate.hold()
        return f"done {message}"

    url = web.launch(cp.ChatInterface(slow))
    first, second = web.page(url), web.page(url)
    send(first, "first")
    assert gate.entered.wait(10)
    send(second, "second")
    waiting = second.locator(".cp-type-chatbot:visible").locator('[data-state="queued"]')
    expect(waiting).to_have_text(re.compile(r"^queued 1/1"))
    gate.open()
    expect(messages(second).nth(1)).to_contain_text("done second")


def test_a_chat_interface_rendered_into_blocks_chats_in_the_page_and_over_the_api(web: Web) -> None:
    from gradio_client import Client

    def echo(message: str, history: list[Any]) -> str:
        return f"echo {message} after {len(history)}"

    chat = cp.ChatInterface(echo)  # built outside, as Gradio apps do, then placed with .render()
    with cp.Blocks() as demo:
        cp.Markdown("# Host app")
        chat.render()
    url = web.launch(demo)
    page = web.page(url)
    expect(page.get_by_text("Host app")).to_be_visible()
    send(page, "hi")
    expect(messages(page).nth(1)).to_contain_text("echo hi after 0")
    send(page, "again")
    expect(messages(page).nth(3)).to_contain_text("echo again after 2")
    client = Client(url, verbose=False)
    try:
        assert client.predict("api", api_name="/chat") == "echo api after 0"
    finally:
        client.close()
