"""The named themes: ``Default``, ``Origin``, ``Soft``, ``Glass``, ``Monochrome``, ``Ocean``, ``Citrus``.

Each is a :class:`Base` with its own hues, sizes and fonts (the ones Gradio's theme of the same name
starts from) and a few variables of its own; every argument can still be changed, and ``.set`` works.
"""

from __future__ import annotations

from typing import Any

from carpool.themes.base import Base
from carpool.themes.utils import colors, sizes
from carpool.themes.utils.fonts import LocalFont

__all__ = ["PRESETS", "Citrus", "Default", "Glass", "Monochrome", "Ocean", "Origin", "Soft"]

_MONO = (LocalFont("IBM Plex Mono"), "ui-monospace", "Consolas", "monospace")
_SANS = ("ui-sans-serif", "system-ui", "sans-serif")


def _with_defaults(given: dict[str, Any], **defaults: Any) -> dict[str, Any]:
    return {**defaults, **given}


class Default(Base):
    """Orange accents on zinc greys."""

    def __init__(self, **options: Any) -> None:
        super().__init__(
            **_with_defaults(
                options,
                primary_hue=colors.orange,
                secondary_hue=colors.blue,
                neutral_hue=colors.zinc,
                font=(LocalFont("Source Sans Pro"), *_SANS),
                font_mono=_MONO,
            )
        )


class Origin(Default):
    """Gradio 4's look: orange accents on cool greys."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**_with_defaults(options, neutral_hue=colors.gray))


class Soft(Base):
    """Indigo, rounder corners, no borders: blocks float on soft shadows."""

    def __init__(self, **options: Any) -> None:
        super().__init__(
            **_with_defaults(
                options,
                primary_hue=colors.indigo,
                secondary_hue=colors.indigo,
                neutral_hue=colors.gray,
                radius_size=sizes.radius_lg,
                font=(LocalFont("Montserrat"), *_SANS),
                font_mono=_MONO,
            )
        )
        self.set(block_border_width="0px", block_shadow="*shadow_drop_lg", block_title_text_weight="600")


class Glass(Base):
    """Slate and blue, small and tight, translucent blocks."""

    def __init__(self, **options: Any) -> None:
        super().__init__(
            **_with_defaults(
                options,
                primary_hue=colors.blue,
                secondary_hue=colors.slate,
                neutral_hue=colors.slate,
                spacing_size=sizes.spacing_sm,
                radius_size=sizes.radius_sm,
                text_size=sizes.text_sm,
                font=("Optima", "Candara", "Noto Sans", "source-sans-pro", *_SANS),
                font_mono=_MONO,
            )
        )
        self.set(
            body_background_fill="linear-gradient(180deg, *neutral_50, *neutral_200)",
            body_background_fill_dark="linear-gradient(180deg, *neutral_900, *neutral_950)",
            block_background_fill="rgb(255 255 255 / 60%)",
            block_background_fill_dark="rgb(15 23 42 / 60%)",
        )


class Monochrome(Base):
    """Black and white, square corners, a serif face."""

    def __init__(self, **options: Any) -> None:
        super().__init__(
            **_with_defaults(
                options,
                primary_hue=colors.neutral,
                secondary_hue=colors.neutral,
                neutral_hue=colors.neutral,
                spacing_size=sizes.spacing_lg,
                radius_size=sizes.radius_none,
                font=(LocalFont("Lora"), "ui-serif", "Georgia", "serif"),
                font_mono=_MONO,
            )
        )
        self.set(
            color_accent="*neutral_900", color_accent_dark="*neutral_100", color_accent_soft="*neutral_100"
        )


class Ocean(Base):
    """Emerald and sky, very round corners, a gradient on primary buttons."""

    def __init__(self, **options: Any) -> None:
        super().__init__(
            **_with_defaults(
                options,
                primary_hue=colors.emerald,
                secondary_hue=colors.sky,
                neutral_hue=colors.zinc,
                radius_size=sizes.radius_xxl,
                font=(LocalFont("IBM Plex Sans"), *_SANS),
                font_mono=_MONO,
            )
        )
        self.set(
            button_primary_background_fill="linear-gradient(120deg, *secondary_500, *primary_500)",
            button_primary_background_fill_hover="linear-gradient(120deg, *secondary_600, *primary_600)",
        )


class Citrus(Base):
    """Amber on warm stone greys, roomy spacing."""

    def __init__(self, **options: Any) -> None:
        super().__init__(
            **_with_defaults(
                options,
                primary_hue=colors.amber,
                secondary_hue=colors.amber,
                neutral_hue=colors.stone,
                spacing_size=sizes.spacing_lg,
                font=(LocalFont("Ubuntu"), *_SANS),
                font_mono=(LocalFont("Roboto Mono"), "ui-monospace", "monospace"),
            )
        )


PRESETS: dict[str, type[Base]] = {
    "base": Base,
    "default": Default,
    "origin": Origin,
    "soft": Soft,
    "glass": Glass,
    "monochrome": Monochrome,
    "ocean": Ocean,
    "citrus": Citrus,
}
