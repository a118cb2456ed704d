"""Text components: Textbox, Markdown, HTML."""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Sequence
from typing import Any, ClassVar, Literal

import numpy as np

from carpool.components.base import Component, json_type_name
from carpool.components.events import (
    Blurrable,
    Changeable,
    Copyable,
    Focusable,
    Inputable,
    Selectable,
    Submittable,
)
from carpool.exceptions import InvalidInputError

__all__ = ["Markdown", "OptionalText", "Text", "TextArea", "Textbox", "passes_text_through", "text_output"]

TextboxType = Literal["text", "password", "email"]


def text_output(component: Component, value: Any) -> str:
    """A function's return shown as text: strings and numbers, nothing else (a list is most likely a bug)."""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float | np.number | np.bool_):
        return str(value)
    raise TypeError(
        f"{type(component).__name__} output expects a str (or a number), got {type(value).__name__}"
    )


class OptionalText(Component):
    """A component whose wire value is a string or null, shown as text (Markdown, HTML, Button)."""

    def preprocess(self, payload: Any) -> str | None:
        if payload is not None and not isinstance(payload, str):
            raise InvalidInputError(f"expected a string, got {json_type_name(payload)}")
        return payload

    def postprocess(self, value: Any) -> str | None:
        return None if value is None else text_output(self, value)

    def api_schema(self) -> dict[str, Any]:
        return {"type": "string"}


class Textbox(Changeable, Inputable, Submittable, Focusable, Blurrable, Selectable, Copyable, Component):
    """A single- or multi-line text field; the function receives a ``str``."""

    block_type: ClassVar[str] = "textbox"

    def __init__(
        self,
        value: str | None = None,
        *,
        lines: int = 1,
        max_lines: int | None = None,
        placeholder: str | None = None,
        type: TextboxType = "text",
        max_length: int | None = None,
        autofocus: bool = False,
        show_copy_button: bool = False,
        rtl: bool = False,
        buttons: Sequence[Any] | None = None,
        **common: Any,
    ) -> None:
        if type not in ("text", "password", "email"):
            raise ValueError(f"Textbox type must be 'text', 'password' or 'email', got {type!r}")
        self.lines = lines
        self.max_lines = max(lines, 20) if max_lines is None else max_lines
        self.placeholder = placeholder
        self.type = type
        self.max_length = max_length
        self.autofocus = autofocus
        self.show_copy_button = show_copy_button or _wants_copy_button(buttons)
        self.rtl = rtl
        super().__init__(value, **common)

    def preprocess(self, payload: Any) -> str | None:
        # null (an API call that sends none, a cleared box) stays None, as in Gradio
        if payload is None:
            return None
        if not isinstance(payload, str):
            raise InvalidInputError(f"expected a string, got {json_type_name(payload)}")
        if self.max_length is not None and len(payload) > self.max_length:
            raise InvalidInputError(f"text is {len(payload)} characters long; the limit is {self.max_length}")
        return payload

    def postprocess(self, value: Any) -> str | None:
        return None if value is None else text_output(self, value)

    def api_schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "string"}
        if self.max_length is not None:
            schema["maxLength"] = self.max_length
        return schema

    def example_payload(self) -> str:
        return "Hello!!"

    def component_props(self) -> dict[str, Any]:
        return {
            "lines": self.lines,
            "max_lines": self.max_lines,
            "placeholder": self.placeholder,
            "type": self.type,
            "max_length": self.max_length,
            "autofocus": self.autofocus,
            "show_copy_button": self.show_copy_button,
            "rtl": self.rtl,
        }


def _wants_copy_button(buttons: Sequence[Any] | None, where: str = "Textbox") -> bool:
    """Gradio's ``buttons=["copy", ...]``: "copy" is shown; custom buttons are not (warned once)."""
    if buttons is None:
        return False
    custom = [b for b in buttons if b != "copy"]
    if custom:
        names = ", ".join(repr(getattr(b, "value", b)) for b in custom)
        warnings.warn(f"{where}(buttons=...) shows only 'copy'; not shown: {names}", stacklevel=4)
    return "copy" in buttons


Text = Textbox  # Gradio's other name for it


class TextArea(Textbox):
    """A Textbox that starts 7 lines high (Gradio's ``TextArea`` template)."""

    def __init__(
        self, value: str | None = None, *, lines: int = 7, max_lines: int = 20, **options: Any
    ) -> None:
        super().__init__(value, lines=lines, max_lines=max_lines, **options)


def passes_text_through(component: Any) -> bool:
    """Whether ``component`` converts a str or None to itself, both ways (a Textbox with no max_length).

    Then a dependency of such components only has to check that its values are strings, which is what
    lets a fast text function skip the per-component conversion calls (``Dependency.text_only``).
    Exact types only: a subclass may convert differently.
    """
    return type(component) in (Textbox, TextArea) and component.max_length is None


class Markdown(Changeable, Copyable, OptionalText):
    """Markdown rendered by the front end (raw HTML in it is sanitized unless ``sanitize_html=False``).

    ``header_links=True`` gives each heading an anchor to link to; ``buttons=["copy"]`` shows a copy button
    (``.copy`` fires with the source). LaTeX is not rendered: ``latex_delimiters`` is kept for Gradio's
    signature only.
    """

    block_type: ClassVar[str] = "markdown"

    def __init__(
        self,
        value: str | None = None,  # Gradio's default: the page shows nothing
        *,
        sanitize_html: bool = True,
        line_breaks: bool = False,
        rtl: bool = False,
        header_links: bool = False,
        height: int | str | None = None,
        max_height: int | str | None = None,
        min_height: int | str | None = None,
        buttons: Sequence[Any] | None = None,
        padding: bool = True,
        latex_delimiters: list[dict[str, Any]] | None = None,
        **common: Any,
    ) -> None:
        self.sanitize_html = sanitize_html
        self.line_breaks = line_breaks
        self.rtl = rtl
        self.header_links = header_links
        self.height, self.max_height, self.min_height = height, max_height, min_height
        self.show_copy_button = _wants_copy_button(buttons, "Markdown")
        self.padding = padding
        self.latex_delimiters = latex_delimiters
        super().__init__(value, **common)

    def postprocess(self, value: Any) -> str | None:
        # cleandoc: a triple-quoted string indented with the code renders as intended, not as code blocks
        text = super().postprocess(value)
        return None if text is None else inspect.cleandoc(text)

    def example_payload(self) -> str:
        return "# Hello!"

    def component_props(self) -> dict[str, Any]:
        sizes = {"height": self.height, "max_height": self.max_height, "min_height": self.min_height}
        return {
            "sanitize_html": self.sanitize_html,
            "line_breaks": self.line_breaks,
            "rtl": self.rtl,
            "header_links": self.header_links,
            "show_copy_button": self.show_copy_button,
            "padding": self.padding,
            **sizes,
        }
