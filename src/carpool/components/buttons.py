"""Buttons with a built-in job: ClearButton (empties components) and DuplicateButton."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from carpool.components.base import Component
from carpool.components.display import Button

__all__ = ["ClearButton", "DuplicateButton"]


def _cleared(count: int) -> Any:
    """What a clear listener returns for ``count`` outputs: None for each (each shows its empty value)."""
    return None if count == 1 else (None,) * count


class ClearButton(Button):
    """A button that sets ``components`` to their empty value (``None``) when clicked; ``add`` more later."""

    def __init__(
        self, components: Component | Sequence[Component] | None = None, value: str = "Clear", **options: Any
    ) -> None:
        super().__init__(value, **options)
        self.cleared: list[Component] = []
        if components is not None:
            self.add(components)

    def add(self, components: Component | Sequence[Component]) -> ClearButton:
        """Also clear ``components`` on click (one listener each call, run in the browser's session)."""
        more = [components] if isinstance(components, Component) else list(components)
        self.cleared.extend(more)
        count = len(more)
        self.click(lambda: _cleared(count), None, more, api_name=False, queue=False)
        return self


class DuplicateButton(Button):
    """Gradio's "Duplicate this Space" button. Outside Hugging Face Spaces, as here, it does nothing."""

    block_type: ClassVar[str] = "button"

    def __init__(self, value: str = "Duplicate Space", *, variant: Any = "huge", **options: Any) -> None:
        super().__init__(value, variant=variant, **options)
