"""Audio: ``(sample_rate, samples)`` numpy pairs or file paths; WAV only for numpy (no ffmpeg)."""

from __future__ import annotations

import warnings
import wave
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

import numpy as np

from carpool.components._conversion import convert
from carpool.components._recording import RecordingEvents, media_buttons, media_sources
from carpool.components._wav import read_wav, write_wav
from carpool.components.events import Changeable, Clearable, Inputable, Playable, Uploadable
from carpool.components.files import current_file_store
from carpool.components.media import FileComponent, file_output, resolve_file_input
from carpool.exceptions import InvalidInputError
from carpool.protocol import FileData

__all__ = ["Audio", "WaveformOptions"]

AudioType = Literal["numpy", "filepath"]


@dataclass
class WaveformOptions:
    """Gradio's options for its waveform display. carpool's page plays audio in the browser's own player
    (no waveform), so they are kept but not used (``Audio(waveform_options=...)`` says so once)."""

    waveform_color: str | None = None
    waveform_progress_color: str | None = None
    trim_region_color: str | None = None
    show_recording_waveform: bool = True
    skip_length: int | float = 5
    sample_rate: int = 44100


class Audio(Changeable, Inputable, Clearable, Uploadable, Playable, RecordingEvents, FileComponent):
    """Audio. ``type="numpy"``: the function gets ``(sample_rate, samples)`` from a PCM WAV upload
    (int16 for 8/16-bit files, int32 for 24/32-bit; shape (n,) mono or (n, channels)) and may return the
    same (int16/int32, or floats in [-1, 1]), written as WAV. ``type="filepath"``: any audio file as a path.
    """

    block_type: ClassVar[str] = "audio"

    def __init__(
        self,
        value: Any = None,
        *,
        type: AudioType = "numpy",
        sources: str | Sequence[str] | None = None,
        streaming: bool = False,
        buttons: list[Any] | None = None,
        playback_position: float = 0,
        format: Literal["wav", "mp3"] | None = None,
        editable: bool = True,
        recording: bool = False,
        autoplay: bool = False,
        loop: bool = False,
        show_download_button: bool = True,
        waveform_options: WaveformOptions | dict[str, Any] | None = None,
        **common: Any,
    ) -> None:
        if type not in ("numpy", "filepath"):
            raise ValueError(f"Audio type must be 'numpy' or 'filepath', got {type!r}")
        if isinstance(waveform_options, dict):
            waveform_options = WaveformOptions(**waveform_options)
        if waveform_options is not None:
            warnings.warn(
                "Audio(waveform_options=...): the page plays audio in the browser's own player, without a "
                "waveform, so these options are not used",
                UserWarning,
                stacklevel=3,
            )
        self.waveform_options = waveform_options
        self.type = type
        default = ("microphone",) if streaming else ("upload", "microphone")
        self.sources = media_sources("Audio", sources, ("upload", "microphone"), default)
        if streaming and "microphone" not in self.sources:
            raise ValueError("Audio streaming is only available if sources includes 'microphone'")
        self.streaming = streaming
        if format not in (None, "wav"):
            raise ValueError(
                f"Audio format must be 'wav' or None (mp3 needs an encoder carpool lacks), got {format!r}"
            )
        self.format = format
        self.editable = editable  # Gradio's trimming controls; the page has none (docs/components.md)
        self.recording = recording
        self.buttons = media_buttons(buttons, ("download", "share"))
        self.playback_position = playback_position
        self.autoplay = autoplay
        self.loop = loop
        self.show_download_button = show_download_button
        super().__init__(value, **common)

    def preprocess(self, payload: Any) -> Any:
        if payload is None:
            return None
        record = resolve_file_input(payload)
        if self.type == "filepath":
            return str(record.path)
        try:
            return convert(read_wav, record.path)
        except (wave.Error, EOFError, ValueError):
            raise InvalidInputError(
                "Audio(type='numpy') reads PCM WAV files only; use type='filepath' for other formats"
            ) from None

    def postprocess(self, value: Any) -> FileData | None:
        if value is None:
            return None
        if isinstance(value, tuple | list) and len(value) == 2:
            return self._encode(*value)
        if isinstance(value, np.ndarray):
            raise TypeError("Audio output expects (sample_rate, samples), got a bare array")
        return file_output(self, value)

    def _encode(self, sample_rate: Any, samples: Any) -> FileData:
        if isinstance(sample_rate, bool) or not isinstance(sample_rate, int | np.integer) or sample_rate <= 0:
            raise TypeError(f"Audio output's sample rate must be a positive int, got {sample_rate!r}")
        encoded = convert(write_wav, int(sample_rate), samples)
        return current_file_store().add_bytes(encoded, "audio.wav")

    def component_props(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "sources": self.sources,
            "streaming": self.streaming,
            "stream_every": self.stream_every,
            "buttons": self.buttons,
            "playback_position": self.playback_position,
            "autoplay": self.autoplay,
            "loop": self.loop,
            "show_download_button": self.show_download_button,
            "format": self.format,
            "editable": self.editable,
            "recording": self.recording,
        }
