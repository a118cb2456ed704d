"""``carpool.Progress``: a function reports how far it got, shown as a progress bar per event.

Declared as a default (``def fn(x, progress=carpool.Progress()):``) it needs no wiring: every call goes
to :func:`carpool.core.report_progress`, which finds the running batch through the engine's context, so
each event of a batch sees the bar move. Outside an event (``demo(...)`` called directly) reports are
dropped.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Sized
from typing import Any, TypeVar

from carpool.core import report_progress

__all__ = ["Progress"]

T = TypeVar("T")

# tqdm over a long loop would otherwise send one message per item to every event of the batch.
MIN_REPORT_INTERVAL = 0.1


def _report(**kwargs: Any) -> None:
    try:
        report_progress(**kwargs)
    except LookupError:
        pass  # not inside a running event: nobody to tell


class Progress:
    """Report progress from inside a function: ``progress(0.5, desc="half")``, ``progress.tqdm(xs)``."""

    def __init__(self, track_tqdm: bool = False) -> None:
        # ``track_tqdm`` (patching the tqdm library) is accepted for Gradio compatibility only.
        self.track_tqdm = track_tqdm

    def __call__(
        self,
        progress: float | tuple[int, int | None] | None,
        desc: str | None = None,
        total: int | None = None,
        unit: str = "steps",
    ) -> Progress:
        """A fraction in [0, 1], a ``(done, total)`` pair, ``done`` with ``total=``, or ``None`` (busy)."""
        if isinstance(progress, tuple):
            index, length = progress
            _report(desc=desc, index=index, length=length, unit=unit)
        elif total is not None and progress is not None:
            _report(desc=desc, index=int(progress), length=total, unit=unit)
        else:
            _report(progress=progress, desc=desc, unit=unit)
        return self

    def tqdm(
        self,
        iterable: Iterable[T],
        desc: str | None = None,
        total: int | None = None,
        unit: str = "steps",
    ) -> Iterator[T]:
        """Yield the items of ``iterable``, reporting ``(done, total)`` at most every 0.1 s and at the end."""
        if total is None and isinstance(iterable, Sized):
            total = len(iterable)
        last_report = float("-inf")
        done = 0
        for item in iterable:
            now = time.monotonic()
            if now - last_report >= MIN_REPORT_INTERVAL:
                _report(desc=desc, index=done, length=total, unit=unit)
                last_report = now
            yield item
            done += 1
        _report(desc=desc, index=done, length=total, unit=unit)

    def __repr__(self) -> str:
        return "Progress()"
