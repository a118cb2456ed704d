"""Audio and Video sources, streaming= and recording events, against Gradio 6's defaults."""

from __future__ import annotations

import warnings

import pytest

import carpool as cp
from carpool.components import _recording

gradio = pytest.importorskip("gradio")


@pytest.mark.parametrize(
    ("kind", "kwargs"),
    [
        ("Audio", {}),
        ("Audio", {"sources": "microphone"}),
        ("Audio", {"sources": ["upload"]}),
        ("Audio", {"streaming": True}),
        ("Video", {}),
        ("Video", {"sources": "webcam"}),
        ("Image", {}),
        ("Image", {"streaming": True}),
        ("Image", {"sources": "webcam"}),
    ],
)
def test_sources_default_and_normalise_as_gradios(kind: str, kwargs: dict[str, object]) -> None:
    with _nothing():  # a streaming Audio or Image really streams: nothing to warn about
        ours = getattr(cp, kind)(render=False, **kwargs).props()
    theirs = getattr(gradio, kind)(render=False, **kwargs).get_config()
    assert ours["sources"] == theirs["sources"]
    assert ours["streaming"] == theirs.get("streaming", False)


def test_bad_sources_are_refused_naming_the_component() -> None:
    with pytest.raises(ValueError, match="Audio sources must be some of upload, microphone"):
        cp.Audio(sources=["webcam"], render=False)
    with pytest.raises(ValueError, match="Video sources must be some of upload, webcam"):
        cp.Video(sources=[], render=False)
    with pytest.raises(ValueError, match="streaming is only available if sources includes 'microphone'"):
        cp.Audio(sources=["upload"], streaming=True, render=False)


def test_streaming_warns_once_saying_what_it_does(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_recording, "_warned", set())
    with pytest.warns(UserWarning, match=r"Video\(streaming=True\): the page sends the recording when"):
        cp.Video(streaming=True, render=False)
    with _nothing():
        cp.Video(streaming=True, render=False)


def test_recording_events_exist_as_in_gradio() -> None:
    for kind, events in {
        "Audio": ("start_recording", "pause_recording", "stop_recording", "stream", "play", "pause", "stop"),
        "Video": ("start_recording", "stop_recording", "end", "input", "play", "pause", "stop"),
    }.items():
        gradio_events = {str(getattr(e, "event_name", e)) for e in getattr(gradio, kind).EVENTS}
        for event in events:
            assert event in gradio_events and callable(getattr(getattr(cp, kind), event)), (kind, event)


class _nothing:
    """No warning may be raised inside."""

    def __enter__(self) -> None:
        self._catch = warnings.catch_warnings()
        self._catch.__enter__()
        warnings.simplefilter("error")

    def __exit__(self, *exc: object) -> None:
        self._catch.__exit__(*exc)


def test_stream_every_sets_the_pace_of_a_streaming_image() -> None:
    with cp.Blocks():
        camera = cp.Image(streaming=True)
        assert camera.props()["stream_every"] == 0.5  # Gradio's default
        camera.stream(lambda frame: frame, camera, camera, stream_every=0.1)
        assert camera.props()["stream_every"] == 0.1 and camera.props()["sources"] == ["webcam"]
        with pytest.raises(ValueError, match="stream_every must be a positive number"):
            camera.stream(lambda frame: frame, camera, camera, stream_every=0)
    with pytest.raises(ValueError, match="Image streaming is only available if sources includes 'webcam'"):
        cp.Image(sources=["upload"], streaming=True, render=False)


@pytest.mark.parametrize("kind", ["Audio", "Video", "Image"])
def test_buttons_webcam_options_and_playback_position_default_as_gradios(kind: str) -> None:
    ours = getattr(cp, kind)(render=False).props()
    theirs = getattr(gradio, kind)(render=False).get_config()
    for name in ("buttons", "webcam_options", "playback_position", "alt_text"):
        if name in theirs:
            assert ours[name] == theirs[name], name


def test_webcam_options_reach_the_page() -> None:
    options = cp.WebcamOptions(mirror=False, constraints={"video": {"width": 320}})
    props = cp.Video(webcam_options=options, render=False).props()
    assert props["webcam_options"] == {"mirror": False, "constraints": {"video": {"width": 320}}}
    with pytest.raises(TypeError, match="constraints must be a dict"):
        cp.Image(webcam_options=cp.WebcamOptions(constraints="hd"), render=False)  # type: ignore[arg-type]


def test_audio_format_editable_and_recording_are_gradios() -> None:
    ours, theirs = cp.Audio(render=False).props(), gradio.Audio(render=False).get_config()
    assert [ours[k] for k in ("format", "editable", "recording")] == [
        theirs[k] for k in ("format", "editable", "recording")
    ]
    assert cp.Audio(format="wav", recording=True, render=False).props()["recording"] is True
    with pytest.raises(ValueError, match="Audio format must be 'wav' or None"):
        cp.Audio(format="mp3", render=False)  # type: ignore[arg-type]
