"""Model3D in the page: an uploaded model reaches the function, a returned one is drawn by three.js."""

from __future__ import annotations

from pathlib import Path

import pytest
from browser_session import Web
from browser_support import component
from model_files import ASCII_STL, TETRAHEDRON_OBJ, write_glb, write_gltf
from playwright.sync_api import expect

import carpool as cp

pytestmark = pytest.mark.browser


def test_an_uploaded_model_is_drawn_and_reaches_the_function(web: Web, tmp_path: Path) -> None:
    source = tmp_path / "tetra.obj"
    source.write_text(TETRAHEDRON_OBJ)
    seen: list[str] = []

    def echo(path: str) -> str:
        seen.append(Path(path).read_text())
        return path

    with cp.Blocks() as demo:
        model = cp.Model3D(label="in")
        out = cp.Model3D(label="out", display_mode="wireframe", clear_color=(0.1, 0.1, 0.1, 1))
        model.upload(echo, model, out)
    page = web.page(web.launch(demo))
    component(page, model.id).locator("input[type=file]").set_input_files(str(source))
    for block in (model, out):
        view = component(page, block.id).get_by_test_id("model3d-view")
        expect(view).to_have_attribute("data-state", "ready")
        assert view.get_attribute("data-vertices") == "12"  # 4 faces x 3 (OBJ faces are not indexed)
        expect(view.locator("canvas")).to_be_visible()
    assert seen == [TETRAHEDRON_OBJ]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_glb_and_stl_outputs_fit_a_phone(web: Web, tmp_path: Path, scheme: str) -> None:
    glb = write_glb(tmp_path / "triangle.glb")
    stl = tmp_path / "wedge.stl"
    stl.write_text(ASCII_STL)
    with cp.Blocks() as demo:
        first = cp.Model3D(str(glb), label="glb")
        second = cp.Model3D(str(stl), label="stl", camera_position=(30, 70, 3), height=200)
    page = web.page(
        web.launch(demo, allowed_paths=[str(tmp_path)]),
        viewport={"width": 390, "height": 800},
        color_scheme=scheme,
    )
    for block in (first, second):
        view = component(page, block.id).get_by_test_id("model3d-view")
        expect(view).to_have_attribute("data-state", "ready")
        assert view.get_attribute("data-vertices") == "3"
        box = view.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    second_box = component(page, second.id).get_by_test_id("model3d-view").bounding_box()
    assert second_box is not None and abs(second_box["height"] - 200) < 2


def test_a_file_it_cannot_show_says_why(web: Web, tmp_path: Path) -> None:
    with cp.Blocks() as demo:
        model = cp.Model3D(label="model")
        model.change(lambda path: None, model, None)  # an app with a file input takes uploads
    page = web.page(web.launch(demo))
    bad = tmp_path / "broken.glb"
    bad.write_bytes(b"not a model")
    component(page, model.id).locator("input[type=file]").set_input_files(str(bad))
    view = component(page, model.id).get_by_test_id("model3d-view")
    expect(view).to_have_attribute("data-state", "error")
    expect(view.get_by_role("alert")).to_contain_text("Could not show the model")


def test_a_gltf_with_embedded_data_is_drawn_under_the_pages_csp(web: Web, tmp_path: Path) -> None:
    # connect-src 'self' refuses fetching data: URIs; the page packs the glTF into a GLB itself
    gltf = write_gltf(tmp_path / "triangle.gltf")
    with cp.Blocks() as demo:
        model = cp.Model3D(str(gltf), label="gltf", interactive=False)
    page = web.page(web.launch(demo, allowed_paths=[str(tmp_path)]))
    view = component(page, model.id).get_by_test_id("model3d-view")
    expect(view).to_have_attribute("data-state", "ready")
    assert view.get_attribute("data-vertices") == "3"
