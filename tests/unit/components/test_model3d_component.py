"""Model3D: paths in and out, Gradio's defaults, and files it cannot show refused with the reason."""

from __future__ import annotations

from pathlib import Path

import pytest
from component_fakes import upload

from carpool.components import FileStore, Model3D, get_component, use_file_store
from carpool.exceptions import InvalidInputError

gradio = pytest.importorskip("gradio")

TETRAHEDRON = b"v 0 0 0\nv 1 0 0\nv 0 1 0\nv 0 0 1\nf 1 2 3\nf 1 2 4\nf 1 3 4\nf 2 3 4\n"
SHARED_PROPS = (
    "display_mode",
    "clear_color",
    "camera_position",
    "zoom_speed",
    "pan_speed",
    "height",
    "buttons",
)


def test_defaults_are_gradios() -> None:
    ours = Model3D(render=False).props()
    theirs = gradio.Model3D(render=False).get_config()
    assert {k: ours[k] for k in SHARED_PROPS} == {k: theirs[k] for k in SHARED_PROPS}
    assert ours["value"] is None and ours["min_width"] == theirs["min_width"]


def test_an_upload_reaches_the_function_as_its_path(store: FileStore) -> None:
    payload = upload(store, TETRAHEDRON, "shape.obj")
    path = Model3D(render=False).preprocess(payload)
    assert isinstance(path, str) and path.endswith(".obj") and Path(path).read_bytes() == TETRAHEDRON
    assert Model3D(render=False).preprocess(None) is None


def test_a_returned_path_goes_out_as_file_data(store: FileStore, tmp_path: Path) -> None:
    model = tmp_path / "out.glb"
    model.write_bytes(b"glTF")
    store.allowed_paths.append(tmp_path)
    with use_file_store(store):
        wire = Model3D(render=False).postprocess(model)
    assert wire is not None and wire["orig_name"] == "out.glb" and wire["file_id"]
    assert Model3D(render=False).postprocess(None) is None


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("scan.splat", "cannot show Gaussian splats"),
        ("notes.txt", "must be one of .obj, .glb"),
        ("x", "no extension"),
    ],
)
def test_a_file_it_cannot_show_is_a_422_naming_model3d(store: FileStore, name: str, reason: str) -> None:
    with pytest.raises(
        InvalidInputError, match=f"Model3D .*{reason}|Model3D input {reason}|{reason}"
    ) as caught:
        Model3D(render=False).preprocess(upload(store, b"data", name))
    assert "Model3D" in caught.value.message


def test_a_foreign_file_reference_is_refused(store: FileStore) -> None:
    with pytest.raises(InvalidInputError):
        Model3D(render=False).preprocess({"path": "/etc/passwd"})


def test_an_output_it_cannot_show_says_so(store: FileStore, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("x")
    store.allowed_paths.append(tmp_path)
    with pytest.raises(ValueError, match="Model3D output must be one of"):
        Model3D(render=False).postprocess(tmp_path / "a.txt")
    with pytest.raises(TypeError, match="Model3D output expects a file path"):
        Model3D(render=False).postprocess(3)


def test_bad_options_are_refused() -> None:
    with pytest.raises(ValueError, match="display_mode"):
        Model3D(display_mode="mesh", render=False)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="camera_position"):
        Model3D(camera_position=(1, 2), render=False)


def test_the_shortcut_and_the_events() -> None:
    assert isinstance(get_component("model3d"), Model3D)
    for event in ("change", "upload", "edit", "clear"):
        assert callable(getattr(Model3D, event))
