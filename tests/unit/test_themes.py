"""carpool.themes: hues, sizes and fonts become the page's CSS variables, in light and dark mode."""

from __future__ import annotations

import pytest

import carpool as cp
from carpool.themes import Base, Color, colors, fonts, sizes


def test_a_theme_sets_the_page_variables_from_its_hues_sizes_and_fonts() -> None:
    theme = Base(primary_hue="emerald", neutral_hue=colors.slate, radius_size="lg", text_size=sizes.text_lg)
    light, dark = theme.css_variables()["light"], theme.css_variables()["dark"]
    assert light["--cp-accent"] == colors.emerald.c500 and dark["--cp-accent"] == colors.emerald.c400
    assert light["--cp-bg"] == colors.slate.c50 and dark["--cp-bg"] == colors.slate.c950
    assert light["--cp-radius"] == sizes.radius_lg.lg and light["--cp-text-size"] == sizes.text_lg.md
    assert light["--cp-font"].startswith('"IBM Plex Sans", ui-sans-serif')
    assert "--cp-radius" not in dark  # sizes hold in both modes: dark inherits them


def test_set_resolves_references_to_shades_sizes_shadows_and_other_variables() -> None:
    theme = Base(primary_hue="red", secondary_hue="pink").set(
        button_primary_background_fill="linear-gradient(90deg, *primary_300, *secondary_400)",
        button_primary_background_fill_dark="*color_accent",
        block_shadow="*shadow_drop_lg",
        block_border_width="3px",
        slider_color="*secondary_300",
    )
    light, dark = theme.css_variables()["light"], theme.css_variables()["dark"]
    assert light["--cp-button-primary"] == f"linear-gradient(90deg, {colors.red.c300}, {colors.pink.c400})"
    assert dark["--cp-button-primary"] == colors.red.c400  # color_accent in dark mode
    assert light["--cp-shadow"].startswith("0 2px") and light["--cp-block-border-width"] == "3px"
    assert light["--cp-slider"] == colors.pink.c300
    assert dark["--cp-slider"] == "initial"  # set for light only: dark keeps the page's own


def test_button_text_is_white_unless_the_accent_is_too_light_for_it() -> None:
    assert Base(primary_hue="indigo").css_variables()["light"]["--cp-on-accent"] == "white"
    assert Base(primary_hue="yellow").css_variables()["light"]["--cp-on-accent"] == colors.gray.c950


def test_named_themes_have_their_own_hues_and_accept_overrides() -> None:
    assert cp.themes.Default().primary_hue is colors.orange
    assert (
        cp.themes.Soft().primary_hue is colors.indigo
        and cp.themes.Monochrome().radius_size is sizes.radius_none
    )
    assert cp.themes.Default(primary_hue="red", secondary_hue="pink").primary_hue is colors.red
    assert cp.themes.named("Soft").name == "soft" and cp.themes.named("gradio/citrus") is not None
    assert cp.themes.named("someone/else") is None


def test_a_subclass_theme_built_the_gradio_way_works() -> None:
    class Seafoam(Base):
        def __init__(self) -> None:
            super().__init__(primary_hue=colors.emerald, font=(fonts.LocalFont("Quicksand"), "sans-serif"))
            super().set(
                body_background_fill="repeating-linear-gradient(45deg, *primary_200, *primary_50 10px)"
            )

    light = Seafoam().css_variables()["light"]
    assert light["--cp-bg"].startswith(f"repeating-linear-gradient(45deg, {colors.emerald.c200}")
    assert light["--cp-font"] == '"Quicksand", sans-serif'


def test_the_theme_reaches_the_config_from_blocks_or_launch() -> None:
    with cp.Blocks(theme=cp.themes.Ocean()) as demo:
        cp.Textbox()
    entry = demo.config()["theme"]
    assert entry["name"] == "ocean" and entry["css_variables"]["light"]["--cp-accent"] == colors.emerald.c500
    demo._take_page_options({"theme": "citrus", "css": "p {}"})
    assert demo.config()["theme"]["name"] == "citrus" and demo.config()["css"] == "p {}"


def test_bad_theme_values_are_refused_with_the_reason() -> None:
    with pytest.raises(ValueError, match="unknown colour 'chartreuse'"):
        Base(primary_hue="chartreuse")
    with pytest.raises(ValueError, match="unknown radius size 'huge'"):
        Base(radius_size="huge")
    with pytest.raises(ValueError, match="may not contain"):
        Base().set(body_background_fill="red; } body { display: none")
    with pytest.raises(ValueError, match="refers to \\*nothing_here"):
        Base().set(slider_color="*nothing_here").css_variables()
    with pytest.raises(ValueError, match="refers to itself"):
        Base().set(slider_color="*loader_color", loader_color="*slider_color").css_variables()
    with pytest.raises(ValueError, match="shade c50"):
        Color("", *["#000"] * 10)


def test_variables_and_fonts_the_page_cannot_show_are_named_in_a_warning() -> None:
    with pytest.warns(UserWarning, match="not applied by carpool's page: chatbot_text_size_xyz"):
        Base().set(chatbot_text_size_xyz="3px")
    with pytest.warns(UserWarning, match=r"GoogleFont\('Carpool Test Sans'\) is not downloaded"):
        fonts.GoogleFont("Carpool Test Sans")
