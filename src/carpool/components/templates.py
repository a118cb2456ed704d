"""Gradio's preset components that only change defaults: ``Microphone`` and ``PlayableVideo``.

(``TextArea``, ``Sketchpad``, ``Paint``, ``ImageMask`` and the Dataframe presets live beside the
components they preset.)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from carpool.components.audio import Audio
from carpool.components.media import Video

__all__ = ["Microphone", "PlayableVideo"]


class Microphone(Audio):
    """An ``Audio`` recorded from the microphone (``sources=["microphone"]``)."""

    def __init__(
        self, value: Any = None, *, sources: Sequence[str] = ("microphone",), **options: Any
    ) -> None:
        super().__init__(value, sources=sources, **options)


class PlayableVideo(Video):
    """Gradio's ``Video(format="mp4")``. carpool does not transcode: the file is passed and served as it
    is, so a video the browser cannot play stays unplayable (convert it in your function)."""
