"""A theme changes the page's colours, corners and fonts, in light and in dark mode."""

from __future__ import annotations

import pytest
from browser_session import Web
from browser_support import button, component
from playwright.sync_api import Page

import carpool as cp
from carpool.themes import colors, sizes

pytestmark = pytest.mark.browser


def rgb(hex_color: str) -> str:
    r, g, b = (int(hex_color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


def style(page: Page, selector: str, prop: str) -> str:
    return str(page.locator(selector).first.evaluate(f"el => getComputedStyle(el)['{prop}']"))


def test_a_theme_colours_buttons_rounds_blocks_and_sets_fonts_in_both_modes(web: Web) -> None:
    theme = cp.themes.Base(
        primary_hue="emerald", neutral_hue="stone", radius_size="xxl", font="Carpool Serif"
    )
    theme.set(slider_color="#ff0000")
    with cp.Blocks() as demo:
        name = cp.Textbox(label="Name")
        cp.Slider(0, 10, label="Count")
        cp.Button("Go", variant="primary")
    url = web.launch(demo, theme=theme)

    light = web.page(url, color_scheme="light")
    go = button(light, "Go")
    assert go.evaluate("el => getComputedStyle(el).backgroundColor") == rgb(colors.emerald.c500)
    block = f'[data-testid="component-{name.id}"]'
    assert style(light, block, "borderTopLeftRadius") == sizes.radius_xxl.lg
    assert style(light, "body", "fontFamily").startswith('"Carpool Serif"')
    assert style(light, "body", "backgroundColor") == rgb(colors.stone.c50)
    assert style(light, ".cp-range", "accentColor") == "rgb(255, 0, 0)"

    dark = web.page(url, color_scheme="dark")
    dark_button = button(dark, "Go").evaluate("el => getComputedStyle(el).backgroundColor")
    assert dark_button == rgb(colors.emerald.c400)
    assert style(dark, "body", "backgroundColor") == rgb(colors.stone.c950)
    assert style(dark, f'[data-testid="component-{name.id}"]', "borderTopLeftRadius") == sizes.radius_xxl.lg
    assert style(dark, ".cp-range", "accentColor") != "rgb(255, 0, 0)"  # set for light mode only
    assert component(dark, name.id).is_visible()


def test_a_named_theme_string_is_applied(web: Web) -> None:
    with cp.Blocks(theme="monochrome") as demo:
        cp.Button("Go", variant="primary")
    page = web.page(web.launch(demo), color_scheme="light")
    assert button(page, "Go").evaluate("el => getComputedStyle(el).borderTopLeftRadius") == "0px"
