"""App-level breadth seen in Gradio's demos: JSON's list indices, media input events, ..."""

from __future__ import annotations

import re
import threading
from pathlib import Path

import PIL.Image
import pytest
from browser_session import Web
from browser_support import button, component, field
from playwright.sync_api import expect

import carpool as cp

pytestmark = pytest.mark.browser


def test_json_with_show_indices_numbers_list_items_and_copies_plain_json(web: Web) -> None:
    with cp.Blocks() as demo:
        plain = cp.JSON({"a": [1]}, label="Plain")
        indexed = cp.JSON(label="Indexed", show_indices=True, buttons=[])
        cp.Button("Fill").click(lambda: {"scores": [0.5, {"x": [True]}]}, None, indexed)
    page = web.page(web.launch(demo))
    expect(component(page, plain.id).locator("pre")).to_have_text('{\n  "a": [\n    1\n  ]\n}')
    button(page, "Fill").click()
    shown = component(page, indexed.id)
    expect(shown.locator("pre")).to_contain_text(
        '"scores": [\n    0: 0.5,\n    1: {\n      "x": [\n        0: true'
    )
    expect(shown.get_by_role("button", name="Copy JSON")).to_be_hidden()


def test_uploading_or_clearing_media_is_an_input_event(web: Web, tmp_path: Path) -> None:
    PIL.Image.new("RGB", (4, 4), "red").save(tmp_path / "red.png")
    with cp.Blocks() as demo:
        photo = cp.Image(label="Photo")
        count = cp.Number(0, label="Inputs")
        photo.input(lambda image, n: n + 1, [photo, count], count)  # an input: the app takes uploads
    page = web.page(web.launch(demo))
    area = component(page, photo.id)
    area.locator("input[type=file]").set_input_files(str(tmp_path / "red.png"))
    expect(field(page, "Inputs")).to_have_value("1")
    area.get_by_role("button", name="Clear image").click()
    expect(field(page, "Inputs")).to_have_value("2")


def test_draggable_items_reorder_by_mouse_and_by_keyboard(web: Web) -> None:
    with cp.Blocks() as demo, cp.Draggable(orientation="column"):
        for name in ("One", "Two", "Three"):
            cp.Textbox(name, label=name)
    page = web.page(web.launch(demo))
    labels = page.locator(".cp-draggable > .cp-drag-item .cp-label")
    expect(labels).to_have_text(["One", "Two", "Three"])
    handles = page.get_by_role("button", name="Move this item (drag, or use the arrow keys)")
    handles.nth(0).focus()
    page.keyboard.press("ArrowDown")
    expect(labels).to_have_text(["Two", "One", "Three"])
    items = page.locator(".cp-draggable > .cp-drag-item")
    items.nth(2).drag_to(items.nth(0), target_position={"x": 20, "y": 5})
    expect(labels).to_have_text(["Three", "Two", "One"])
    expect(field(page, "Three")).to_have_value("Three")  # the components still work where they went


def test_a_walkthrough_shows_one_numbered_step_and_a_function_moves_it_on(web: Web) -> None:
    with cp.Blocks() as demo, cp.Walkthrough(selected=0) as walkthrough:
        with cp.Step("Image", id=0):
            cp.Button("Go to prompt").click(lambda: cp.Walkthrough(selected=1), outputs=walkthrough)
        with cp.Step("Prompt", id=1):
            cp.Textbox(label="Your prompt")
    page = web.page(web.launch(demo))
    steps = page.get_by_role("tab")
    expect(steps).to_have_text(["Image", "Prompt"])
    expect(field(page, "Your prompt")).to_be_hidden()
    button(page, "Go to prompt").click()
    expect(steps.nth(1)).to_have_attribute("aria-selected", "true")
    expect(steps.nth(0)).to_have_class(re.compile(r"cp-step-done"))
    expect(field(page, "Your prompt")).to_be_visible()


