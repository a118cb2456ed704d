from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import PIL.Image
import pytest
from component_fakes import upload

from carpool.components import FILE_DATA_SCHEMA, FileStore, Gallery, Image, use_file_store
from carpool.components._decode_limits import DecodeLimits
from carpool.exceptions import FileAccessError, InvalidInputError


def png_bytes(array: np.ndarray, fmt: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    PIL.Image.fromarray(array).save(buffer, format=fmt)
    return buffer.getvalue()


def gradient(height: int = 4, width: int = 5) -> np.ndarray:
    rows = np.arange(height * width * 3, dtype=np.uint8).reshape(height, width, 3)
    return rows * 3


def test_numpy_image_round_trips_through_the_store_as_png(store: FileStore) -> None:
    image = Image(format="png")
    wire = image.postprocess(gradient())
    assert wire is not None and wire["mime_type"] == "image/png" and wire["orig_name"] == "image.png"
    np.testing.assert_array_equal(image.preprocess(wire), gradient())


def test_outputs_are_webp_encoded_as_gradio_does(store: FileStore) -> None:
    gr = pytest.importorskip("gradio")
    photo = np.add.outer(np.arange(32), np.arange(48)).astype(np.uint8)[:, :, None].repeat(3, axis=2)
    wire = Image().postprocess(photo)
    assert wire is not None and wire["mime_type"] == "image/webp" and wire["orig_name"] == "image.webp"
    theirs = gr.Image().postprocess(photo)
    assert theirs is not None and theirs.path is not None and theirs.path.endswith(".webp")
    ours = store.resolve(wire["file_id"]).path
    np.testing.assert_array_equal(np.array(PIL.Image.open(ours)), np.array(PIL.Image.open(theirs.path)))


def test_pil_type_and_image_mode_conversion(store: FileStore) -> None:
    data = upload(store, png_bytes(gradient()), "photo.png")
    as_pil = Image(type="pil").preprocess(data)
    assert isinstance(as_pil, PIL.Image.Image) and as_pil.mode == "RGB" and as_pil.size == (5, 4)
    gray = Image(image_mode="L").preprocess(data)
    assert gray.shape == (4, 5) and gray.dtype == np.uint8
    rgba = Image(image_mode=None).preprocess(upload(store, png_bytes(np.zeros((2, 2, 4), np.uint8)), "a.png"))
    assert rgba.shape == (2, 2, 4)


def test_filepath_type_returns_the_stored_path_or_a_converted_copy(store: FileStore) -> None:
    rgb = upload(store, png_bytes(gradient()), "rgb.png", session_id="s")
    with use_file_store(store, session_id="s"):
        same = Image(type="filepath").preprocess(rgb)
        converted = Image(type="filepath", image_mode="L").preprocess(rgb)
    assert same == str(store.resolve(rgb["file_id"]).path)
    assert converted != same and Path(converted).is_relative_to(store.root)
    with PIL.Image.open(converted) as opened:
        assert opened.mode == "L"


def test_image_input_is_only_a_minted_file_id(store: FileStore) -> None:
    image = Image()
    with pytest.raises(InvalidInputError, match="file_id"):
        image.preprocess({"path": "/etc/passwd"})
    with pytest.raises(InvalidInputError, match="unknown or expired"):
        image.preprocess({"file_id": "B" * 32})
    with pytest.raises(InvalidInputError, match="expected a file object"):
        image.preprocess("data:image/png;base64,AAAA")
    assert image.preprocess(None) is None


def test_image_input_of_another_session_is_rejected(store: FileStore) -> None:
    data = upload(store, png_bytes(gradient()), "x.png", session_id="alice")
    with use_file_store(store, session_id="bob"), pytest.raises(InvalidInputError):
        Image().preprocess(data)


def test_non_images_and_unsafe_formats_are_rejected(store: FileStore) -> None:
    with pytest.raises(InvalidInputError, match="not a readable image"):
        Image().preprocess(upload(store, b"<svg onload=alert(1)>", "x.png"))
    eps = b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 1 1\n"
    with pytest.raises(InvalidInputError, match="not a readable image"):
        Image().preprocess(upload(store, eps, "x.eps"))
    whole = png_bytes(np.random.default_rng(0).integers(0, 255, (64, 64, 3), dtype=np.uint8))
    truncated = whole[: len(whole) // 2]
    with pytest.raises(InvalidInputError):
        Image().preprocess(upload(store, truncated, "t.png"))


def test_images_over_the_pixel_limit_are_rejected(store: FileStore) -> None:
    store.decode_limits = DecodeLimits(max_pixels=10)
    with pytest.raises(InvalidInputError, match="limit is 10 pixels"):
        Image().preprocess(upload(store, png_bytes(gradient()), "big.png"))


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_images_over_pillows_own_limits_are_rejected_with_ours(
    store: FileStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(PIL.Image, "MAX_IMAGE_PIXELS", 10)
    store.decode_limits = DecodeLimits(max_pixels=5)
    with pytest.raises(InvalidInputError, match="limit is 5 pixels"):  # over 10: Pillow only warns
        Image().preprocess(upload(store, png_bytes(np.zeros((4, 4, 3), np.uint8)), "big.png"))
    with pytest.raises(InvalidInputError, match="limit of 5"):  # over 20: Pillow raises
        Image().preprocess(upload(store, png_bytes(gradient(5, 5)), "big.png"))


@pytest.mark.filterwarnings("error::PIL.Image.DecompressionBombWarning")
def test_pillows_bomb_warning_as_an_error_is_still_a_clear_refusal(
    store: FileStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(PIL.Image, "MAX_IMAGE_PIXELS", 10)
    with pytest.raises(InvalidInputError, match="limit of 50000000"):
        Image().preprocess(upload(store, png_bytes(np.zeros((4, 4, 3), np.uint8)), "big.png"))


def test_exif_rotation_is_applied(store: FileStore) -> None:
    tall = PIL.Image.fromarray(np.zeros((4, 2, 3), np.uint8))
    exif = PIL.Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise when shown
    buffer = io.BytesIO()
    tall.save(buffer, format="JPEG", exif=exif)
    assert Image().preprocess(upload(store, buffer.getvalue(), "r.jpg")).shape == (2, 4, 3)


@pytest.mark.parametrize(
    ("array", "expected"),
    [
        (np.array([[0.0, 0.5, 1.0]]), [[0, 128, 255]]),
        (np.array([[-5.0, 300.0]]), [[0, 255]]),
        (np.array([[True, False]]), [[255, 0]]),
        (np.array([[65535, 256]], dtype=np.uint16), [[255, 1]]),
        (np.array([[-1, 999]], dtype=np.int64), [[0, 255]]),
    ],
)
def test_array_dtypes_are_converted_to_8_bit(
    store: FileStore, array: np.ndarray, expected: list[list[int]]
) -> None:
    image = Image(image_mode="L", format="png")  # lossless, so the round trip is exact
    np.testing.assert_array_equal(image.preprocess(image.postprocess(array)), np.array(expected, np.uint8))


def test_image_postprocess_accepts_pil_paths_and_rejects_bad_values(store: FileStore, tmp_path: Path) -> None:
    image = Image()
    assert image.postprocess(PIL.Image.new("RGB", (3, 3)))["size"] > 0  # type: ignore[index]
    path = tmp_path / "pic.png"
    path.write_bytes(png_bytes(gradient()))
    assert image.postprocess(str(path))["orig_name"] == "pic.png"  # type: ignore[index]
    with pytest.raises(ValueError, match="shape"):
        image.postprocess(np.zeros((2, 2, 2)))
    with pytest.raises(ValueError, match="NaN"):
        image.postprocess(np.full((2, 2), np.nan))
    with pytest.raises(TypeError, match="numpy array, a PIL image or a file path, got int"):
        image.postprocess(3)
    with pytest.raises(FileAccessError):
        image.postprocess("/etc/passwd")


def test_image_config_value_is_stored_once_per_store(tmp_path: Path) -> None:
    source = tmp_path / "default.png"
    source.write_bytes(png_bytes(gradient()))
    image = Image(str(source), height=200)
    with FileStore(tmp_path / "cache") as file_store, use_file_store(file_store):
        first = image.get_config()["props"]
        second = image.get_config()["props"]
        assert first["value"] == second["value"] and len(file_store) == 1
        assert (first["height"], first["type"], first["format"]) == (200, "numpy", "webp")
    assert image.api_schema() == FILE_DATA_SCHEMA


def test_image_rejects_unknown_type_and_format() -> None:
    with pytest.raises(ValueError, match="Image type"):
        Image(type="tensor")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="Image format"):
        Image(format="gif")  # type: ignore[arg-type]


def test_gallery_output_takes_images_and_captioned_pairs(store: FileStore, tmp_path: Path) -> None:
    path = tmp_path / "p.png"
    path.write_bytes(png_bytes(gradient()))
    wire = Gallery().postprocess([gradient(), (str(path), "from disk"), [PIL.Image.new("L", (2, 2)), None]])
    assert wire is not None and [item["caption"] for item in wire] == [None, "from disk", None]
    assert all(store.resolve(item["image"]["file_id"]) for item in wire)
    assert Gallery().postprocess(None) is None


def test_gallery_output_rejects_non_lists_and_bad_captions(store: FileStore) -> None:
    with pytest.raises(TypeError, match="list of images"):
        Gallery().postprocess(gradient())
    with pytest.raises(TypeError, match="caption must be a str"):
        Gallery().postprocess([(gradient(), 3)])


def test_gallery_input_gives_images_with_captions(store: FileStore) -> None:
    gallery = Gallery(type="numpy", format="png")  # lossless, so the round trip is exact
    wire = gallery.postprocess([(gradient(), "a")])
    assert wire is not None
    ((array, caption),) = gallery.preprocess(wire)
    np.testing.assert_array_equal(array, gradient())
    assert caption == "a"
    with pytest.raises(InvalidInputError, match="array"):
        gallery.preprocess({"image": {}})
    with pytest.raises(InvalidInputError, match='"image", "caption"'):
        gallery.preprocess([{"caption": "no image"}])
    with pytest.raises(InvalidInputError, match="caption"):
        gallery.preprocess([{"image": wire[0]["image"], "caption": 1}])
    assert gallery.api_schema()["type"] == "array"


def test_gallery_sources_default_to_upload_and_unknown_ones_are_refused() -> None:
    assert Gallery(render=False).get_config()["props"]["sources"] == ["upload"]
    assert Gallery(sources=["upload", "clipboard"], render=False).sources == ["upload", "clipboard"]
    with pytest.raises(ValueError, match="sources must be 'upload', 'webcam' or 'clipboard', got 'disk'"):
        Gallery(sources=["disk"], render=False)
    with pytest.warns(UserWarning, match="no webcam capture for a Gallery"):
        Gallery(sources=["upload", "webcam"], render=False)
