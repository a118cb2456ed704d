from __future__ import annotations

from pathlib import Path

import pytest
from component_fakes import upload

from carpool.components import FILE_DATA_SCHEMA, File, FileStore, Video
from carpool.exceptions import FileAccessError, InvalidInputError


def test_file_input_gives_a_path_or_bytes(store: FileStore) -> None:
    data = upload(store, b"%PDF-1.7", "doc.pdf")
    path = File().preprocess(data)
    assert Path(path).read_bytes() == b"%PDF-1.7" and Path(path).is_relative_to(store.root)
    assert File(type="binary").preprocess(data) == b"%PDF-1.7"
    assert File().preprocess(None) is None


def test_multiple_files_come_as_a_list(store: FileStore) -> None:
    first, second = upload(store, b"1", "a.txt"), upload(store, b"2", "b.txt")
    paths = File(file_count="multiple").preprocess([first, second])
    assert [Path(p).read_bytes() for p in paths] == [b"1", b"2"]
    with pytest.raises(InvalidInputError, match="expected an array of files, got object"):
        File(file_count="multiple").preprocess(first)


def test_file_input_rejects_paths_and_unknown_ids(store: FileStore) -> None:
    with pytest.raises(InvalidInputError):
        File().preprocess({"path": "/etc/passwd"})
    with pytest.raises(InvalidInputError):
        File(file_count="multiple").preprocess([{"file_id": "../../etc/passwd"}])


def test_file_types_limit_extensions_and_categories(store: FileStore) -> None:
    pdf, png = upload(store, b"x", "doc.PDF"), upload(store, b"x", "pic.png")
    assert File(file_types=["pdf"]).preprocess(pdf)
    assert File(file_types=[".pdf", "image"]).preprocess(png)
    with pytest.raises(InvalidInputError, match="file type not allowed"):
        File(file_types=[".pdf"]).preprocess(png)
    with pytest.raises(InvalidInputError, match="file type not allowed"):
        File(file_types=["audio"]).preprocess(pdf)
    assert File(file_types=["file"]).preprocess(png)


def test_file_output_copies_paths_and_lists(store: FileStore, tmp_path: Path) -> None:
    report = tmp_path / "report.csv"
    report.write_text("a,b")
    single = File().postprocess(report)
    assert single["orig_name"] == "report.csv" and single["mime_type"] == "text/csv"
    many = File(file_count="multiple").postprocess(str(report))
    assert isinstance(many, list) and len(many) == 1
    assert len(File().postprocess([report, report])) == 2
    assert File().postprocess(None) is None


def test_file_output_passes_back_a_filedata_of_this_store_only(store: FileStore) -> None:
    data = upload(store, b"x", "x.txt")
    assert File().postprocess(data)["file_id"] == data["file_id"]
    with pytest.raises(FileAccessError):
        File().postprocess({"file_id": "Z" * 32})


def test_file_output_outside_allowed_dirs_is_a_server_side_error(store: FileStore) -> None:
    with pytest.raises(FileAccessError) as caught:
        File().postprocess("/etc/passwd")
    assert "/etc/passwd" not in str(caught.value)
    with pytest.raises(TypeError, match="File output expects a file path, got int"):
        File().postprocess(3)


def test_file_schema_and_config() -> None:
    assert File().api_schema() == FILE_DATA_SCHEMA
    assert File(file_count="multiple").api_schema() == {"type": "array", "items": FILE_DATA_SCHEMA}
    assert File(file_count="multiple").example_payload()[0]["file_id"]
    props = File(file_types=["PDF"]).get_config()["props"]
    assert props["file_types"] == [".pdf"] and props["file_count"] == "single"
    with pytest.raises(ValueError, match="file_count"):
        File(file_count="directory")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="'filepath' or 'binary'"):
        File(type="numpy")  # type: ignore[arg-type]


def test_video_passes_paths_in_and_out(store: FileStore, tmp_path: Path) -> None:
    data = upload(store, b"\x00\x00\x00\x18ftypmp42", "clip.mp4")
    assert Path(Video().preprocess(data)).read_bytes().startswith(b"\x00\x00\x00\x18ftyp")
    clip = tmp_path / "out.mp4"
    clip.write_bytes(b"video")
    wire = Video().postprocess(str(clip))
    assert wire is not None and wire["mime_type"] == "video/mp4"
    assert Video().postprocess(None) is None and Video().preprocess(None) is None
    with pytest.raises(InvalidInputError):
        Video().preprocess({"file_id": "x", "path": "/tmp/x.mp4"})
    assert Video(autoplay=True).get_config()["props"]["autoplay"] is True
