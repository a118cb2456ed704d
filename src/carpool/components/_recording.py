"""What Audio and Video share about recording: their sources, ``streaming=``, and recording events.

The page records with ``getUserMedia`` + ``MediaRecorder`` (``static/components/recorder.js``) and
uploads the recording, so a recording reaches the function as any uploaded file (Audio's as a WAV).
A streaming Audio (``streaming=True``) sends what the microphone heard every ``stream_every`` seconds
as a WAV chunk (the value, and a ``stream`` event); a streaming Video is accepted with a warning (its
recording is sent when the user stops; streamed media outputs are not sent either).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

from carpool.components.events import Endable, Recordable, Streamable

__all__ = [
    "MediaEvents",
    "RecordingEvents",
    "media_buttons",
    "media_sources",
    "warn_streaming",
    "webcam_props",
]

_warned: set[str] = set()


class RecordingEvents(Recordable, Streamable):
    """start_recording / pause_recording / stop_recording and stream."""


class MediaEvents(RecordingEvents, Endable):
    """Recording events and ``end`` (Video)."""


def media_sources(
    component: str, sources: str | Sequence[str] | None, allowed: Sequence[str], default: Sequence[str]
) -> list[str]:
    """``sources`` as a list (one name or several; None: ``default``), each one of ``allowed``."""
    chosen = list(default) if sources is None else [sources] if isinstance(sources, str) else list(sources)
    unknown = [name for name in chosen if name not in allowed]
    if unknown or not chosen:
        raise ValueError(f"{component} sources must be some of {', '.join(allowed)}; got {chosen!r}")
    return chosen


def warn_streaming(component: str) -> None:
    """Once per component kind: what ``streaming=True`` does here."""
    if component in _warned:
        return
    _warned.add(component)
    warnings.warn(
        f"{component}(streaming=True): the page sends the recording when the user stops; live chunks and "
        "streamed outputs are not sent yet",
        UserWarning,
        stacklevel=3,
    )


def media_buttons(buttons: Sequence[Any] | None, default: Sequence[str]) -> list[Any]:
    """Gradio's ``buttons=``: which of the media's buttons show (the page draws "download")."""
    return list(default) if buttons is None else list(buttons)


def webcam_props(options: Any) -> dict[str, Any]:
    """A ``WebcamOptions`` (``mirror``, ``constraints``: getUserMedia's) as the page reads it."""
    if options is None:
        return {"mirror": True, "constraints": None}
    constraints = getattr(options, "constraints", None)
    if constraints is not None and not isinstance(constraints, dict):
        raise TypeError(f"WebcamOptions constraints must be a dict (getUserMedia's), got {constraints!r}")
    return {"mirror": bool(getattr(options, "mirror", True)), "constraints": constraints}
