"""Fixtures for the browser tests: one Debian Chromium per session, apps on free ports, a context per user.

``web`` is the one fixture a test needs: ``web.launch(demo)`` serves an app on a port from the OS and
returns its URL, ``web.page()`` opens a page in a fresh browser context (one simulated person), and
``web.gate()`` gives a function a way to wait for the test. At teardown every gate opens, every context
closes and then every server stops, in that order, so a failing test never leaves a held function or an
open event stream behind. When a test fails, each of its pages leaves a screenshot and its console log in
``test-artifacts/browser/<test>/``.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Generator, Iterator
from typing import Any

import pytest
from browser_session import DEFAULT_TIMEOUT_MS, Web
from playwright.sync_api import Browser, Playwright, sync_playwright
from playwright.sync_api import expect as playwright_expect

CHROMIUM = shutil.which("chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()

playwright_expect.set_options(timeout=DEFAULT_TIMEOUT_MS)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
    """Keep each phase's report on the item, so fixture teardown knows whether the test failed."""
    report = yield
    item.stash.setdefault(REPORTS, {})[report.when] = report
    return report


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Playwright]:
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed (apt-get install chromium); CI installs it")
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright_driver: Playwright) -> Iterator[Browser]:
    """One headless Chromium for the whole run: starting one costs about a second."""
    assert CHROMIUM is not None
    instance = playwright_driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    yield instance
    instance.close()


def _safe_name(nodeid: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid.split("::", 1)[-1])[:120]


@pytest.fixture
def web(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Web]:
    session = Web(browser)
    try:
        yield session
        failed = any(report.failed for report in request.node.stash.get(REPORTS, {}).values())
        uncaught = [error for log in session.logs for error in log.uncaught]
        if failed or uncaught:
            folder = request.config.rootpath / "test-artifacts" / "browser" / _safe_name(request.node.nodeid)
            session.save_artifacts(folder)
        if uncaught and not failed:
            pytest.fail(f"uncaught error(s) in the page: {uncaught}")
    finally:
        session.close()
