"""``RenderArea``: where a ``@carpool.render`` function's blocks appear in the page.

Its value is what the app layer builds from one run of the function: the new blocks' configs, their
layout and their listeners (see ``carpool.app._render``). It is never an input and has no API.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from carpool.components.base import Component

__all__ = ["RenderArea"]

_SPEC_KEYS = frozenset({"run", "components", "layout", "dependencies"})


class RenderArea(Component):
    """A column (or a row, inside a Row) whose content a render function replaces on every run."""

    block_type: ClassVar[str] = "render"

    def __init__(self, *, row: bool = False, render: bool = True) -> None:
        self.row = row
        super().__init__(None, container=False, render=render)

    def postprocess(self, value: Any) -> dict[str, Any] | None:
        if value is None:
            return None
        if not isinstance(value, Mapping) or not set(value) >= _SPEC_KEYS:
            raise TypeError("a RenderArea shows the result of a render run, not a value")
        return dict(value)

    def component_props(self) -> dict[str, Any]:
        return {"row": self.row}
