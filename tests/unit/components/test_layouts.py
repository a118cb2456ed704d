from __future__ import annotations

import pytest
from component_fakes import FakeBlocks

from carpool import _context
from carpool.components import (
    Accordion,
    Button,
    Column,
    Draggable,
    Group,
    Row,
    Step,
    Tab,
    TabItem,
    Tabs,
    Textbox,
    Walkthrough,
)


def test_layouts_nest_and_blocks_land_in_the_innermost_open_one(blocks: FakeBlocks) -> None:
    with Row() as row:
        with Column(scale=2) as column:
            box = Textbox()
            with Group() as group:
                button = Button()
        other = Textbox()
    after = Textbox()
    assert blocks.children == [row, after]
    assert row.children == [column, other]
    assert column.children == [box, group]
    assert group.children == [button]
    assert set(blocks.blocks) == {b.id for b in (row, column, box, group, button, other, after)}


def test_a_layout_restores_the_previous_container_on_exit_even_after_an_error(blocks: FakeBlocks) -> None:
    try:
        with Row():
            raise KeyError("boom")
    except KeyError:
        pass
    assert _context.current_container() is blocks


def test_layout_config_carries_its_props() -> None:
    assert Row(variant="panel", equal_height=True).get_config()["props"] == {
        "visible": True,
        "elem_id": None,
        "elem_classes": [],
        "variant": "panel",
        "equal_height": True,
    }
    column = Column(scale=3, min_width=100).get_config()
    assert (
        column["type"] == "column" and column["props"]["scale"] == 3 and column["props"]["min_width"] == 100
    )
    accordion = Accordion("More", open=False).get_config()
    assert accordion["type"] == "accordion" and accordion["props"]["label"] == "More"
    assert accordion["props"]["open"] is False


def test_consecutive_tabs_share_one_implicit_tabs(blocks: FakeBlocks) -> None:
    with Tab("One") as one:
        first = Textbox()
    with TabItem("Two") as two:
        pass
    assert len(blocks.children) == 1
    tabs = blocks.children[0]
    assert isinstance(tabs, Tabs) and tabs.children == [one, two]
    assert one.children == [first] and one.parent is tabs
    assert one.get_config()["props"]["label"] == "One"


def test_tabs_separated_by_another_block_get_separate_implicit_tabs(blocks: FakeBlocks) -> None:
    with Tab("A"):
        pass
    Textbox()
    with Tab("B"):
        pass
    kinds = [type(child).__name__ for child in blocks.children]
    assert kinds == ["Tabs", "Textbox", "Tabs"]


def test_tabs_given_explicitly_hold_their_tabs(blocks: FakeBlocks) -> None:
    with Tabs(selected="b") as tabs:
        with Tab("A", id="a") as a:
            pass
        with Tab("B", id="b") as b:
            pass
    assert blocks.children == [tabs] and tabs.children == [a, b]
    assert tabs.get_config()["props"]["selected"] == "b"
    assert b.get_config()["props"]["id"] == "b"


def test_layout_listeners_register_their_events(blocks: FakeBlocks) -> None:
    with Accordion("x") as accordion, Tab("t") as tab:
        pass
    accordion.expand(print)
    tab.select(print)
    assert [e.triggers[0] for e in blocks.events] == [(accordion, "expand"), (tab, "select")]


def test_a_layout_returned_from_a_function_is_an_update() -> None:
    assert Column(visible=False).update_props() == {"__type__": "update", "visible": False}


def test_tab_takes_gradios_scale_and_render_children() -> None:
    tab = Tab("Later", scale=2, render_children=True, render=False)
    assert tab.render_children is True
    props = tab.get_config()["props"]
    assert props["scale"] == 2 and props["label"] == "Later"


def test_draggable_places_its_children_and_says_which_way_they_run(blocks: FakeBlocks) -> None:
    with Draggable(orientation="row") as board:
        first, second = Textbox(), Textbox()
    assert board.children == [first, second]
    assert board.get_config()["type"] == "draggable"
    assert board.get_config()["props"]["orientation"] == "row"
    with pytest.raises(ValueError, match="orientation must be 'row' or 'column', got 'grid'"):
        Draggable(orientation="grid")  # type: ignore[arg-type]


def test_steps_live_in_a_walkthrough_and_nowhere_else(blocks: FakeBlocks) -> None:
    with Walkthrough(selected=1) as walkthrough:
        with Step("Image", id=0) as first:
            Textbox()
        with Step("Prompt", id=1) as second:
            pass
    assert walkthrough.children == [first, second]
    assert walkthrough.get_config()["type"] == "walkthrough"
    assert walkthrough.get_config()["props"]["selected"] == 1
    assert second.get_config()["props"]["label"] == "Prompt"
    with pytest.raises(ValueError, match=r"must be created inside a `with carpool.Walkthrough\(\):`"):
        Step("Lost")


def test_a_layout_returned_by_a_function_is_an_update_of_its_props() -> None:
    tabs, column = Walkthrough(render=False), Column(render=False)
    assert tabs.postprocess_update(Walkthrough(selected=1, render=False).update_props()) == {
        "__type__": "update",
        "selected": 1,
    }
    hidden = Column(visible=False, elem_classes="wide", render=False).update_props()
    assert column.postprocess_update(hidden) == {
        "__type__": "update",
        "visible": False,
        "elem_classes": ["wide"],
    }
