"""Layouts: containers used as ``with cp.Row():`` that place the blocks created inside them.

A layout is itself a block: it goes into the container that is open when it is created, then, inside its
``with``, makes itself the current container (``carpool._context.open_container``). ``Tab`` needs a
``Tabs`` parent: consecutive tabs created directly in another container share an implicit ``Tabs``.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from types import TracebackType
from typing import Any, ClassVar, Literal

from carpool import _context
from carpool.components.base import Block
from carpool.components.events import Changeable, Collapsible, Selectable

__all__ = [
    "Accordion",
    "Column",
    "Draggable",
    "Group",
    "Layout",
    "Row",
    "Sidebar",
    "Step",
    "Tab",
    "TabItem",
    "Tabs",
    "Walkthrough",
]

Variant = Literal["default", "panel", "compact"]


class Layout(Block):
    """A block holding other blocks in ``children``, in creation order."""

    block_type: ClassVar[str] = "layout"

    def __init__(self, **common: Any) -> None:
        self.children: list[Block] = []
        self._open: list[AbstractContextManager[None]] = []
        super().__init__(**common)

    def add_child(self, block: Block) -> None:
        self.children.append(block)

    def __enter__(self) -> Any:
        opened = _context.open_container(self)
        opened.__enter__()
        self._open.append(opened)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._open.pop().__exit__(exc_type, exc, tb)


class Row(Layout):
    """Children side by side (wrapping on narrow screens)."""

    block_type: ClassVar[str] = "row"

    def __init__(self, *, variant: Variant = "default", equal_height: bool = False, **common: Any) -> None:
        self.variant = variant
        self.equal_height = equal_height
        super().__init__(**common)

    def props(self) -> dict[str, Any]:
        return {**super().props(), "variant": self.variant, "equal_height": self.equal_height}


class Column(Layout):
    """Children stacked vertically; in a Row, ``scale`` and ``min_width`` size the column."""

    block_type: ClassVar[str] = "column"

    def __init__(
        self, *, scale: int = 1, min_width: int = 320, variant: Variant = "default", **common: Any
    ) -> None:
        self.scale = scale
        self.min_width = min_width
        self.variant = variant
        super().__init__(**common)

    def props(self) -> dict[str, Any]:
        extra = {"scale": self.scale, "min_width": self.min_width, "variant": self.variant}
        return {**super().props(), **extra}


class Group(Layout):
    """Children drawn as one unit, without gaps or padding between them."""

    block_type: ClassVar[str] = "group"


class Draggable(Layout):
    """Children in a row or column that the user may reorder by dragging (the order stays in the page)."""

    block_type: ClassVar[str] = "draggable"

    def __init__(self, *, orientation: Literal["row", "column"] = "column", **common: Any) -> None:
        if orientation not in ("row", "column"):
            raise ValueError(f"Draggable orientation must be 'row' or 'column', got {orientation!r}")
        self.orientation = orientation
        super().__init__(**common)

    def props(self) -> dict[str, Any]:
        return {**super().props(), "orientation": self.orientation}


class Accordion(Collapsible, Layout):
    """A titled section the user can open and close."""

    block_type: ClassVar[str] = "accordion"

    def __init__(self, label: str | None = None, *, open: bool = True, **common: Any) -> None:
        self.label = label
        self.open = open
        super().__init__(**common)

    def props(self) -> dict[str, Any]:
        return {**super().props(), "label": self.label, "open": self.open}


class Sidebar(Collapsible, Layout):
    """A panel at the left (or right) edge of the page that the user can open and close."""

    block_type: ClassVar[str] = "sidebar"

    def __init__(
        self,
        label: str | None = None,
        *,
        open: bool = True,
        position: Literal["left", "right"] = "left",
        width: int | str = 320,
        **common: Any,
    ) -> None:
        if position not in ("left", "right"):
            raise ValueError(f"Sidebar position must be 'left' or 'right', got {position!r}")
        self.label = label
        self.open = open
        self.position = position
        self.width = f"{width}px" if isinstance(width, int) else width
        super().__init__(**common)

    def props(self) -> dict[str, Any]:
        extra = {"label": self.label, "open": self.open, "position": self.position, "width": self.width}
        return {**super().props(), **extra}


class Tabs(Changeable, Selectable, Layout):
    """A set of tabs; ``selected`` is the id (or index) of the tab shown first."""

    block_type: ClassVar[str] = "tabs"

    def __init__(self, *, selected: int | str | None = None, **common: Any) -> None:
        self.selected = selected
        self.implicit = False
        super().__init__(**common)

    def props(self) -> dict[str, Any]:
        return {**super().props(), "selected": self.selected}


class Tab(Selectable, Layout):
    """One tab of a ``Tabs``; created elsewhere, it joins (or starts) an implicit ``Tabs``."""

    block_type: ClassVar[str] = "tab"

    def __init__(
        self,
        label: str | None = None,
        *,
        id: int | str | None = None,
        interactive: bool = True,
        scale: int | None = None,
        render_children: bool = False,
        **common: Any,
    ) -> None:
        self.label = label
        self.tab_id = id
        self.interactive = interactive
        self.scale = scale
        # Gradio draws an inactive tab's children only when asked to; the page here always draws them
        # (hidden until the tab is chosen), so both values behave as Gradio's True.
        self.render_children = render_children
        super().__init__(**common)

    def _attach(self, container: Any) -> None:
        if not isinstance(container, Tabs):
            container = self._implicit_tabs(container)
            self.parent = container
        super()._attach(container)

    @staticmethod
    def _implicit_tabs(container: Any) -> Tabs:
        siblings = getattr(container, "children", None)
        last = siblings[-1] if siblings else None
        if isinstance(last, Tabs) and last.implicit:
            return last
        tabs = Tabs()  # renders itself into the open container
        tabs.implicit = True
        return tabs

    def props(self) -> dict[str, Any]:
        extra = {"label": self.label, "id": self.tab_id, "interactive": self.interactive, "scale": self.scale}
        return {**super().props(), **extra}


TabItem = Tab


class Walkthrough(Tabs):
    """Steps shown one at a time under a numbered header; ``selected`` is the step shown (its id or
    index), and a function moves on by returning ``Walkthrough(selected=...)``."""

    block_type: ClassVar[str] = "walkthrough"


class Step(Tab):
    """One step of a ``Walkthrough``."""

    block_type: ClassVar[str] = "step"

    def __init__(
        self,
        label: str | None = None,
        visible: bool = True,
        interactive: bool = True,
        *,
        id: int | str | None = None,
        **common: Any,
    ) -> None:
        super().__init__(label, id=id, interactive=interactive, visible=visible, **common)

    def _attach(self, container: Any) -> None:
        if not isinstance(container, Walkthrough):
            raise ValueError(f"{self!r} must be created inside a `with carpool.Walkthrough():` block")
        super()._attach(container)
