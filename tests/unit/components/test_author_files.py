"""Files an app's author names in a Chatbot are served (a missing one is left out); ParamViewer."""

from __future__ import annotations

from pathlib import Path

import pytest

import carpool.components.files as files_module
from carpool.components import Chatbot, FileStore, ParamViewer, set_static_paths, use_file_store
from carpool.exceptions import FileAccessError, InvalidInputError


def test_chatbot_example_files_are_served_and_a_missing_one_is_left_out(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "avatar.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    examples = [{"text": "hi", "files": [str(tmp_path / "avatar.png"), str(tmp_path / "gone.wav")]}]
    store = FileStore()
    store.allowed_paths = []  # as if the demo's files were outside the temp dir (they usually are)
    with use_file_store(store):
        props = Chatbot(examples=examples, render=False).get_config()["props"]
    (example,) = props["examples"]
    assert [file["orig_name"] for file in example["files"]] == ["avatar.png"]
    assert "cannot be shown" in caplog.text
    store.close()


def test_paramviewer_shows_a_dict_of_parameters_and_refuses_anything_else() -> None:
    viewer = ParamViewer({"ndigits": {"type": "int", "description": "digits", "default": 0}}, render=False)
    props = viewer.get_config()["props"]
    assert props["value"] == {"ndigits": {"type": "int", "description": "digits", "default": "0"}}
    assert props["header"] == "Parameters"
    with pytest.raises(TypeError, match="dict of parameters"):
        viewer.postprocess(["ndigits"])
    with pytest.raises(InvalidInputError, match="an object of parameters, got array"):
        viewer.preprocess([])
    with pytest.raises(InvalidInputError, match="must map to a dict"):
        viewer.preprocess({"x": 3})
    with pytest.raises(ValueError, match="language must be 'python' or 'typescript'"):
        ParamViewer(language="rust", render=False)  # type: ignore[arg-type]


def test_set_static_paths_lets_every_store_serve_those_files_but_not_blocked_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(files_module, "_static_paths", [])
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "bus.png").write_bytes(b"png")
    (tmp_path / "secret.txt").write_text("no")
    store = FileStore()
    store.allowed_paths = []
    with pytest.raises(FileAccessError):
        store.add_path(tmp_path / "static" / "bus.png")
    set_static_paths([str(tmp_path / "static")])
    assert store.add_path(tmp_path / "static" / "bus.png")["orig_name"] == "bus.png"
    with pytest.raises(FileAccessError):
        store.add_path(tmp_path / "secret.txt")  # outside the static path
    blocked = FileStore(blocked_paths=[tmp_path / "static"])
    blocked.allowed_paths = []
    with pytest.raises(FileAccessError):
        blocked.add_path(tmp_path / "static" / "bus.png")
    store.close()
    blocked.close()