def test_markdown_with_inline_handlers_shows_the_link_without_them_and_without_a_csp_report(web: Web) -> None:
    source = "See <a onclick='steal()' href='https://example.org/'>this</a> <img src=x onerror=\"alert(1)\">"
    with cp.Blocks() as demo:
        shown = cp.Markdown(source)
    page = web.page(web.launch(demo))  # the fixture fails the test on any CSP report
    link = component(page, shown.id).get_by_role("link", name="this")
    expect(link).to_have_attribute("href", "https://example.org/")
    assert link.evaluate("a => a.hasAttribute('onclick')") is False
    assert component(page, shown.id).locator("img").evaluate("i => i.hasAttribute('onerror')") is False
    page.wait_for_timeout(300)


def test_copy_buttons_fire_copy_with_the_value_and_headings_get_links(web: Web) -> None:
    def copied_value(data: cp.CopyData) -> str:
        return str(data.value)

    with cp.Blocks() as demo:
        notes = cp.Markdown("# Intro\n\ntext\n\n## Intro", header_links=True, buttons=["copy"])
        box = cp.Textbox("Write here", buttons=["copy"], label="Draft")
        copied = cp.Textbox(label="Copied", lines=5)
        cp.on([notes.copy, box.copy], copied_value, None, copied)
    page = web.page(web.launch(demo))
    links = component(page, notes.id).locator("a.cp-header-link")
    expect(links).to_have_count(2)
    expect(links.nth(1)).to_have_attribute("href", f"#cp-{notes.id}-intro-1")
    component(page, box.id).get_by_role("button", name="Copy Draft").click()
    expect(field(page, "Copied")).to_have_value("Write here")
    component(page, notes.id).get_by_role("button", name="Copy Markdown").click()
    expect(field(page, "Copied")).to_have_value("# Intro\n\ntext\n\n## Intro")


def test_an_interactive_gallery_takes_uploads_and_a_select_names_the_item(web: Web, tmp_path: Path) -> None:
    for colour in ("red", "blue"):
        PIL.Image.new("RGB", (4, 4), colour).save(tmp_path / f"{colour}.png")

    def picked(data: cp.SelectData) -> str:
        return f"item {data.index}"

    with cp.Blocks() as demo:
        gallery = cp.Gallery(interactive=True, label="Pictures")
        count = cp.Number(label="Count")
        chosen = cp.Textbox(label="Chosen")
        gallery.upload(lambda items: len(items), gallery, count)
        gallery.select(picked, None, chosen)
        previewing = cp.Number(0, label="Previewing")
        gallery.preview_open(lambda: 1, None, previewing)
        gallery.preview_close(lambda: 0, None, previewing)
    page = web.page(web.launch(demo))
    area = component(page, gallery.id)
    area.locator("input[type=file]").set_input_files([str(tmp_path / "red.png"), str(tmp_path / "blue.png")])
    expect(area.locator(".cp-gallery-thumb")).to_have_count(2)
    expect(field(page, "Count")).to_have_value("2")
    area.locator(".cp-gallery-thumb").nth(1).click()
    expect(field(page, "Chosen")).to_have_value("item 1")
    expect(field(page, "Previewing")).to_have_value("1")
    area.get_by_role("button", name="Close preview").click()
    expect(field(page, "Previewing")).to_have_value("0")


def test_editing_a_dataframe_cell_fires_edit_with_the_cell_and_its_old_value(web: Web) -> None:
    def describe(data: cp.EditData) -> str:
        return f"{data.index} {data.previous_value}->{data.value}"

    with cp.Blocks() as demo:
        table = cp.Dataframe(
            [["tea", 2.0]], headers=["item", "price"], datatype=["str", "number"], interactive=True
        )
        shown = cp.Textbox(label="Edit")
        table.edit(describe, None, shown)
    page = web.page(web.launch(demo))
    price = component(page, table.id).locator("tbody tr").first.locator("td").nth(1)
    price.click()
    page.keyboard.press("Control+A")
    page.keyboard.type("4.5")
    page.keyboard.press("Enter")
    expect(field(page, "Edit")).to_have_value("[0, 1] 2->4.5")


