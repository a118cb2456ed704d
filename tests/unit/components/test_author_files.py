"""Files an app's author names in a Chatbot (examples, avatars) are served; a missing one is left out."""

from __future__ import annotations

from pathlib import Path

import pytest

from carpool.components import Chatbot, FileStore, use_file_store


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
