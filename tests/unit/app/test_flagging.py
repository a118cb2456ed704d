"""Flagging: Gradio's modes and options, and a CSVLogger writing the log Gradio's writes."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

import carpool as cp
from carpool.app._flagging import CSVLogger, flag_options, flagging_mode
from carpool.components import FileStore, use_file_store

gradio = pytest.importorskip("gradio")


def rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))


@pytest.mark.parametrize("options", [None, ["good", "bad"], [("Looks right", "ok"), ("Wrong", "wrong")]])
def test_flagging_options_are_gradios_buttons(options: object) -> None:
    theirs = gradio.Interface(str.upper, "text", "text", flagging_options=options).flagging_options
    assert flag_options(options) == [tuple(pair) for pair in theirs]  # type: ignore[arg-type]


def test_the_mode_defaults_to_manual_or_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GRADIO_FLAGGING_MODE", raising=False)
    assert flagging_mode(None) == "manual" == gradio.Interface(str.upper, "text", "text").flagging_mode
    monkeypatch.setenv("GRADIO_FLAGGING_MODE", "never")
    assert flagging_mode(None) == "never" and flagging_mode("auto") == "auto"
    with pytest.raises(ValueError, match="flagging_mode must be one of never, auto, manual"):
        flagging_mode("sometimes")
    with pytest.raises(ValueError, match="flagging_options"):
        flag_options([1, 2])


def test_the_log_has_gradios_headers_and_cells(tmp_path: Path) -> None:
    components = [cp.Textbox(label="name", render=False), cp.Number(label="n", render=False)]
    ours, theirs = CSVLogger(verbose=False), gradio.CSVLogger(verbose=False)
    ours.setup(components, tmp_path / "ours")
    theirs.setup([gradio.Textbox(label="name"), gradio.Number(label="n")], tmp_path / "theirs")
    assert ours.flag(["Ada", 3], flag_option="good", username="ada") == 1
    assert ours.flag(["=SUM(A1)", None], flag_option="bad", username="ada") == 2
    theirs.flag(["Ada", 3], flag_option="good", username="ada")
    theirs.flag(["=SUM(A1)", None], flag_option="bad", username="ada")
    mine, gradios = rows(tmp_path / "ours" / "dataset1.csv"), rows(tmp_path / "theirs" / "dataset1.csv")
    assert mine[0] == gradios[0] == ["name", "n", "flag", "username", "timestamp"]
    assert [row[:-1] for row in mine[1:]] == [row[:-1] for row in gradios[1:]]  # timestamps differ
    assert mine[2][0].startswith("'")  # a formula is quoted, never run by a spreadsheet


def test_a_flagged_file_is_copied_beside_the_log(tmp_path: Path) -> None:
    with FileStore(tmp_path / "store") as store, use_file_store(store):
        upload = store.add_bytes(b"pixels", "cat.png")
        logger = CSVLogger(verbose=False)
        logger.setup([cp.Image(label="photo", render=False)], tmp_path / "flags")
        logger.flag([upload])
    (header, row) = rows(tmp_path / "flags" / "dataset1.csv")
    assert header == ["photo", "timestamp"]
    copied = Path(row[0])
    assert copied.parent == tmp_path / "flags" / "photo" and copied.read_bytes() == b"pixels"
    assert copied.name.endswith("cat.png")


def test_new_headers_start_a_new_dataset_file(tmp_path: Path) -> None:
    first = CSVLogger(verbose=False)
    first.setup([cp.Textbox(label="a", render=False)], tmp_path)
    first.flag(["x"])
    second = CSVLogger(verbose=False)
    second.setup([cp.Textbox(label="a", render=False)], tmp_path)
    assert second.flag(["y"]) == 2  # same headers: the same file
    third = CSVLogger(verbose=False)
    third.setup([cp.Textbox(label="b", render=False)], tmp_path)
    third.flag(["z"])
    assert sorted(p.name for p in tmp_path.glob("dataset*.csv")) == ["dataset1.csv", "dataset2.csv"]


def test_an_interface_gets_flag_buttons_only_in_manual_mode() -> None:
    def labels(demo: cp.Interface) -> set[str]:
        return {c["props"]["value"] for c in demo.config()["components"] if c["type"] == "button"}

    assert "Flag as good" in labels(cp.Interface(str.upper, "text", "text", flagging_options=["good"]))
    assert "Flag" not in labels(cp.Interface(str.upper, "text", "text", flagging_mode="auto"))
    assert "Flag" not in labels(cp.Interface(str.upper, "text", "text", flagging_mode="never"))
    assert "Flag" not in labels(cp.Interface(str.upper, "text", "text", allow_flagging="never"))
