from __future__ import annotations

from pathlib import Path

import pytest

from carpool.components import FileExplorer
from carpool.exceptions import InvalidInputError


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.txt").write_text("a")
    (tmp_path / "b.py").write_text("b")
    return tmp_path


def test_the_page_lists_what_the_globs_match_under_root_dir(tree: Path) -> None:
    props = FileExplorer(root_dir=tree, render=False).get_config()["props"]
    assert props["entries"] == ["b.py", "docs/", "docs/a.txt"]
    only_text = FileExplorer("**/*.txt", root_dir=tree, render=False).get_config()["props"]["entries"]
    assert only_text == ["docs/a.txt"]
    assert FileExplorer(root_dir=tree, ignore_glob="*.py", render=False).entries() == ["docs/", "docs/a.txt"]


def test_chosen_paths_reach_the_function_as_absolute_paths(tree: Path) -> None:
    many = FileExplorer(root_dir=tree, render=False)
    assert many.preprocess([["docs", "a.txt"], ["b.py"]]) == [
        str(tree / "docs" / "a.txt"),
        str(tree / "b.py"),
    ]
    one = FileExplorer(root_dir=tree, file_count="single", render=False)
    assert one.preprocess([["b.py"]]) == str(tree / "b.py")
    assert many.postprocess(str(tree / "docs" / "a.txt")) == [["docs", "a.txt"]]
    assert many.postprocess(["b.py"]) == [["b.py"]]


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ([["..", "etc", "passwd"]], "non-empty names"),
        ([["docs", "..", "..", "x"]], "non-empty names"),
        ([["missing.bin"]], "not one of this FileExplorer's files"),
        ("b.py", "a list of paths"),
        ([[1]], "non-empty names"),
    ],
)
def test_a_path_outside_the_listing_is_refused(tree: Path, payload: object, message: str) -> None:
    explorer = FileExplorer("**/*.py", root_dir=tree, render=False)
    with pytest.raises(InvalidInputError, match=message):
        explorer.preprocess(payload)


def test_single_takes_one_path_and_outputs_stay_under_root(tree: Path) -> None:
    with pytest.raises(InvalidInputError, match="takes one path, got 2"):
        FileExplorer(root_dir=tree, file_count="single", render=False).preprocess([["b.py"], ["docs"]])
    with pytest.raises(ValueError, match="outside root_dir"):
        FileExplorer(root_dir=tree / "docs", render=False).postprocess(str(tree / "b.py"))
    with pytest.raises(ValueError, match="file_count must be 'single' or 'multiple'"):
        FileExplorer(file_count="all", render=False)  # type: ignore[arg-type]


def test_an_update_with_a_new_glob_brings_the_new_listing(tree: Path) -> None:
    explorer = FileExplorer(root_dir=tree, render=False)
    wire = explorer.postprocess_update(FileExplorer(glob="*.py", render=False).update_props())
    assert wire["entries"] == ["b.py"] and wire["glob"] == "*.py"
