"""AnnotatedImage: masks and boxes drawn as coloured RGBA PNGs as Gradio's are, and bad values refused."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import PIL.Image
import pytest
from component_fakes import upload

from carpool.components import AnnotatedImage, FileStore, get_component, use_file_store
from carpool.exceptions import InvalidInputError

gradio = pytest.importorskip("gradio")

SHARED_PROPS = ("format", "show_legend", "height", "width", "color_map", "buttons")


def mask_pixels(store: FileStore, file_data: dict[str, object]) -> np.ndarray:
    path = store.resolve(str(file_data["file_id"])).path
    return np.array(PIL.Image.open(path))


def test_defaults_are_gradios() -> None:
    ours = AnnotatedImage(render=False).props()
    theirs = gradio.AnnotatedImage(render=False).get_config()
    assert {k: ours[k] for k in SHARED_PROPS} == {k: theirs[k] for k in SHARED_PROPS}


def test_masks_and_boxes_come_out_as_gradios_rgba_pngs(store: FileStore) -> None:
    image = np.zeros((20, 30, 3), dtype=np.uint8)
    circle = np.zeros((20, 30))
    circle[5:10, 5:10] = 0.5
    component = AnnotatedImage(color_map={"box": "#00ff00"}, render=False)
    theirs = gradio.AnnotatedImage(color_map={"box": "#00ff00"}, render=False)
    value = (image, [(circle, "blob"), ((2, 3, 12, 15), "box")])
    with use_file_store(store):
        wire = component.postprocess(value)
    assert wire is not None and wire["image"]["orig_name"].endswith(".webp")
    assert [a["label"] for a in wire["annotations"]] == ["blob", "box"]
    expected = theirs.postprocess(value)
    assert expected is not None
    for ours, gradios in zip(wire["annotations"], expected.annotations, strict=True):
        want = np.array(PIL.Image.open(gradios.image.path))
        assert np.array_equal(mask_pixels(store, ours["image"]), want), ours["label"]


def test_a_0_to_255_or_boolean_mask_is_an_opacity(store: FileStore) -> None:
    image = PIL.Image.new("RGB", (4, 2))
    byte_mask = np.array([[0, 255, 0, 0], [0, 0, 0, 0]], dtype=np.uint8)
    with use_file_store(store):
        wire = AnnotatedImage(render=False).postprocess((image, [(byte_mask, "a"), (byte_mask > 0, "b")]))
    assert wire is not None
    for annotation in wire["annotations"]:
        pixels = mask_pixels(store, annotation["image"])
        assert tuple(pixels[0, 1]) == (255, 0, 0, 255) and pixels[0, 0, 3] == 0


def test_a_path_base_image_is_served_as_is(store: FileStore, tmp_path: Path) -> None:
    path = tmp_path / "base.png"
    PIL.Image.new("RGB", (6, 4)).save(path)
    store.allowed_paths.append(tmp_path)
    with use_file_store(store):
        wire = AnnotatedImage(render=False).postprocess((str(path), [((0, 0, 3, 3), "x")]))
    assert wire is not None and wire["image"]["orig_name"] == "base.png"
    assert mask_pixels(store, wire["annotations"][0]["image"]).shape == (4, 6, 4)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (np.zeros((2, 2, 3)), "expects \\(image, \\["),
        ((3, []), "base image must be"),
        ((np.zeros((2, 2, 3)), [(np.zeros((3, 3)), "x")]), "mask must be shaped like the image"),
        ((np.zeros((2, 2, 3)), [("mask", "x")]), "mask must be an \\(H, W\\) array or a box"),
        ((np.zeros((2, 2, 3)), ["x"]), "annotations are \\(mask_or_box, label\\) pairs"),
    ],
)
def test_outputs_it_cannot_draw_say_why(store: FileStore, value: object, message: str) -> None:
    with use_file_store(store), pytest.raises((TypeError, ValueError), match=message):
        AnnotatedImage(render=False).postprocess(value)


def test_an_input_reaches_the_function_as_paths_and_labels(store: FileStore) -> None:
    out = io.BytesIO()
    PIL.Image.new("RGB", (2, 2)).save(out, "PNG")
    base, mask = upload(store, out.getvalue(), "a.png"), upload(store, out.getvalue(), "m.png")
    got = AnnotatedImage(render=False).preprocess(
        {"image": base, "annotations": [{"image": mask, "label": "cat"}]}
    )
    assert got is not None and Path(got[0]).is_file() and got[1][0][1] == "cat"


@pytest.mark.parametrize(
    "payload",
    ["image.png", {"image": None, "annotations": 3}, {"annotations": [{"label": 3}], "image": None}],
)
def test_a_malformed_input_is_a_422_naming_annotated_image(store: FileStore, payload: object) -> None:
    with pytest.raises(InvalidInputError, match=r"AnnotatedImage|file"):
        AnnotatedImage(render=False).preprocess(payload)


def test_bad_colours_are_refused_and_the_shortcut_exists() -> None:
    with pytest.raises(ValueError, match="color_map"):
        AnnotatedImage(color_map={"a": "green"}, render=False)
    assert isinstance(get_component("annotatedimage"), AnnotatedImage)
    assert callable(AnnotatedImage.select) and callable(AnnotatedImage.change)
