from __future__ import annotations

import pytest

from carpool.components import Audio, ImageEditor, Sketchpad, Video, WaveformOptions, get_component
from carpool.components.templates import Microphone, PlayableVideo


def test_class_names_with_underscores_and_any_case_are_shortcuts_as_in_gradio() -> None:
    assert isinstance(get_component("playable_video"), PlayableVideo)
    assert isinstance(get_component("Image_Editor"), ImageEditor)
    assert isinstance(get_component("sketchpad"), Sketchpad)
    microphone = get_component("microphone")
    assert isinstance(microphone, Microphone) and isinstance(microphone, Audio)
    assert microphone.sources == ["microphone"]


def test_an_unknown_shortcut_still_names_the_valid_ones() -> None:
    with pytest.raises(ValueError, match=r"unknown component 'micro_phone_x'; valid names: .*microphone"):
        get_component("micro_phone_x")


def test_presets_only_change_defaults() -> None:
    assert Microphone(sources=["upload"], render=False).sources == ["upload"]
    video = PlayableVideo(render=False)
    assert isinstance(video, Video) and video.get_config()["type"] == "video"


def test_video_has_the_input_event() -> None:
    assert callable(Video(render=False).input)


def test_waveform_options_are_kept_and_said_to_be_unused() -> None:
    options = WaveformOptions(waveform_color="#01C6FF", skip_length=2, show_recording_waveform=False)
    with pytest.warns(
        UserWarning, match=r"waveform_options=...\): the page plays audio in the browser's own player"
    ):
        audio = Audio(waveform_options=options, render=False)
    assert audio.waveform_options is options
    with pytest.warns(UserWarning):
        assert Audio(waveform_options={"skip_length": 3}, render=False).waveform_options == WaveformOptions(
            skip_length=3
        )
