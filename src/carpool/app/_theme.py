"""The app's theme: ``Blocks(theme=...)`` / ``launch(theme=...)`` -> what ``/config`` tells the page.

A theme is a ``carpool.themes`` theme (or anything with its ``css_variables()``), the name of one
(``"soft"``), or a mode: ``"light"``, ``"dark"``, ``"auto"``/None (follow the system). Anything else --
a Hub theme name such as ``"user/theme"`` (carpool fetches nothing) or another object -- keeps the page's
own look, and says so in one warning.
"""

from __future__ import annotations

import warnings
from typing import Any

from carpool.themes import named
from carpool.themes.presets import PRESETS

__all__ = ["MODES", "page_theme", "resolve_theme"]

MODES = (None, "auto", "light", "dark")


def resolve_theme(theme: Any, *, stacklevel: int = 2) -> Any:
    """``theme`` with a theme name replaced by that theme; a warning for one the page cannot apply."""
    if theme in MODES or hasattr(theme, "css_variables"):
        return theme
    found = named(theme) if isinstance(theme, str) else None
    if found is not None:
        return found
    what = repr(theme) if isinstance(theme, str) else type(theme).__name__
    warnings.warn(
        f"theme {what} is not applied: carpool applies its own named themes ({', '.join(_names())}) and "
        "carpool.themes objects, and loads nothing from the Hub; the page keeps its look",
        UserWarning,
        stacklevel=stacklevel + 1,
    )
    return theme


def _names() -> list[str]:
    return sorted(PRESETS)


def page_theme(theme: Any) -> dict[str, Any]:
    """The ``theme`` entry of ``/config``: the mode, and a theme's name and CSS variables."""
    if theme in ("light", "dark"):
        return {"mode": theme}
    if theme in (None, "auto"):
        return {"mode": "auto"}
    if hasattr(theme, "css_variables"):
        name = str(getattr(theme, "name", ""))
        return {"mode": "auto", "name": name, "css_variables": theme.css_variables()}
    return {"mode": "auto", "name": theme if isinstance(theme, str) else type(theme).__name__}
