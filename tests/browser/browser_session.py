"""A browser test's world: the apps it serves and the pages (one browser context per person) using them."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from browser_support import PAGE_PROBES, Gate
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page

import carpool as cp

DEFAULT_TIMEOUT_MS = 15_000  # generous: the machine is shared, and no test waits this long when it passes


class PageLog:
    """Everything a page printed, and its uncaught errors (a test fails on those even when it passed)."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.lines: list[str] = []
        self.uncaught: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", self._page_error)

    def _console(self, message: ConsoleMessage) -> None:
        self.lines.append(f"[{message.type}] {message.text}")
        if "Content Security Policy" in message.text:  # the page must work under its own CSP
            self.uncaught.append(message.text)

    def _page_error(self, error: Exception) -> None:
        self.lines.append(f"[pageerror] {error}")
        self.uncaught.append(str(error))


class Web:
    """Apps under test and the browser pages that use them, torn down in a safe order."""

    def __init__(self, browser: Browser) -> None:
        self.browser = browser
        self.apps: list[cp.Blocks] = []
        self.contexts: list[BrowserContext] = []
        self.logs: list[PageLog] = []
        self.gates: list[Gate] = []

    def launch(self, demo: cp.Blocks, **launch_options: Any) -> str:
        """Serve ``demo`` on 127.0.0.1 at a port the OS picks; returns its URL."""
        options: dict[str, Any] = {
            "server_name": "127.0.0.1",
            "server_port": 0,
            "prevent_thread_lock": True,
            "quiet": True,
            "close_grace": 2.0,
        }
        url = demo.launch(**{**options, **launch_options})
        self.apps.append(demo)
        return url

    def context(self, **context_options: Any) -> BrowserContext:
        """A fresh browser profile: its own cookies, session and per-host connection pool."""
        context = self.browser.new_context(**{"viewport": {"width": 1280, "height": 900}, **context_options})
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        context.add_init_script(PAGE_PROBES)
        self.contexts.append(context)
        return context

    def page(self, url: str | None = None, context: BrowserContext | None = None, **options: Any) -> Page:
        """A page in ``context`` (default: a new one, i.e. a new person), at ``url`` once rendered."""
        assert context is None or not options, "context options apply to a new context only"
        page = (context or self.context(**options)).new_page()
        self.logs.append(PageLog(page))
        if url is not None:
            open_app(page, url)
        return page

    def gate(self) -> Gate:
        gate = Gate()
        self.gates.append(gate)
        return gate

    def save_artifacts(self, folder: Path) -> None:
        shutil.rmtree(folder, ignore_errors=True)  # only this run's pages, not an older failure's
        folder.mkdir(parents=True)
        for number, log in enumerate(self.logs, start=1):
            (folder / f"page-{number}-console.log").write_text("\n".join(log.lines) + "\n")
            if not log.page.is_closed():
                try:
                    log.page.screenshot(path=str(folder / f"page-{number}.png"), full_page=True)
                except Exception as error:  # a crashed page must not hide the test's own failure
                    (folder / f"page-{number}-screenshot-error.txt").write_text(f"{error}\n")

    def close(self) -> None:
        for gate in self.gates:
            gate.open()
        try:
            for context in self.contexts:
                context.close()
        finally:  # servers stop even when the browser misbehaves
            for demo in self.apps:
                demo.close()


def open_app(page: Page, url: str) -> None:
    """Go to an app and wait until it rendered (the page sets ``window.carpool`` once wired)."""
    page.goto(url)
    page.wait_for_function("() => window.carpool && window.carpool.deps")
