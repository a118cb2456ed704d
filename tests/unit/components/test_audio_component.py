from __future__ import annotations

import io
import wave
from pathlib import Path

import numpy as np
import pytest
from component_fakes import upload

from carpool.components import Audio, FileStore
from carpool.exceptions import InvalidInputError


def wav_bytes(samples: bytes, *, width: int, channels: int = 1, rate: int = 8000) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(channels)
        writer.setsampwidth(width)
        writer.setframerate(rate)
        writer.writeframes(samples)
    return buffer.getvalue()


def test_int16_mono_round_trips_exactly(store: FileStore) -> None:
    audio = Audio()
    samples = np.array([0, 1000, -1000, 32767, -32768], dtype=np.int16)
    wire = audio.postprocess((16000, samples))
    assert wire is not None and wire["mime_type"] in ("audio/x-wav", "audio/wav")
    rate, back = audio.preprocess(wire)
    assert rate == 16000 and back.dtype == np.int16
    np.testing.assert_array_equal(back, samples)


def test_stereo_keeps_its_n_by_channels_shape(store: FileStore) -> None:
    audio = Audio()
    samples = np.arange(20, dtype=np.int16).reshape(10, 2)
    rate, back = audio.preprocess(audio.postprocess((44100, samples)))
    assert rate == 44100 and back.shape == (10, 2)
    np.testing.assert_array_equal(back, samples)


def test_float_samples_are_written_as_int16(store: FileStore) -> None:
    audio = Audio()
    _, back = audio.preprocess(audio.postprocess((8000, np.array([0.0, 0.5, -1.0, 1.0]))))
    np.testing.assert_array_equal(back, np.array([0, 16384, -32767, 32767], np.int16))


def test_loud_float_samples_are_scaled_down_not_clipped(store: FileStore) -> None:
    audio = Audio()
    _, back = audio.preprocess(audio.postprocess((8000, np.array([2.0, -1.0]))))
    np.testing.assert_array_equal(back, np.array([32767, -16384], np.int16))


def test_int32_round_trips_as_int32(store: FileStore) -> None:
    audio = Audio()
    samples = np.array([2**31 - 1, -(2**31), 5], dtype=np.int32)
    _, back = audio.preprocess(audio.postprocess((8000, samples)))
    assert back.dtype == np.int32
    np.testing.assert_array_equal(back, samples)


def test_8_bit_and_24_bit_wav_inputs_are_widened(store: FileStore) -> None:
    eight = upload(store, wav_bytes(bytes([128, 255, 0]), width=1), "8.wav")
    _, samples8 = Audio().preprocess(eight)
    np.testing.assert_array_equal(samples8, np.array([0, 127 << 8, -128 << 8], np.int16))
    twenty_four = upload(store, wav_bytes(b"\x00\x00\x80" + b"\xff\xff\x7f", width=3), "24.wav")
    _, samples24 = Audio().preprocess(twenty_four)
    assert samples24.dtype == np.int32
    np.testing.assert_array_equal(samples24, np.array([-(2**31), (2**23 - 1) << 8], np.int32))


def test_numpy_type_rejects_files_that_are_not_pcm_wav(store: FileStore) -> None:
    with pytest.raises(InvalidInputError, match="PCM WAV files only"):
        Audio().preprocess(upload(store, b"ID3\x03\x00fake mp3", "song.mp3"))
    truncated = wav_bytes(b"\x01\x00" * 100, width=2)[:30]
    with pytest.raises(InvalidInputError, match="PCM WAV"):
        Audio().preprocess(upload(store, truncated, "cut.wav"))


def test_filepath_type_passes_any_audio_file_as_a_path(store: FileStore, tmp_path: Path) -> None:
    data = upload(store, b"ID3 fake mp3", "song.mp3")
    path = Audio(type="filepath").preprocess(data)
    assert Path(path).read_bytes() == b"ID3 fake mp3"
    mp3 = tmp_path / "out.mp3"
    mp3.write_bytes(b"mp3")
    wire = Audio(type="filepath").postprocess(str(mp3))
    assert wire is not None and wire["orig_name"] == "out.mp3" and wire["mime_type"] == "audio/mpeg"


@pytest.mark.parametrize(
    ("value", "error", "match"),
    [
        (np.zeros(4, np.int16), TypeError, "bare array"),
        ((0, np.zeros(4, np.int16)), TypeError, "sample rate"),
        (("8000", np.zeros(4, np.int16)), TypeError, "sample rate"),
        ((8000, np.zeros((2, 2, 2), np.int16)), ValueError, "shape"),
        ((8000, np.zeros((2, 4000), np.int16)), ValueError, r"data\.T"),
        ((8000, np.array([np.nan])), ValueError, "NaN"),
        ((8000, np.array([70000])), ValueError, "int16/int32"),
        ((8000, np.array([], np.int16)), ValueError, "shape"),
        (3.5, TypeError, "file path"),
    ],
)
def test_audio_postprocess_rejects_bad_returns(
    store: FileStore, value: object, error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        Audio().postprocess(value)


def test_audio_config_and_unknown_type() -> None:
    props = Audio(type="filepath", autoplay=True).get_config()["props"]
    assert (props["type"], props["autoplay"], props["value"]) == ("filepath", True, None)
    with pytest.raises(ValueError, match="'numpy' or 'filepath'"):
        Audio(type="pydub")  # type: ignore[arg-type]
