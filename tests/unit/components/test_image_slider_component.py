"""ImageSlider: a pair of images in and out, Gradio's defaults, malformed pairs refused naming it."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import PIL.Image
import pytest
from component_fakes import upload

from carpool.components import FileStore, ImageSlider, get_component, use_file_store
from carpool.exceptions import InvalidInputError

gradio = pytest.importorskip("gradio")

SHARED_PROPS = ("format", "height", "width", "image_mode", "type", "buttons", "slider_position", "max_height")


def png(color: tuple[int, int, int], size: tuple[int, int] = (4, 3)) -> bytes:
    out = io.BytesIO()
    PIL.Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


def test_defaults_are_gradios() -> None:
    ours = ImageSlider(render=False).props()
    theirs = gradio.ImageSlider(render=False).get_config()
    assert {k: ours[k] for k in SHARED_PROPS} == {k: theirs[k] for k in SHARED_PROPS}


def test_an_uploaded_pair_reaches_the_function_as_arrays_or_images(store: FileStore) -> None:
    pair = [upload(store, png((255, 0, 0)), "a.png"), upload(store, png((0, 0, 255)), "b.png")]
    first, second = ImageSlider(render=False).preprocess(pair) or (None, None)
    assert isinstance(first, np.ndarray) and first.shape == (3, 4, 3) and tuple(first[0, 0]) == (255, 0, 0)
    assert isinstance(second, np.ndarray) and tuple(second[0, 0]) == (0, 0, 255)
    only_left = ImageSlider(type="pil", render=False).preprocess([pair[0], None])
    assert only_left is not None and isinstance(only_left[0], PIL.Image.Image) and only_left[1] is None
    paths = ImageSlider(type="filepath", render=False).preprocess(pair)
    assert paths is not None and all(Path(p).is_file() for p in paths)


def test_a_returned_pair_goes_out_as_two_file_records(store: FileStore) -> None:
    image = np.zeros((2, 2, 3), dtype=np.uint8)
    with use_file_store(store):
        wire = ImageSlider(render=False).postprocess((image, PIL.Image.new("RGB", (2, 2))))
        assert wire is not None and len(wire) == 2
        assert all(item["orig_name"].endswith(".webp") for item in wire)  # Gradio's default format
        assert ImageSlider(render=False).postprocess((image, None))[1] is None  # type: ignore[index]
        assert ImageSlider(render=False).postprocess(None) is None
        with pytest.raises(TypeError, match="ImageSlider output expects a pair"):
            ImageSlider(render=False).postprocess(image)


@pytest.mark.parametrize("payload", [{"file_id": "x"}, [None], [None, None, None], "a.png"])
def test_a_malformed_pair_is_a_422_naming_image_slider(store: FileStore, payload: object) -> None:
    with pytest.raises(InvalidInputError, match="ImageSlider expects a pair"):
        ImageSlider(render=False).preprocess(payload)


def test_a_foreign_file_in_the_pair_is_refused(store: FileStore) -> None:
    with pytest.raises(InvalidInputError):
        ImageSlider(render=False).preprocess([{"path": "/etc/passwd"}, None])


def test_bad_options_are_refused() -> None:
    with pytest.raises(ValueError, match="type"):
        ImageSlider(type="bytes", render=False)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="slider_position"):
        ImageSlider(slider_position=150, render=False)


def test_the_shortcut_schema_and_events() -> None:
    slider = get_component("imageslider")
    assert isinstance(slider, ImageSlider)
    assert slider.api_schema()["maxItems"] == 2
    for event in ("change", "input", "clear", "upload", "select"):
        assert callable(getattr(ImageSlider, event))
