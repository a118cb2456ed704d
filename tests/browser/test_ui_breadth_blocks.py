"""BrowserState survives a reload, a Sidebar opens and closes, a TabbedInterface's tabs each work."""

from __future__ import annotations

import pytest
from browser_session import Web
from browser_support import field
from playwright.sync_api import expect

import carpool as cp

pytestmark = pytest.mark.browser


def test_browser_state_keeps_a_saved_value_across_a_reload_and_announces_changes(web: Web) -> None:
    with cp.Blocks() as demo:
        name = cp.Textbox(label="Name")
        saved = cp.BrowserState("", storage_key="carpool-test-name")
        shown = cp.Textbox(label="Saved")
        name.submit(lambda text: text, name, saved)
        saved.change(lambda value: f"saved {value}", saved, shown)
        demo.load(lambda value: value, saved, name)
    url = web.launch(demo)
    context = web.context()
    page = web.page(url, context=context)
    field(page, "Name").fill("ada")
    field(page, "Name").press("Enter")
    expect(field(page, "Saved")).to_have_value("saved ada")
    page.reload()
    expect(field(page, "Name")).to_have_value("ada")  # demo.load read the saved value back
    other = web.page(url)  # another browser: nothing saved there
    expect(field(other, "Name")).to_have_value("")


def test_a_sidebar_opens_and_closes_and_holds_its_components(web: Web) -> None:
    with cp.Blocks() as demo:
        with cp.Sidebar(label="Options"):
            cp.Dropdown(["Cat", "Dog"], value="Cat", label="Pet")
        cp.Textbox(label="Main")
    page = web.page(web.launch(demo), viewport={"width": 1200, "height": 800})
    expect(field(page, "Pet")).to_be_visible()
    toggle = page.get_by_role("button", name="Toggle Options")
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(field(page, "Pet")).not_to_be_in_viewport()
    toggle.click()
    expect(field(page, "Pet")).to_be_in_viewport()
    expect(field(page, "Main")).to_be_in_viewport()


def test_each_tab_of_a_tabbed_interface_runs_its_own_function(web: Web) -> None:
    hello = cp.Interface(lambda name: "Hello " + name, "text", "text")
    bye = cp.Interface(lambda name: "Bye " + name, "text", "text")
    page = web.page(web.launch(cp.TabbedInterface([hello, bye], ["Hello", "Bye"])))
    page.get_by_role("tab", name="Bye").click()
    panel = page.get_by_role("tabpanel", name="Bye")
    panel.get_by_label("name").fill("bob")
    panel.get_by_role("button", name="Submit", exact=True).click()
    expect(panel.get_by_label("output")).to_have_value("Bye bob")
