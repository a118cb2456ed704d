"""Debian Chromium for the security tests, through Playwright's async API.

The async API (not the sync one tests/browser uses) runs on the test's own asyncio loop, so these tests
share a process with the other asyncio tests of this folder. Without Chromium they skip; CI installs it.
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from playwright.async_api import Page, async_playwright

CHROMIUM = shutil.which("chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]

__all__ = ["CHROMIUM", "chromium_page"]


@asynccontextmanager
async def chromium_page() -> AsyncIterator[Page]:
    """A fresh page in a headless Chromium that closes afterwards."""
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed (apt-get install chromium); CI installs it")
    async with async_playwright() as driver:
        browser = await driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = await browser.new_page()
            page.set_default_timeout(20_000)
            yield page
        finally:
            await browser.close()
