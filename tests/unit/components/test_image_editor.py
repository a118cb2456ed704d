"""ImageEditor: the EditorValue in and out (numpy, PIL, paths), presets, tools and bad values."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import PIL.Image
import pytest
from component_fakes import upload

from carpool.components import (
    Brush,
    FileStore,
    ImageEditor,
    ImageMask,
    LayerOptions,
    Sketchpad,
    use_file_store,
)
from carpool.exceptions import InvalidInputError


def png(color: tuple[int, int, int, int], size: tuple[int, int] = (4, 3)) -> bytes:
    import io

    buffer = io.BytesIO()
    PIL.Image.new("RGBA", size, color).save(buffer, format="PNG")
    return buffer.getvalue()


def test_the_function_gets_background_layers_and_composite_in_rgba(store: FileStore) -> None:
    payload = {
        "background": upload(store, png((255, 0, 0, 255)), "background.png"),
        "layers": [upload(store, png((0, 0, 0, 0)), "layer-0.png")],
        "composite": upload(store, png((255, 0, 0, 255)), "composite.png"),
    }
    with use_file_store(store):
        value = ImageEditor(render=False).preprocess(payload)
        as_pil = ImageEditor(type="pil", render=False).preprocess(payload)
        as_path = ImageEditor(type="filepath", render=False).preprocess(payload)
    assert value is not None and value["background"].shape == (3, 4, 4) and len(value["layers"]) == 1
    assert value["layers"][0][..., 3].max() == 0 and value["composite"][0, 0].tolist() == [255, 0, 0, 255]
    assert as_pil is not None and as_pil["composite"].mode == "RGBA"
    assert as_path is not None and Path(as_path["background"]).is_file()


def test_an_empty_editor_sends_nothing_and_a_partial_value_has_nones(store: FileStore) -> None:
    editor = ImageEditor(render=False)
    with use_file_store(store):
        assert editor.preprocess(None) is None
        value = editor.preprocess({"background": None, "layers": [], "composite": None})
    assert value == {"background": None, "layers": [], "composite": None}


def test_a_returned_image_or_editor_value_goes_out_as_file_data(store: FileStore, tmp_path: Path) -> None:
    picture = tmp_path / "cat.png"
    picture.write_bytes(png((1, 2, 3, 255)))
    store.allowed_paths.append(tmp_path)
    editor = ImageEditor(format="png", render=False)
    with use_file_store(store):
        single = editor.postprocess(np.zeros((5, 6, 3), dtype=np.uint8))
        parts = editor.postprocess(
            {"background": str(picture), "layers": [str(picture), None], "composite": None}
        )
        with pytest.raises(ValueError, match="takes background, layers, composite"):
            editor.postprocess({"image": str(picture)})
        with pytest.raises(TypeError, match="ImageEditor output expects"):
            editor.postprocess(3)
    assert single is not None and single["background"] == single["composite"] and single["layers"] == []
    assert parts is not None and parts["background"]["orig_name"] == "cat.png" and len(parts["layers"]) == 1
    assert parts["composite"] is None


@pytest.mark.parametrize(
    ("payload", "problem"),
    [
        ("picture", "got string"),
        ({"image": None}, "got keys"),
        ({"layers": "x"}, "layers must be an array"),
    ],
)
def test_malformed_editor_values_are_refused(store: FileStore, payload: object, problem: str) -> None:
    with use_file_store(store), pytest.raises(InvalidInputError, match=problem):
        ImageEditor(render=False).preprocess(payload)


def test_tools_layers_and_presets_reach_the_page() -> None:
    editor = ImageEditor(
        brush=Brush(colors=["#ff0000", "#00ff00"], color_mode="fixed", default_size=4),
        eraser=False,
        layers=LayerOptions(layers=["mask"], allow_additional_layers=False),
        canvas_size=(300, 200),
        render=False,
    )
    props = editor.props()
    assert props["brush"]["colors"] == ["#ff0000", "#00ff00"] and props["brush"]["default_color"] == "#ff0000"
    assert props["eraser"] is None and props["layers"]["layers"] == ["mask"]
    assert props["canvas_size"] == [300, 200] and props["sources"] == ["upload", "clipboard"]
    assert ImageMask(render=False).props()["brush"]["color_mode"] == "fixed"
    sketch = Sketchpad(render=False).props()
    assert sketch["sources"] == [] and sketch["brush"]["colors"] == ["#000000"]
    with pytest.raises(ValueError, match="color_mode"):
        Brush(color_mode="any")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="canvas_size"):
        ImageEditor(canvas_size=(0, 10), render=False)
