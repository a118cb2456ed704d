"""@carpool.render in the page: blocks built per run, their listeners, State-driven runs, kept values."""

from __future__ import annotations

from typing import Any

import pytest
from browser_session import Web
from browser_support import button, field
from playwright.sync_api import expect

import carpool as cp

pytestmark = pytest.mark.browser


def test_boxes_rendered_from_a_state_merge_through_a_static_button_and_keep_their_values(web: Web) -> None:
    with cp.Blocks() as demo:
        count = cp.State(1)
        cp.Button("Add Box").click(lambda n: n + 1, count, count)

        @cp.render(inputs=count)
        def boxes(n: int) -> None:
            made = [cp.Textbox(key=i, label=f"Box {i}") for i in range(n)]
            merge.click(lambda *texts: " ".join(texts), made, output)

        merge = cp.Button("Merge")
        output = cp.Textbox(label="Merged")
    page = web.page(web.launch(demo))

    field(page, "Box 0").fill("hello")
    button(page, "Add Box").click()
    expect(field(page, "Box 1")).to_be_visible()
    expect(field(page, "Box 0")).to_have_value("hello")  # same key: the value survives the new run
    field(page, "Box 1").fill("world")
    button(page, "Merge").click()
    expect(field(page, "Merged")).to_have_value("hello world")


def test_a_render_follows_its_input_and_its_own_listeners_work(web: Web) -> None:
    with cp.Blocks() as demo:
        text = cp.Textbox(label="Input")

        @cp.render(inputs=text)
        def letters(value: str | None) -> None:
            if not value:
                cp.Markdown("No input")
                return
            for index, letter in enumerate(value):
                with cp.Row():
                    box = cp.Textbox(letter, label=f"Letter {index}")
                    cp.Button(f"Clear {index}").click(lambda: cp.Textbox(value=""), None, box)

    page = web.page(web.launch(demo))
    expect(page.get_by_text("No input")).to_be_visible()
    field(page, "Input").fill("ab")
    expect(field(page, "Letter 1")).to_have_value("b")
    expect(page.get_by_text("No input")).to_have_count(0)
    button(page, "Clear 1").click()
    expect(field(page, "Letter 1")).to_have_value("")
    expect(field(page, "Letter 0")).to_have_value("a")


def test_a_state_changed_in_place_renders_again(web: Web) -> None:
    with cp.Blocks() as demo:
        tasks = cp.State([])
        name = cp.Textbox(label="Task")
        name.submit(
            lambda items, new: ([*items, {"name": new, "done": False}], ""), [tasks, name], [tasks, name]
        )

        @cp.render(inputs=tasks)
        def todo(items: list[dict[str, Any]]) -> None:
            open_ = [task for task in items if not task["done"]]
            cp.Markdown(f"Open: {len(open_)}")
            for task in open_:

                def finish(task: dict[str, Any] = task) -> list[dict[str, Any]]:
                    task["done"] = True  # changes the State's list in place, as Gradio's todo demo does
                    return items

                cp.Button(f"Done {task['name']}").click(finish, None, tasks)

    page = web.page(web.launch(demo))
    field(page, "Task").fill("milk")
    field(page, "Task").press("Enter")
    expect(page.get_by_text("Open: 1")).to_be_visible()
    button(page, "Done milk").click()
    expect(page.get_by_text("Open: 0")).to_be_visible()
