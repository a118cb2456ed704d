"""``Base``: a theme -- three hues, three size scales, two fonts, and variables set on top (``.set``).

``css_variables()`` is what the page applies: the values of carpool's own CSS variables (``--cp-*``)
for light and for dark mode, every ``*reference`` resolved (see ``_variables``). A variable set for light
mode only keeps the page's dark value, as in Gradio; sizes, fonts and weights apply to both modes.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable
from typing import Any

from carpool.themes._variables import DEFAULTS, PAGE, SHADOWS
from carpool.themes.utils import colors, sizes
from carpool.themes.utils.colors import Color
from carpool.themes.utils.fonts import Font, LocalFont, css_stack
from carpool.themes.utils.sizes import Size

__all__ = ["Base", "ThemeClass"]

FontSpec = Font | str | Iterable[Font | str]

_REFERENCE = re.compile(r"\*([A-Za-z0-9_]+)")
_FORBIDDEN = re.compile(r"[;{}<>\\]")
# Variables that do not depend on the mode: their light value holds in dark mode too.
_MODELESS = frozenset(
    {
        "body_text_size",
        "font",
        "font_mono",
        "block_border_width",
        "block_radius",
        "block_title_text_weight",
        "block_label_text_weight",
        "layout_gap",
        "input_radius",
        "button_large_radius",
        "button_large_padding",
    }
)
# The page's CSS variables that only a theme sets (style.css reads them with a fallback): one set for
# light mode only is reset in dark mode, so the fallback applies there.
_THEME_ONLY = frozenset(
    {
        "--cp-text-size",
        "--cp-block-border-width",
        "--cp-label-weight",
        "--cp-input-bg",
        "--cp-button-padding",
        "--cp-button-primary",
        "--cp-button-primary-shadow",
        "--cp-button-secondary",
        "--cp-button-secondary-hover",
        "--cp-button-secondary-text",
        "--cp-slider",
        "--cp-loader",
        "--cp-check",
    }
)
_SANS = (LocalFont("IBM Plex Sans"), "ui-sans-serif", "system-ui", "sans-serif")
_MONO = (LocalFont("IBM Plex Mono"), "ui-monospace", "Consolas", "monospace")
# Variables every theme has that are computed, not written in DEFAULTS.
_COMPUTED = frozenset({"font", "font_mono", "button_primary_text_color"})
_warned_names: set[str] = set()


def _hue(value: Color | str, what: str) -> Color:
    if isinstance(value, Color):
        return value
    if isinstance(value, str):
        return colors.by_name(value)
    raise TypeError(f"{what} must be a Color or a colour name such as 'emerald', got {value!r}")


def _size(value: Size | str, kind: str) -> Size:
    if isinstance(value, Size):
        return value
    if isinstance(value, str):
        return sizes.by_name(kind, value)
    raise TypeError(f"{kind}_size must be a Size or a name such as 'md', got {value!r}")


def _luminance(color: str) -> float | None:
    """WCAG relative luminance of a ``#rgb``/``#rrggbb`` colour (None for other CSS colours)."""
    match = re.fullmatch(r"#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})", color)
    if match is None:
        return None
    digits = match.group(1)
    if len(digits) == 3:
        digits = "".join(ch * 2 for ch in digits)
    channels = [int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _readable_on(background: str, light: str, dark: str) -> str:
    """``light`` text on ``background`` if it reaches WCAG's 3:1 for bold button labels, else ``dark``."""
    lum = _luminance(background)
    if lum is None:
        return light
    return light if 1.05 / (lum + 0.05) >= 3 else dark


class Base:
    """A theme: ``Blocks(theme=carpool.themes.Base(primary_hue="emerald"))`` or ``launch(theme=...)``."""

    def __init__(
        self,
        *,
        primary_hue: Color | str = colors.blue,
        secondary_hue: Color | str = colors.blue,
        neutral_hue: Color | str = colors.gray,
        text_size: Size | str = sizes.text_md,
        spacing_size: Size | str = sizes.spacing_md,
        radius_size: Size | str = sizes.radius_md,
        font: FontSpec = _SANS,
        font_mono: FontSpec = _MONO,
    ) -> None:
        self.name = type(self).__name__.lower()
        self.primary_hue = _hue(primary_hue, "primary_hue")
        self.secondary_hue = _hue(secondary_hue, "secondary_hue")
        self.neutral_hue = _hue(neutral_hue, "neutral_hue")
        self.text_size = _size(text_size, "text")
        self.spacing_size = _size(spacing_size, "spacing")
        self.radius_size = _size(radius_size, "radius")
        self.font = css_stack(font)
        self.font_mono = css_stack(font_mono)
        self.variables: dict[str, str] = {}

    def set(self, **variables: Any) -> Base:
        """Set theme variables by Gradio's names (``button_primary_background_fill="*primary_300"``);
        a name ending in ``_dark`` is the dark-mode value. Returns the theme, so calls chain."""
        for name, value in variables.items():
            if not isinstance(value, str | int | float) or isinstance(value, bool):
                raise TypeError(f"theme variable {name} must be CSS text, got {value!r}")
            if _FORBIDDEN.search(str(value)):
                raise ValueError(f"theme variable {name} may not contain ; {{ }} < > or \\: {value!r}")
            self.variables[name] = str(value)
        self._warn_unshown(variables)
        return self

    @staticmethod
    def _warn_unshown(variables: dict[str, Any]) -> None:
        unshown = sorted(
            name for name in variables if name.removesuffix("_dark") not in PAGE and name not in _warned_names
        )
        if unshown:
            _warned_names.update(unshown)
            warnings.warn(
                f"theme variables not applied by carpool's page: {', '.join(unshown)}",
                UserWarning,
                stacklevel=3,
            )

    # -- resolving --------------------------------------------------------------------------------

    def tokens(self) -> dict[str, str]:
        """What ``*name`` may refer to besides variables: shades, size steps, shadows, fonts."""
        found: dict[str, str] = {"font": self.font, "font_mono": self.font_mono, **SHADOWS}
        for prefix, hue in (("primary", self.primary_hue), ("secondary", self.secondary_hue)):
            found.update({f"{prefix}_{shade}": value for shade, value in hue.shades().items()})
        found.update({f"neutral_{shade}": value for shade, value in self.neutral_hue.shades().items()})
        for prefix, size in (
            ("text", self.text_size),
            ("spacing", self.spacing_size),
            ("radius", self.radius_size),
        ):
            found.update({f"{prefix}_{step}": value for step, value in size.steps().items()})
        return found

    def _raw(self, name: str, dark: bool) -> str | None:
        if dark and f"{name}_dark" in self.variables:
            return self.variables[f"{name}_dark"]
        if name in self.variables and (not dark or name in _MODELESS):
            return self.variables[name]
        if name in DEFAULTS:
            return DEFAULTS[name][1 if dark else 0]
        if name == "button_primary_text_color":
            accent = self.value("color_accent", dark) or ""
            return _readable_on(accent, "white", self.neutral_hue.c950)
        return None

    def value(self, name: str, dark: bool = False, _seen: frozenset[str] = frozenset()) -> str | None:
        """The resolved value of a variable (or token) in light or dark mode; None when it has none."""
        raw = self._raw(name, dark)
        if raw is None:
            return self.tokens().get(name)
        seen = _seen | {name}

        def substitute(match: re.Match[str]) -> str:
            reference = match.group(1)
            if reference in seen:
                raise ValueError(f"theme variable {name} refers to itself through *{reference}")
            resolved = self.value(reference, dark, seen)
            if resolved is None:
                raise ValueError(f"theme variable {name} refers to *{reference}, which this theme lacks")
            return resolved

        return _REFERENCE.sub(substitute, raw)

    def css_variables(self) -> dict[str, dict[str, str]]:
        """``{"light": {"--cp-accent": ...}, "dark": {...}}``: what the page applies for this theme."""
        light: dict[str, str] = {}
        dark: dict[str, str] = {}
        for name, css_name in PAGE.items():
            light_value = self.value(name) if self._given(name) else None
            if light_value is not None:
                light[css_name] = light_value
            dark_value = self.value(name, dark=True) if self._given_dark(name) else None
            if dark_value is not None:
                dark[css_name] = dark_value
            elif light_value is not None and css_name in _THEME_ONLY and name not in _MODELESS:
                dark.setdefault(css_name, "initial")  # the page's fallback, not the light value
        return {"light": light, "dark": dark}

    def _given(self, name: str) -> bool:
        return name in self.variables or name in DEFAULTS or name in _COMPUTED

    def _given_dark(self, name: str) -> bool:
        if f"{name}_dark" in self.variables:
            return True
        return name not in _MODELESS and (name in DEFAULTS or name in _COMPUTED)

    def to_dict(self) -> dict[str, Any]:
        """The theme as the page's config carries it."""
        return {"name": self.name, "css_variables": self.css_variables()}

    def __repr__(self) -> str:
        hues = f"primary_hue={self.primary_hue.name!r}, neutral_hue={self.neutral_hue.name!r}"
        return f"{type(self).__name__}({hues})"


ThemeClass = Base
