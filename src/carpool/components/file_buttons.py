"""``UploadButton`` and ``DownloadButton``: buttons that take a file from the user or hand one over.

``UploadButton`` converts as ``File`` does (a path, or bytes with ``type="binary"``; a list with
``file_count="multiple"``) and fires ``upload`` when its files have arrived, ``click`` when pressed.
``DownloadButton``'s value is the file to download (a path the function returns); the function receives
its path back as an input. Both show ``label`` as the button's text, as in Gradio.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar, Literal

from carpool.components.events import Clickable
from carpool.components.media import File, FileComponent, FileCount, FileType, file_output, resolve_file_input
from carpool.protocol import FileData

__all__ = ["DownloadButton", "UploadButton"]

Variant = Literal["primary", "secondary", "stop", "huggingface"]
Size = Literal["sm", "md", "lg"]


class UploadButton(Clickable, File):
    """A button that opens the file picker; its value is the uploaded file(s)."""

    block_type: ClassVar[str] = "uploadbutton"

    def __init__(
        self,
        label: str = "Upload a File",
        value: str | Sequence[str] | None = None,
        *,
        variant: Variant = "secondary",
        size: Size = "lg",
        icon: str | None = None,
        type: FileType = "filepath",
        file_count: FileCount = "single",
        file_types: Sequence[str] | None = None,
        **common: Any,
    ) -> None:
        self.variant = variant
        self.size = size
        self.icon = icon
        super().__init__(
            value, file_count=file_count, file_types=file_types, type=type, label=label, **common
        )

    def component_props(self) -> dict[str, Any]:
        return {**super().component_props(), "variant": self.variant, "size": self.size, "icon": self.icon}


class DownloadButton(Clickable, FileComponent):
    """A button that downloads its value, a file the app (or a function) gives it."""

    block_type: ClassVar[str] = "downloadbutton"

    def __init__(
        self,
        label: str = "Download",
        value: str | None = None,
        *,
        variant: Variant = "secondary",
        size: Size = "lg",
        icon: str | None = None,
        **common: Any,
    ) -> None:
        self.variant = variant
        self.size = size
        self.icon = icon
        super().__init__(value, label=label, **common)

    def preprocess(self, payload: Any) -> str | None:
        return None if payload is None else str(resolve_file_input(payload).path)

    def postprocess(self, value: Any) -> FileData | None:
        return None if value is None else file_output(self, value)

    def component_props(self) -> dict[str, Any]:
        return {"variant": self.variant, "size": self.size, "icon": self.icon}
