"""The seam between the app and the server that serves it.

``app`` (L2) may not import ``server`` (L3), yet ``demo.launch()`` must start one. The server registers
its launch function here when the root package is imported (``carpool/__init__`` calls
:func:`set_launcher`), so the dependency points upward only at run time, through this one slot.
"""

from __future__ import annotations

from typing import Any, Protocol

__all__ = ["Launcher", "get_launcher", "set_launcher"]


class Launcher(Protocol):
    """Starts a server for ``blocks`` and returns a handle with ``local_url`` and ``close()``."""

    def __call__(self, blocks: Any, **settings: Any) -> Any: ...


_launcher: Launcher | None = None


def set_launcher(launcher: Launcher | None) -> Launcher | None:
    """Install the function ``Blocks.launch`` delegates to (``None`` removes it); returns the previous
    one, so a test can put it back: ``previous = set_launcher(fake); ...; set_launcher(previous)``.
    """
    global _launcher
    previous, _launcher = _launcher, launcher
    return previous


def get_launcher() -> Launcher:
    if _launcher is None:
        raise RuntimeError(
            "No server is registered to launch this app. Import the top-level package "
            "(`import carpool`), which registers carpool.server, or call "
            "carpool.app.set_launcher(...) with your own launcher."
        )
    return _launcher
