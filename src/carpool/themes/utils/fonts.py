"""Fonts of a theme: a family name (``Font``), one that is local to the viewer (``LocalFont``), or one
Gradio downloads from Google Fonts (``GoogleFont``).

carpool's page loads fonts only from the app itself (its Content-Security-Policy has ``font-src 'self'``,
and a self-hosted app should not tell Google who opens it), so every font is used by its family name: the
browser shows it when it is installed and otherwise the next font of the stack. A ``GoogleFont`` says so
once, in a warning naming it.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["GENERIC_FAMILIES", "Font", "GoogleFont", "LocalFont", "css_stack"]

GENERIC_FAMILIES = frozenset(
    {
        "serif",
        "sans-serif",
        "monospace",
        "cursive",
        "fantasy",
        "system-ui",
        "ui-serif",
        "ui-sans-serif",
        "ui-monospace",
        "ui-rounded",
        "math",
        "emoji",
    }
)
_warned: set[str] = set()


@dataclass(frozen=True)
class Font:
    """A font family by name."""

    name: str

    def __post_init__(self) -> None:
        if (
            not isinstance(self.name, str)
            or not self.name.strip()
            or any(ch in self.name for ch in '"\\;{}<>')
        ):
            raise ValueError(f"a font family is a plain name, got {self.name!r}")

    def css(self) -> str:
        return self.name if self.name in GENERIC_FAMILIES else f'"{self.name}"'


@dataclass(frozen=True)
class LocalFont(Font):
    """A family the viewer's system may have (Gradio ships some of these; carpool names them only)."""

    weights: Iterable[int] = (400, 600)


@dataclass(frozen=True)
class GoogleFont(Font):
    """A Google Fonts family: carpool does not download it (see the module docstring), it names it."""

    weights: Iterable[int] = (400, 600)

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.name not in _warned:
            _warned.add(self.name)
            warnings.warn(
                f"GoogleFont({self.name!r}) is not downloaded: carpool's page loads fonts only from the "
                "app; the family is used where the viewer has it installed",
                UserWarning,
                stacklevel=3,
            )


def css_stack(fonts: Font | str | Iterable[Font | str]) -> str:
    """``font-family`` text for a font, a name, or a list of them (fallbacks after the first)."""
    items = [fonts] if isinstance(fonts, Font | str) else list(fonts)
    if not items:
        raise ValueError("a theme font needs at least one family")
    return ", ".join((item if isinstance(item, Font) else Font(item)).css() for item in items)
