"""Timer in the page: ticks run their listener, a value function refreshes itself, Stop/Start work."""

from __future__ import annotations

import itertools

import pytest
from browser_session import Web
from browser_support import button, field
from playwright.sync_api import Page

import carpool as cp

pytestmark = pytest.mark.browser


def test_a_timer_ticks_its_listener_and_stops_and_starts_when_told(web: Web) -> None:
    ticks = itertools.count(1)
    clock = itertools.count(100)

    with cp.Blocks() as demo:
        timer = cp.Timer(0.2)
        count = cp.Number(label="Ticks")
        timer.tick(lambda: next(ticks), None, count)
        cp.Number(lambda: next(clock), every=0.2, label="Clock")
        cp.Button("Stop").click(lambda: cp.Timer(active=False), None, timer)
        cp.Button("Start").click(lambda: cp.Timer(active=True), None, timer)
    page = web.page(web.launch(demo))

    wait_for_at_least(page, "Ticks", 3)
    wait_for_at_least(page, "Clock", 103)  # the value function: on load, then every 0.2 s

    button(page, "Stop").click()
    page.wait_for_timeout(600)  # a stopped timer's last tick may still land
    stopped = int(field(page, "Ticks").input_value())
    page.wait_for_timeout(800)
    assert int(field(page, "Ticks").input_value()) == stopped

    button(page, "Start").click()
    wait_for_at_least(page, "Ticks", stopped + 2)


def wait_for_at_least(page: Page, label: str, number: int) -> None:
    """Ticks come faster than a test polls: wait until the field shows ``number`` or more."""
    handle = field(page, label).element_handle()
    page.wait_for_function("([el, n]) => Number(el.value) >= n", arg=[handle, number])
