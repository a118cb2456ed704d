"""Code: source text in a monospace editor (``language`` is passed to the front end as a hint)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from carpool.components.events import Blurrable, Changeable, Focusable, Inputable
from carpool.components.text import OptionalText

__all__ = ["Code"]


class Code(Changeable, Inputable, Focusable, Blurrable, OptionalText):
    """Source code as a ``str``. A function may also return ``(path,)``: the file's text is shown."""

    block_type: ClassVar[str] = "code"
    # The language names Gradio's Code takes (None: plain text); the page shows them all as text for now.
    languages: ClassVar[list[str | None]] = [
        "python", "c", "cpp", "markdown", "latex", "json", "html", "css", "javascript", "jinja2",
        "typescript", "yaml", "dockerfile", "shell", "r", "sql", "sql-msSQL", "sql-mySQL",
        "sql-mariaDB", "sql-sqlite", "sql-cassandra", "sql-plSQL", "sql-hive", "sql-pgSQL", "sql-gql",
        "sql-gpSQL", "sql-sparkSQL", "sql-esper", None,
    ]  # fmt: skip

    def __init__(
        self,
        value: str | None = None,
        language: str | None = None,
        *,
        lines: int = 5,
        max_lines: int | None = None,
        wrap_lines: bool = False,
        show_line_numbers: bool = True,
        autocomplete: bool = False,
        buttons: list[str] | None = None,
        **common: Any,
    ) -> None:
        if language not in self.languages:
            choices = ", ".join(str(name) for name in self.languages)
            raise ValueError(f"Code language must be one of {choices}; got {language!r}")
        self.language = language
        self.lines = lines
        self.max_lines = max_lines
        self.wrap_lines = wrap_lines
        self.show_line_numbers = show_line_numbers
        self.autocomplete = autocomplete
        self.buttons = buttons
        super().__init__(value, **common)

    def postprocess(self, value: Any) -> str | None:
        if isinstance(value, tuple) and len(value) == 1:  # Gradio's "(path,)": show that file
            return Path(str(value[0])).read_text(encoding="utf-8")
        return super().postprocess(value)

    def example_payload(self) -> str:
        return "print('hello')"

    def component_props(self) -> dict[str, Any]:
        return {
            "language": self.language,
            "lines": self.lines,
            "max_lines": self.max_lines,
            "wrap_lines": self.wrap_lines,
            "show_line_numbers": self.show_line_numbers,
        }
