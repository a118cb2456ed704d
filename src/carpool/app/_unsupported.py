"""Arguments carpool accepts, so that Gradio apps run unchanged, but does not act on: one list, one warning.

Nothing is ignored silently. Code that takes such arguments calls :func:`warn_ignored` with the names it
got; each name known here carries its reason in the warning. When a feature is implemented (as a per-request
``timeout`` was), its entry goes from here and its code stops calling this.
Arguments whose silent acceptance would mislead (``launch(workers=...)``) are refused instead.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable

__all__ = ["REASONS", "REFUSED", "refuse_unsupported", "warn_ignored"]

REASONS: dict[str, str] = {
    "share": "carpool serves on your own host only (no share links); put a reverse proxy in front",
    "inbrowser": "carpool does not open a browser",
    "mcp_server": "carpool serves no Model Context Protocol endpoint yet; the functions stay API endpoints",
    "max_threads": "sync calls run on a thread lane per concurrency group (docs/batching.md)",
}

REFUSED: dict[str, str] = {
    "workers": (
        "one launch() serves the app in one process; for several worker processes use "
        "`carpool run app.py --workers N`"
    ),
}


def warn_ignored(where: str, names: Iterable[str], *, stacklevel: int = 2) -> None:
    """One warning naming every ignored argument of ``where``, with the reasons known for them."""
    ignored = sorted(set(names))
    if not ignored:
        return
    reasons = [f"{name}: {REASONS[name]}" for name in ignored if name in REASONS]
    detail = f" ({'; '.join(reasons)})" if reasons else ""
    warnings.warn(f"{where} ignores: {', '.join(ignored)}{detail}", UserWarning, stacklevel=stacklevel + 1)


def refuse_unsupported(where: str, names: Iterable[str]) -> None:
    """TypeError for an argument that must not be accepted and ignored."""
    refused = sorted(set(names) & set(REFUSED))
    if refused:
        raise TypeError(f"{where} does not take {refused[0]}=: {REFUSED[refused[0]]}")
