"""Helpers for the browser tests: gates instead of sleeps, batch recorders, and probes inside the page."""

from __future__ import annotations

import threading
from typing import Any

from playwright.sync_api import Locator, Page

# Runs in every page before the app's own scripts. It timestamps each status change (so a test can tell
# whether two tabs finished together) and counts EventSources (a page must hold at most one).
PAGE_PROBES = """
(() => {
  window.__cpStates = [];
  new MutationObserver((records) => {
    for (const record of records) {
      const id = record.target.getAttribute && record.target.getAttribute("data-testid");
      if (id && id.startsWith("status-")) {
        window.__cpStates.push({ id, state: record.target.getAttribute("data-state"), t: Date.now() });
      }
    }
  }).observe(document, { subtree: true, attributes: true, attributeFilter: ["data-state"] });

  const Native = window.EventSource;
  const live = new Set();
  const streams = {
    opened: 0,
    maxOpen: 0,
    openNow() {
      for (const source of live) if (source.readyState === Native.CLOSED) live.delete(source);
      return live.size;
    },
  };
  window.__cpStreams = streams;
  window.EventSource = class extends Native {
    constructor(...args) {
      super(...args);
      live.add(this);
      streams.opened += 1;
      streams.maxOpen = Math.max(streams.maxOpen, streams.openNow());
    }
  };
})();
"""


class Gate:
    """Lets a served function report that it started and wait until the test opens the gate."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.opened = threading.Event()

    def hold(self, timeout: float = 30.0) -> None:
        self.entered.set()
        if not self.opened.wait(timeout):
            raise RuntimeError("the test never opened the gate")

    def open(self) -> None:
        self.opened.set()


class BatchRecorder:
    """What a batched function was called with: one list of items per call, in call order."""

    def __init__(self) -> None:
        self.calls: list[list[Any]] = []
        self._lock = threading.Lock()

    def record(self, items: list[Any]) -> int:
        """Remember one call's items; returns the call's number, counted from 0."""
        with self._lock:
            self.calls.append(list(items))
            return len(self.calls) - 1

    @property
    def sizes(self) -> list[int]:
        with self._lock:
            return [len(call) for call in self.calls]

    @property
    def items(self) -> list[Any]:
        with self._lock:
            return [item for call in self.calls for item in call]


def status(page: Page, dependency_id: int) -> Locator:
    """The status line of a dependency (docs/frontend.md: data-testid, data-state, text)."""
    return page.get_by_test_id(f"status-{dependency_id}")


def component(page: Page, component_id: int) -> Locator:
    return page.get_by_test_id(f"component-{component_id}")


def field(page: Page, label: str) -> Locator:
    return page.get_by_label(label, exact=True)


def button(page: Page, name: str) -> Locator:
    return page.get_by_role("button", name=name, exact=True)


def state_time(page: Page, dependency_id: int, state: str) -> float:
    """When (epoch seconds, browser clock) the dependency's status last entered ``state``."""
    millis = page.evaluate(
        """([id, state]) => {
          const hits = window.__cpStates.filter((s) => s.id === id && s.state === state);
          return hits.length ? hits[hits.length - 1].t : null;
        }""",
        [f"status-{dependency_id}", state],
    )
    assert millis is not None, f"status-{dependency_id} never became {state!r}"
    return float(millis) / 1000.0


def streams(page: Page) -> dict[str, int]:
    """EventSources the page created: ``opened`` in all, ``maxOpen`` at once, ``open`` now."""
    return dict(
        page.evaluate(
            "() => ({opened: __cpStreams.opened, maxOpen: __cpStreams.maxOpen, open: __cpStreams.openNow()})"
        )
    )


def luminance(css_color: str) -> float:
    """Relative brightness in [0, 1] of a computed ``rgb(...)``/``rgba(...)`` colour."""
    inside = css_color[css_color.index("(") + 1 : css_color.index(")")]
    red, green, blue = (float(part) for part in inside.replace(",", " ").split()[:3])
    return (0.2126 * red + 0.7152 * green + 0.0722 * blue) / 255.0
