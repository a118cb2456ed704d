"""PCM WAV reading and writing with the stdlib ``wave`` module and numpy (no ffmpeg)."""

from __future__ import annotations

import io
import wave
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["read_wav", "to_pcm", "write_wav"]

MAX_CHANNELS = 32
_INT16_MAX = 32767


def _decode_frames(frames: bytes, sample_width: int) -> np.ndarray[Any, Any]:
    """Little-endian PCM bytes -> int16 (8/16-bit) or full-scale int32 (24/32-bit) samples."""
    if sample_width == 1:  # unsigned, centred on 128
        return ((np.frombuffer(frames, np.uint8).astype(np.int16) - 128) << 8).astype(np.int16)
    if sample_width == 2:
        return np.frombuffer(frames, "<i2").astype(np.int16)
    if sample_width == 3:
        raw = np.frombuffer(frames, np.uint8).reshape(-1, 3).astype(np.int32)
        # the 24 bits go to the top of the int32, which also sign-extends them
        return (raw[:, 0] << 8) | (raw[:, 1] << 16) | (raw[:, 2] << 24)
    if sample_width == 4:
        return np.frombuffer(frames, "<i4").astype(np.int32)
    raise wave.Error(f"unsupported sample width {sample_width}")


def read_wav(path: Path) -> tuple[int, np.ndarray[Any, Any]]:
    """``(sample_rate, samples)``: shape (n,) for mono, (n, channels) otherwise.

    Raises ``wave.Error``/``EOFError`` for anything but a PCM WAV file.
    """
    with wave.open(str(path), "rb") as reader:
        channels, width, rate = reader.getnchannels(), reader.getsampwidth(), reader.getframerate()
        frames = reader.readframes(reader.getnframes())
    frame_size = channels * width
    frames = frames[: len(frames) - len(frames) % frame_size]  # a truncated file ends mid-frame
    samples = _decode_frames(frames, width)
    return rate, samples if channels == 1 else samples.reshape(-1, channels)


def to_pcm(data: Any) -> np.ndarray[Any, Any]:
    """Samples as a WAV-writable array: uint8, int16 or int32 kept; floats in [-1, 1] -> int16.

    Floats louder than 1.0 are scaled down to fit rather than clipped; other integer types must fit
    int16.
    """
    array = np.asarray(data)
    if array.ndim not in (1, 2) or array.size == 0:
        raise ValueError(f"audio samples must have shape (n,) or (n, channels), got {array.shape}")
    if array.ndim == 2 and array.shape[1] > MAX_CHANNELS:
        raise ValueError(
            f"audio has {array.shape[1]} channels; shape must be (n, channels) -- pass data.T if it is "
            "(channels, n)"
        )
    if array.dtype in (np.uint8, np.int16, np.int32):
        return array
    if np.issubdtype(array.dtype, np.floating):
        if not np.isfinite(array).all():
            raise ValueError("audio samples contain NaN or infinity")
        peak = float(np.abs(array).max())
        scale = _INT16_MAX / peak if peak > 1 else _INT16_MAX
        return np.rint(array * scale).astype(np.int16)
    if np.issubdtype(array.dtype, np.integer) and array.min() >= -32768 and array.max() <= _INT16_MAX:
        return array.astype(np.int16)
    raise ValueError(f"audio samples of dtype {array.dtype} must be int16/int32, or floats in [-1, 1]")


def write_wav(sample_rate: int, data: Any) -> bytes:
    pcm = to_pcm(data)
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(1 if pcm.ndim == 1 else pcm.shape[1])
        writer.setsampwidth(pcm.dtype.itemsize)
        writer.setframerate(sample_rate)
        writer.writeframes(pcm.astype(pcm.dtype.newbyteorder("<")).tobytes())
    return buffer.getvalue()
