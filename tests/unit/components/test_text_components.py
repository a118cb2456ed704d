from __future__ import annotations

import numpy as np
import pytest

from carpool.app import CopyData
from carpool.components import HTML, Button, Markdown, Textbox
from carpool.exceptions import InvalidInputError


def test_textbox_preprocess_passes_strings_and_keeps_null_as_none_like_gradio() -> None:
    box = Textbox()
    assert box.preprocess("héllo") == "héllo"
    assert box.preprocess(None) is None
    assert box.postprocess(None) is None and box.config_value() is None


def test_textbox_buttons_copy_shows_the_copy_button_and_warns_about_custom_ones() -> None:
    assert Textbox(buttons=["copy"]).show_copy_button is True
    with pytest.warns(UserWarning, match="not shown: 'Refresh'"):
        box = Textbox(buttons=["copy", Button("Refresh", render=False)])
    assert box.show_copy_button is True


@pytest.mark.parametrize(
    ("payload", "got"), [(3, "number"), (True, "boolean"), (["a"], "array"), ({}, "object")]
)
def test_textbox_rejects_non_strings_naming_expected_and_got(payload: object, got: str) -> None:
    with pytest.raises(InvalidInputError, match=f"expected a string, got {got}"):
        Textbox().preprocess(payload)


def test_textbox_enforces_max_length() -> None:
    box = Textbox(max_length=3)
    assert box.preprocess("abc") == "abc"
    with pytest.raises(InvalidInputError, match="limit is 3"):
        box.preprocess("abcd")


def test_textbox_postprocess_accepts_text_and_numbers_only() -> None:
    box = Textbox()
    assert box.postprocess("a") == "a"
    assert box.postprocess(None) is None
    assert box.postprocess(2.5) == "2.5"
    assert box.postprocess(np.int64(7)) == "7"
    with pytest.raises(TypeError, match="Textbox output expects a str"):
        box.postprocess(["a"])
    with pytest.raises(TypeError, match="got bytes"):
        box.postprocess(b"a")


def test_textbox_config_and_schema() -> None:
    box = Textbox(lines=3, placeholder="type here", type="password", max_length=10)
    props = box.get_config()["props"]
    assert (props["lines"], props["placeholder"], props["type"], props["value"]) == (
        3,
        "type here",
        "password",
        None,
    )
    assert box.api_schema() == {"type": "string", "maxLength": 10}
    assert box.preprocess(box.example_payload()) == box.example_payload()


def test_textbox_rejects_an_unknown_type() -> None:
    with pytest.raises(ValueError, match="'text', 'password' or 'email'"):
        Textbox(type="number")  # type: ignore[arg-type]


def test_markdown_postprocess_dedents_and_rejects_non_text() -> None:
    md = Markdown()
    assert md.postprocess("\n    # Title\n    body\n") == "# Title\nbody"
    assert md.postprocess(None) is None
    with pytest.raises(TypeError):
        md.postprocess({"a": 1})
    with pytest.raises(InvalidInputError):
        md.preprocess(1)
    assert md.get_config()["props"]["sanitize_html"] is True


def test_html_round_trips_strings_and_rejects_other_types() -> None:
    html = HTML("<b>x</b>")
    assert html.postprocess("<i>y</i>") == "<i>y</i>"
    assert html.preprocess("<p>") == "<p>"
    assert html.get_config()["props"]["value"] == "<b>x</b>"
    with pytest.raises(InvalidInputError, match="got array"):
        html.preprocess([])


def test_markdown_takes_gradios_display_options() -> None:
    props = Markdown("# Hi", header_links=True, height=400, buttons=["copy"], render=False).get_config()[
        "props"
    ]
    assert props["header_links"] is True and props["height"] == 400 and props["show_copy_button"] is True
    assert Markdown(render=False).get_config()["props"]["show_copy_button"] is False
    with pytest.warns(UserWarning, match=r"Markdown\(buttons=...\) shows only 'copy'"):
        Markdown(buttons=["copy", Button("Share", render=False)], render=False)


def test_copy_data_carries_the_copied_value() -> None:
    data = CopyData(None, {"value": "World"})
    assert data.value == "World"
    assert callable(Textbox(render=False).copy) and callable(Markdown(render=False).copy)
