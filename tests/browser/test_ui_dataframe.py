"""Dataframe in the page: a pandas table in and out, edited in place, sorted and searched in the view."""

from __future__ import annotations

import pandas as pd
import pytest
from browser_session import Web
from browser_support import button, component
from playwright.sync_api import expect

import carpool as cp

pytestmark = pytest.mark.browser


def test_an_edited_cell_reaches_the_function_as_a_typed_pandas_frame(web: Web) -> None:
    def total(frame: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame({"item": ["sum"], "price": [float(frame["price"].sum())]})

    with cp.Blocks() as demo:
        table = cp.Dataframe(
            pd.DataFrame({"item": ["tea", "cake"], "price": [2.0, 3.5]}),
            datatype=["str", "number"],
            interactive=True,
            show_search="search",
        )
        out = cp.Dataframe(label="Total")
        cp.Button("Add up").click(total, table, out)
    page = web.page(web.launch(demo))
    grid = component(page, table.id)

    price = grid.locator("tbody tr").nth(1).locator("td").nth(1)
    price.click()
    page.keyboard.press("Control+A")
    page.keyboard.type("4.5")
    page.keyboard.press("Enter")
    button(page, "Add up").click()
    expect(component(page, out.id).locator("tbody td").nth(1)).to_have_text("6.5")

    grid.get_by_role("button", name="price").click()  # sorts the view by price, ascending
    expect(grid.locator("tbody tr").first.locator("td").first).to_have_text("tea")
    grid.get_by_role("button", name="price ▲").click()
    expect(grid.locator("tbody tr").first.locator("td").first).to_have_text("cake")

    grid.get_by_label("Search the table").fill("tea")
    expect(grid.locator("tbody tr")).to_have_count(1)
