from __future__ import annotations

import pytest
from component_fakes import FakeBlocks

from carpool.components import SHORTCUTS, File, Number, State, Textbox, get_component

EXPECTED = {
    "textbox": "textbox",
    "text": "textbox",
    "number": "number",
    "slider": "slider",
    "checkbox": "checkbox",
    "checkboxgroup": "checkboxgroup",
    "dropdown": "dropdown",
    "radio": "radio",
    "label": "label",
    "json": "json",
    "markdown": "markdown",
    "html": "html",
    "image": "image",
    "audio": "audio",
    "video": "video",
    "file": "file",
    "files": "file",
    "gallery": "gallery",
    "state": "state",
    "button": "button",
}


@pytest.mark.parametrize(("name", "block_type"), sorted(EXPECTED.items()))
def test_shortcut_names_build_fresh_components(name: str, block_type: str) -> None:
    first, second = get_component(name), get_component(name.upper())
    assert first.block_type == block_type and first is not second


def test_files_shortcut_accepts_several_files() -> None:
    files = get_component("files")
    assert isinstance(files, File) and files.file_count == "multiple"
    assert isinstance(get_component("state"), State)


def test_shortcuts_are_not_placed_in_the_open_container(blocks: FakeBlocks) -> None:
    get_component("text")
    assert blocks.children == []


def test_components_and_classes_are_accepted_too() -> None:
    box = Textbox()
    assert get_component(box) is box
    assert isinstance(get_component(Number), Number)


def test_an_unknown_name_lists_the_valid_ones() -> None:
    with pytest.raises(ValueError, match=r"unknown component 'spreadsheet'; valid names: .*textbox"):
        get_component("spreadsheet")
    with pytest.raises(TypeError):
        get_component(3)  # type: ignore[arg-type]
    assert set(EXPECTED) <= set(SHORTCUTS)
