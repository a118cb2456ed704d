"""UploadButton and DownloadButton: files in and out, Gradio's NamedString paths, bad values."""

from __future__ import annotations

from pathlib import Path

import pytest
from component_fakes import upload

from carpool.components import DownloadButton, FileStore, UploadButton, use_file_store
from carpool.components.media import NamedString
from carpool.exceptions import InvalidInputError


def test_upload_button_passes_paths_with_a_name_as_gradio_does(store: FileStore) -> None:
    one = upload(store, b"hello", "a.txt")
    two = upload(store, b"world", "b.txt")
    with use_file_store(store):
        single = UploadButton(render=False).preprocess(one)
        many = UploadButton(file_count="multiple", render=False).preprocess([one, two])
        data = UploadButton(type="binary", render=False).preprocess(one)
    assert isinstance(single, NamedString) and single.name == single and Path(single).read_bytes() == b"hello"
    assert [Path(f.name).read_bytes() for f in many] == [b"hello", b"world"]
    assert data == b"hello"


def test_upload_button_label_is_its_text_and_types_are_checked(store: FileStore) -> None:
    button = UploadButton("Pick", file_types=["image"], variant="primary", render=False)
    props = button.props()
    assert props["label"] == "Pick" and props["variant"] == "primary" and props["file_types"] == ["image"]
    with use_file_store(store), pytest.raises(InvalidInputError, match="file type not allowed"):
        button.preprocess(upload(store, b"text", "notes.txt"))
    with use_file_store(store), pytest.raises(InvalidInputError, match="expected an array of files"):
        UploadButton(file_count="multiple", render=False).preprocess(upload(store, b"x", "x.txt"))


def test_download_button_serves_a_returned_path_and_reads_it_back(store: FileStore, tmp_path: Path) -> None:
    path = tmp_path / "report.csv"
    path.write_text("a,b\n")
    store.allowed_paths.append(tmp_path)
    button = DownloadButton("Get it", render=False)
    with use_file_store(store):
        wire = button.postprocess(str(path))
        assert wire is not None and wire["orig_name"] == "report.csv"
        assert Path(button.preprocess(wire) or "").read_text() == "a,b\n"
        with pytest.raises(TypeError, match="DownloadButton output expects a file path"):
            button.postprocess(3)
    assert button.props()["label"] == "Get it"
