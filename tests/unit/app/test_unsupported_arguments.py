"""Arguments carpool accepts but does not act on are never ignored silently (issue 12, item 13)."""

from __future__ import annotations

import warnings
from typing import Any

import pytest

import carpool as cp
from carpool.app import set_launcher
from carpool.server import launch


@pytest.fixture
def no_server() -> Any:
    calls: list[dict[str, Any]] = []
    previous = set_launcher(lambda blocks, **settings: calls.append(settings))
    yield calls
    set_launcher(previous)


def test_interface_flagging_arguments_are_supported_without_a_warning() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        demo = cp.Interface(str.upper, "text", "text", flagging_mode="never", allow_flagging="never")
    assert demo.flagging_mode == "never"


@pytest.mark.parametrize("theme", ["someone/their-hub-theme", cp.Blocks])
def test_a_theme_the_page_does_not_apply_warns(theme: Any) -> None:
    with pytest.warns(UserWarning, match="theme .* is not applied"):
        cp.Blocks(theme=theme)


@pytest.mark.parametrize("theme", [None, "auto", "light", "dark", "soft", "gradio/ocean", cp.themes.Glass()])
def test_the_themes_the_page_applies_do_not_warn(theme: Any) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cp.Blocks(theme=theme)


def test_launch_with_workers_is_refused_with_the_way_to_get_them(no_server: list[Any]) -> None:
    with pytest.raises(TypeError, match=r"launch\(\) does not take workers=.*carpool run app.py --workers"):
        cp.Interface(str.upper, "text", "text").launch(workers=4)
    assert no_server == []


def test_share_warns_with_its_reason(no_server: list[Any]) -> None:
    with pytest.warns(UserWarning, match=r"launch\(\) ignores: share \(share: .*reverse proxy"):
        cp.Interface(str.upper, "text", "text").launch(share=True)


def test_gradio_launch_options_carpool_does_not_use_warn_naming_them() -> None:
    demo = cp.Interface(str.upper, "text", "text")
    options = {"server_name": "127.0.0.1", "server_port": 0, "prevent_thread_lock": True, "quiet": True}
    with pytest.warns(UserWarning, match=r"launch\(\) ignores: inbrowser, max_threads \(inbrowser: "):
        server = launch(demo, inbrowser=True, max_threads=8, **options)
    server.close(timeout=10)
    with pytest.raises(TypeError, match="workers"):
        launch(demo, workers=2, **options)