def test_removing_one_file_fires_delete_naming_it(web: Web, tmp_path: Path) -> None:
    for name in ("a.txt", "b.txt"):
        (tmp_path / name).write_text(name)

    def removed(files: list[str] | None, data: cp.DeletedFileData) -> str:
        return f"{data.file.orig_name}; left {len(files or [])}"

    with cp.Blocks() as demo:
        files = cp.File(file_count="multiple", label="Files")
        shown = cp.Textbox(label="Removed")
        files.delete(removed, files, shown)
    page = web.page(web.launch(demo))
    area = component(page, files.id)
    area.locator("input[type=file]").set_input_files([str(tmp_path / "a.txt"), str(tmp_path / "b.txt")])
    expect(area.locator(".cp-file")).to_have_count(2)
    area.get_by_role("button", name="Remove a.txt").click()
    expect(field(page, "Removed")).to_have_value("a.txt; left 1")
    expect(area.locator(".cp-file")).to_have_count(1)


def test_closing_the_page_runs_the_unload_listener_for_its_session(web: Web) -> None:
    left = threading.Event()
    sessions: list[str | None] = []

    def on_unload(request: cp.Request) -> None:
        sessions.append(request.session_hash)
        left.set()

    with cp.Blocks() as demo:
        cp.Textbox(label="Anything")
        demo.unload(on_unload)
    page = web.page(web.launch(demo))
    expect(field(page, "Anything")).to_be_visible()
    page.close(run_before_unload=True)
    assert left.wait(15)
    assert sessions and sessions[0]


def test_an_html_with_js_on_load_made_by_a_render_run_gets_its_script(web: Web) -> None:
    on_load = "element.querySelector('button').addEventListener('click', () => trigger('click', {n: 7}));"

    def clicked(data: cp.EventData) -> str:
        return f"clicked {data.n}"

    with cp.Blocks() as demo:
        count = cp.State(1)

        @cp.render(inputs=count)
        def buttons(n: int) -> None:
            html = cp.HTML("<button>Press</button>", js_on_load=on_load)
            shown = cp.Textbox(label="Result")
            html.click(clicked, None, shown)

    page = web.page(web.launch(demo))  # a 404 for the script would fail the page's console check
    page.get_by_role("button", name="Press").click()
    expect(field(page, "Result")).to_have_value("clicked 7")


def test_a_paramviewer_lists_parameters_that_open_to_their_description(web: Web) -> None:
    params = {"ndigits": {"type": "int", "description": "The number of **digits**", "default": "0"}}
    with cp.Blocks() as demo:
        viewer = cp.ParamViewer(params)
    page = web.page(web.launch(demo))
    row = component(page, viewer.id).locator("details.cp-param")
    expect(row.locator("summary")).to_have_text("ndigits: int = 0")
    row.locator("summary").click()
    expect(row.locator(".cp-param-description strong")).to_have_text("digits")


def test_files_ticked_in_a_file_explorer_reach_the_function(web: Web, tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.txt").write_text("a")
    (tmp_path / "b.txt").write_text("b")
    with cp.Blocks() as demo:
        explorer = cp.FileExplorer("**/*.txt", root_dir=tmp_path, label="Pick")
        shown = cp.Textbox(label="Picked")
        cp.Button("Use").click(lambda paths: ",".join(Path(p).name for p in paths or []), explorer, shown)
    page = web.page(web.launch(demo))
    area = component(page, explorer.id)
    expect(area.locator("label")).to_have_text([" b.txt", " a.txt"])
    area.get_by_label("a.txt").check()
    area.get_by_label("b.txt").check()
    button(page, "Use").click()
    expect(field(page, "Picked")).to_have_value("a.txt,b.txt")


def test_clicking_a_dataset_row_gives_the_function_its_values(web: Web) -> None:
    def picked(data: cp.SelectData) -> str:
        return f"row {data.index}"

    with cp.Blocks() as demo:
        dataset = cp.Dataset(components=["textbox"], samples=[["fox"], ["dog"]], label="Animals")
        clicked = cp.Textbox(label="Clicked")
        selected = cp.Textbox(label="Selected")
        dataset.click(lambda row: row[0], dataset, clicked)
        dataset.select(picked, None, selected)
    page = web.page(web.launch(demo))
    page.get_by_role("row", name="Use example 2").click()
    expect(field(page, "Clicked")).to_have_value("dog")
    expect(field(page, "Selected")).to_have_value("row 1")
