"""Themes: the page's colours, corners, spacing and fonts (Gradio's ``gr.themes``).

``Blocks(theme=carpool.themes.Soft())`` or ``launch(theme=...)``; a name (``theme="soft"``) picks a
named theme; ``Base(primary_hue="emerald", radius_size="lg", font=[...]).set(...)`` builds one. The page
applies a theme through its CSS variables, in light and dark mode (see ``base.Base.css_variables``).
A theme never loads anything from outside the app (see ``utils.fonts``).
"""

from __future__ import annotations

from typing import Any

from carpool.themes.base import Base, ThemeClass
from carpool.themes.presets import PRESETS, Citrus, Default, Glass, Monochrome, Ocean, Origin, Soft
from carpool.themes.utils import Color, Font, GoogleFont, LocalFont, Size, colors, fonts, sizes

__all__ = [
    "Base",
    "Citrus",
    "Color",
    "Default",
    "Font",
    "Glass",
    "GoogleFont",
    "LocalFont",
    "Monochrome",
    "Ocean",
    "Origin",
    "Size",
    "Soft",
    "ThemeClass",
    "colors",
    "fonts",
    "named",
    "sizes",
]


def named(name: str) -> Base | None:
    """The named theme for ``theme="soft"`` (also ``"gradio/soft"``); None for a name carpool lacks."""
    key = name.lower().removeprefix("gradio/") if isinstance(name, str) else ""
    preset: Any = PRESETS.get(key)
    return preset() if preset is not None else None
