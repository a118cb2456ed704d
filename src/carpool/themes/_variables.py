"""Theme variables: Gradio's names, the values a theme starts from, and the page's CSS variables.

A theme is a set of named values in Gradio's vocabulary (``button_primary_background_fill``; the same
name ending in ``_dark`` is its dark-mode value). A value may refer to another with ``*name``: a shade of
a hue (``*primary_500``, ``*neutral_100``), a step of a size (``*radius_lg``, ``*spacing_md``,
``*text_md``), a shadow (``*shadow_drop_lg``), a font (``*font``) or another variable. :data:`PAGE`
says which of them carpool's page shows, and in which of its own CSS variables (``--cp-*``).
"""

from __future__ import annotations

__all__ = ["DEFAULTS", "PAGE", "SHADOWS"]

# The page's CSS variable each theme variable sets (static/style.css reads these).
PAGE: dict[str, str] = {
    "body_background_fill": "--cp-bg",
    "body_text_color": "--cp-text",
    "body_text_color_subdued": "--cp-muted",
    "body_text_size": "--cp-text-size",
    "font": "--cp-font",
    "font_mono": "--cp-mono",
    "block_background_fill": "--cp-surface",
    "background_fill_primary": "--cp-surface",
    "background_fill_secondary": "--cp-surface-2",
    "block_border_color": "--cp-border",
    "border_color_primary": "--cp-border",
    "input_border_color_hover": "--cp-border-strong",
    "block_border_width": "--cp-block-border-width",
    "block_radius": "--cp-radius",
    "block_shadow": "--cp-shadow",
    "block_title_text_weight": "--cp-label-weight",
    "block_label_text_weight": "--cp-label-weight",
    "layout_gap": "--cp-gap",
    "color_accent": "--cp-accent",
    "color_accent_soft": "--cp-accent-soft",
    "input_border_color_focus": "--cp-focus",
    "input_background_fill": "--cp-input-bg",
    "input_radius": "--cp-radius-sm",
    "button_large_radius": "--cp-radius-sm",
    "button_large_padding": "--cp-button-padding",
    "button_primary_background_fill": "--cp-button-primary",
    "button_primary_background_fill_hover": "--cp-accent-hover",
    "button_primary_text_color": "--cp-on-accent",
    "button_primary_shadow": "--cp-button-primary-shadow",
    "button_secondary_background_fill": "--cp-button-secondary",
    "button_secondary_background_fill_hover": "--cp-button-secondary-hover",
    "button_secondary_text_color": "--cp-button-secondary-text",
    "button_cancel_background_fill": "--cp-stop",
    "button_cancel_background_fill_hover": "--cp-stop-hover",
    "error_text_color": "--cp-error",
    "error_background_fill": "--cp-error-soft",
    "slider_color": "--cp-slider",
    "loader_color": "--cp-loader",
    "checkbox_background_color_selected": "--cp-check",
}

SHADOWS: dict[str, str] = {
    "shadow_drop": "0 1px 2px rgb(16 24 40 / 6%), 0 1px 3px rgb(16 24 40 / 8%)",
    "shadow_drop_lg": "0 2px 4px rgb(16 24 40 / 8%), 0 6px 16px rgb(16 24 40 / 10%)",
    "shadow_inset": "inset 0 1px 2px rgb(16 24 40 / 8%)",
    "shadow_spread": "3px",
}

# What every theme starts from (light, dark), built on its hues and sizes. The button text colour is
# chosen per theme for contrast (see Base); variables not listed keep the page's own defaults.
DEFAULTS: dict[str, tuple[str, str]] = {
    "body_background_fill": ("*neutral_50", "*neutral_950"),
    "body_text_color": ("*neutral_900", "*neutral_100"),
    "body_text_color_subdued": ("*neutral_600", "*neutral_400"),
    "body_text_size": ("*text_md", "*text_md"),
    "block_background_fill": ("white", "*neutral_900"),
    "background_fill_secondary": ("*neutral_100", "*neutral_800"),
    "border_color_primary": ("*neutral_200", "*neutral_700"),
    "input_border_color_hover": ("*neutral_300", "*neutral_600"),
    "block_radius": ("*radius_lg", "*radius_lg"),
    "input_radius": ("*radius_md", "*radius_md"),
    "block_shadow": ("*shadow_drop", "0 1px 2px rgb(0 0 0 / 40%)"),
    "layout_gap": ("*spacing_xxl", "*spacing_xxl"),
    "button_large_padding": ("*spacing_lg *spacing_xxl", "*spacing_lg *spacing_xxl"),
    "color_accent": ("*primary_500", "*primary_400"),
    "color_accent_soft": ("*primary_50", "*primary_950"),
    "input_border_color_focus": ("*color_accent", "*color_accent"),
    "button_primary_background_fill": ("*color_accent", "*color_accent"),
    "button_primary_background_fill_hover": ("*primary_600", "*primary_300"),
}
