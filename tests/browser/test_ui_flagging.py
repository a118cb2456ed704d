"""Flagging in the page: the Interface's Flag buttons (and auto mode) write Gradio's CSV log."""

from __future__ import annotations

import csv
import time
from pathlib import Path

import pytest
from browser_session import Web
from browser_support import button, field
from playwright.sync_api import expect

import carpool as cp

pytestmark = pytest.mark.browser


def log_rows(folder: Path, count: int) -> list[list[str]]:
    """The log's rows once it holds ``count`` samples (flags are written after the click returns)."""
    path = folder / "dataset1.csv"
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if path.exists():
            rows = list(csv.reader(path.open(newline="", encoding="utf-8")))
            if len(rows) > count:
                return rows
        time.sleep(0.1)
    raise AssertionError(f"{path} never held {count} sample(s)")


def test_a_flag_button_writes_the_inputs_outputs_and_option(web: Web, tmp_path: Path) -> None:
    demo = cp.Interface(
        lambda text, times: text * int(times),
        [cp.Textbox(label="text"), cp.Number(2, label="times")],
        cp.Textbox(label="out"),
        flagging_options=["good", "bad"],
        flagging_dir=str(tmp_path),
    )
    page = web.page(web.launch(demo))
    field(page, "text").fill("ab")
    button(page, "Submit").click()
    expect(field(page, "out")).to_have_value("abab")
    button(page, "Flag as bad").click()
    rows = log_rows(tmp_path, 1)
    assert rows[0] == ["text", "times", "out", "flag", "timestamp"]
    assert rows[1][:4] == ["ab", "2", "abab", "bad"]
    expect(button(page, "Flag as bad")).to_be_enabled()  # back from "Saving..."


def test_auto_mode_flags_every_successful_run_without_a_button(web: Web, tmp_path: Path) -> None:
    demo = cp.Interface(
        str.upper,
        cp.Textbox(label="text"),
        cp.Textbox(label="out"),
        flagging_mode="auto",
        flagging_dir=str(tmp_path),
    )
    page = web.page(web.launch(demo), viewport={"width": 390, "height": 800})
    expect(page.get_by_role("button", name="Flag")).to_have_count(0)
    for word in ("one", "two"):
        field(page, "text").fill(word)
        button(page, "Submit").click()
        expect(field(page, "out")).to_have_value(word.upper())
    rows = log_rows(tmp_path, 2)
    assert [row[:2] for row in rows[1:]] == [["one", "ONE"], ["two", "TWO"]]
