from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from component_fakes import upload
from hypothesis import given, settings
from hypothesis import strategies as st

from carpool.components import (
    FileStore,
    FileTooLargeError,
    current_file_session,
    current_file_store,
    use_file_store,
)
from carpool.components.files import safe_file_name
from carpool.exceptions import FileAccessError, InvalidInputError

SECRET = b"TOP-SECRET-BYTES"

TRAVERSAL_IDS = [
    "../../../../etc/passwd",
    "..%2f..%2fetc%2fpasswd",
    "..%252f..%252fetc%252fpasswd",
    "/etc/passwd",
    "//etc/passwd",
    "..\\..\\windows\\win.ini",
    "C:\\Windows\\win.ini",
    "\\\\host\\share",
    "secret.txt%00.png",
    "\uff0e\uff0e/\uff0e\uff0e/etc/passwd",
    "%c0%ae%c0%ae/etc/passwd",
    "/proc/self/environ",
    "",
    "a" * 31,
    "a" * 33,
    "A" * 32,  # right shape, never minted
]


def files_under(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


@pytest.fixture
def dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Path]]:
    """A private "system temp dir", an allowed dir, a sibling sharing its prefix and a secret outside."""
    layout = {name: tmp_path / name for name in ("systemp", "allowed", "allowed-sibling", "outside", "cache")}
    for path in layout.values():
        path.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(layout["systemp"]))
    (layout["allowed"] / "ok.txt").write_bytes(b"ok")
    (layout["outside"] / "secret.txt").write_bytes(SECRET)
    (layout["allowed-sibling"] / "secret.txt").write_bytes(SECRET)
    (layout["allowed"] / "link").symlink_to(layout["outside"] / "secret.txt")
    (layout["allowed"] / "linkdir").symlink_to(layout["outside"], target_is_directory=True)
    yield layout


@pytest.fixture
def guarded(dirs: dict[str, Path]) -> Iterator[FileStore]:
    with FileStore(dirs["cache"], allowed_paths=[dirs["allowed"]]) as file_store:
        yield file_store


# -- minting and resolving ------------------------------------------------------------------------


def test_upload_mints_an_opaque_id_that_resolves_to_its_record(store: FileStore) -> None:
    data = upload(store, b"hello", "notes.txt")
    assert len(data["file_id"]) == 32 and data["url"] == f"/file/{data['file_id']}"
    assert data["meta"] == {"_type": "carpool.FileData"}
    assert (data["orig_name"], data["size"], data["mime_type"]) == ("notes.txt", 5, "text/plain")
    record = store.resolve(data["file_id"])
    assert record.path.read_bytes() == b"hello" and record.path.is_relative_to(store.root)
    assert record.path.name == "notes.txt" and record.session_id is None


def test_ids_are_distinct() -> None:
    with FileStore() as file_store:
        ids = {file_store.add_bytes(b"x", "x.bin")["file_id"] for _ in range(50)}
    assert len(ids) == 50


@pytest.mark.parametrize("file_id", TRAVERSAL_IDS)
def test_resolve_rejects_anything_but_a_minted_id(store: FileStore, file_id: str) -> None:
    upload(store, SECRET, "secret.txt")
    with pytest.raises(FileAccessError) as caught:
        store.resolve(file_id)
    assert "etc" not in str(caught.value) and str(store.root) not in str(caught.value)


def test_resolve_rejects_non_string_ids(store: FileStore) -> None:
    with pytest.raises(FileAccessError):
        store.resolve(123)  # type: ignore[arg-type]


def test_resolve_of_arbitrary_text_never_finds_a_file(store: FileStore) -> None:
    minted = store.add_bytes(SECRET, "secret.txt")["file_id"]

    @settings(max_examples=300, deadline=None)
    @given(candidate=st.text(max_size=64))
    def check(candidate: str) -> None:
        if candidate != minted:
            with pytest.raises(FileAccessError):
                store.resolve(candidate)

    check()


def test_uploads_are_bound_to_their_session_outputs_are_not(store: FileStore) -> None:
    private = upload(store, b"mine", "a.txt", session_id="alice")["file_id"]
    public = store.add_bytes(b"out", "out.txt")["file_id"]
    assert store.resolve(private, "alice").session_id == "alice"
    assert store.resolve(private).path.read_bytes() == b"mine"  # no session named: the server decides
    with pytest.raises(FileAccessError):
        store.resolve(private, "bob")
    assert store.resolve(public, "bob").path.read_bytes() == b"out"


# -- client payloads ------------------------------------------------------------------------------


def test_resolve_payload_accepts_the_filedata_upload_returned(store: FileStore) -> None:
    data = upload(store, b"x", "x.txt", session_id="s")
    assert store.resolve_payload(data, "s").file_id == data["file_id"]
    assert store.resolve_payload({"file_id": data["file_id"]}, "s").size == 1
    behind_proxy = {**data, "url": f"https://example.org/app/file/{data['file_id']}"}
    assert store.resolve_payload(behind_proxy, "s").file_id == data["file_id"]


@pytest.mark.parametrize(
    "payload",
    [
        {"path": "/etc/passwd"},
        {"file_id": "x", "path": "/etc/passwd"},
        "/etc/passwd",
        ["file"],
        None,
        {"url": "http://169.254.169.254/latest/meta-data"},
        {"file_id": "../../etc/passwd"},
    ],
)
def test_resolve_payload_rejects_paths_urls_and_malformed_values(store: FileStore, payload: object) -> None:
    with pytest.raises(InvalidInputError) as caught:
        store.resolve_payload(payload)
    assert "/etc" not in str(caught.value) and "169.254" not in str(caught.value)


def test_resolve_payload_rejects_a_real_id_that_claims_a_path_or_foreign_url(store: FileStore) -> None:
    file_id = upload(store, b"x", "x.txt")["file_id"]
    with pytest.raises(InvalidInputError, match="file_id"):
        store.resolve_payload({"file_id": file_id, "path": "/etc/passwd"})
    with pytest.raises(InvalidInputError, match="file_id"):
        store.resolve_payload({"file_id": file_id, "url": "http://127.0.0.1/admin"})
    with pytest.raises(InvalidInputError, match="file_id"):
        store.resolve_payload({"file_id": file_id, "url": ["/file/" + file_id]})


def test_resolve_payload_of_another_sessions_upload_is_an_unknown_id(store: FileStore) -> None:
    data = upload(store, b"x", "x.txt", session_id="alice")
    with pytest.raises(InvalidInputError, match="unknown or expired file_id"):
        store.resolve_payload(data, "bob")


# -- streamed uploads -----------------------------------------------------------------------------


def test_upload_over_the_limit_raises_and_leaves_nothing(store: FileStore) -> None:
    writer = store.open_upload("big.bin", max_bytes=10)
    writer.write(b"12345")
    writer.write(b"67890")  # exactly the limit is fine
    with pytest.raises(FileTooLargeError) as caught:
        writer.write(b"1")
    assert caught.value.limit == 10
    assert files_under(store.root) == [] and len(store) == 0
    with pytest.raises(ValueError, match="already committed or aborted"):
        writer.write(b"x")


def test_upload_limit_defaults_to_the_stores_max_upload_bytes(tmp_path: Path) -> None:
    with FileStore(tmp_path, max_upload_bytes=4) as file_store:
        writer = file_store.open_upload("x")
        with pytest.raises(FileTooLargeError):
            writer.write(b"12345")
        unlimited = file_store.open_upload("y", max_bytes=None)
        unlimited.write(b"x" * 100)
        assert unlimited.commit()["size"] == 100


def test_abort_and_leaving_the_writer_without_commit_remove_the_partial_file(store: FileStore) -> None:
    writer = store.open_upload("a.txt")
    writer.write(b"partial")
    assert len(files_under(store.root)) == 1
    writer.abort()
    writer.abort()
    with store.open_upload("b.txt") as other:
        other.write(b"partial")
    assert files_under(store.root) == [] and len(store) == 0


def test_an_uncommitted_upload_does_not_resolve(store: FileStore) -> None:
    writer = store.open_upload("a.txt")
    with pytest.raises(FileAccessError):
        store.resolve(writer.file_id)
    writer.abort()


def test_commit_twice_is_an_error(store: FileStore) -> None:
    writer = store.open_upload("a.txt")
    writer.commit()
    with pytest.raises(ValueError):
        writer.commit()


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\win.ini", "win.ini"),
        ("C:\\x\\photo.png", "photo.png"),
        ("", "file"),
        ("..", "file"),
        ("a\x00b.txt", "a_b.txt"),
        ("we<ird>?.txt", "we_ird__.txt"),
    ],
)
def test_stored_names_are_safe_basenames(given: str, stored: str) -> None:
    assert safe_file_name(given) == stored


def test_long_names_are_shortened_keeping_the_extension() -> None:
    name = safe_file_name("x" * 500 + ".png")
    assert len(name) <= 128 and name.endswith(".png")


def test_an_upload_named_like_a_traversal_stays_inside_the_store(store: FileStore) -> None:
    data = upload(store, b"x", "../../../../tmp/evil.sh")
    assert store.resolve(data["file_id"]).path.parent.parent == store.root


# -- app-produced files ---------------------------------------------------------------------------


def test_add_path_copies_an_allowed_file_into_the_store(guarded: FileStore, dirs: dict[str, Path]) -> None:
    source = dirs["allowed"] / "ok.txt"
    data = guarded.add_path(source)
    record = guarded.resolve(data["file_id"])
    source.write_bytes(b"changed later")
    assert record.path.read_bytes() == b"ok" and record.path.is_relative_to(guarded.root)
    assert data["orig_name"] == "ok.txt" and record.session_id is None


def test_add_path_allows_the_system_temp_dir_and_the_store_itself(
    guarded: FileStore, dirs: dict[str, Path]
) -> None:
    temp_file = dirs["systemp"] / "out.bin"
    temp_file.write_bytes(b"t")
    assert guarded.add_path(str(temp_file))["size"] == 1
    stored = guarded.resolve(guarded.add_bytes(b"s", "s.bin")["file_id"]).path
    assert guarded.add_path(stored)["size"] == 1


@pytest.mark.parametrize(
    "relative",
    [
        "outside/secret.txt",
        "allowed/../outside/secret.txt",
        "allowed-sibling/secret.txt",
        "allowed/link",
        "allowed/linkdir/secret.txt",
        "allowed",
        "allowed/missing.txt",
        "ALLOWED/ok.txt",
    ],
)
def test_add_path_refuses_files_outside_the_allowed_dirs(
    guarded: FileStore, dirs: dict[str, Path], relative: str, caplog: pytest.LogCaptureFixture
) -> None:
    tmp_root = dirs["allowed"].parent
    with pytest.raises(FileAccessError) as caught:
        guarded.add_path(f"{tmp_root}/{relative}")
    assert str(tmp_root) not in str(caught.value)  # the path is logged, never put in the message
    assert files_under(guarded.root) == []
    assert "refused to serve file" in caplog.text


@pytest.mark.parametrize("path", ["/etc/passwd", "/proc/self/environ", "//etc/passwd", "/etc/../etc/passwd"])
def test_add_path_refuses_system_files(guarded: FileStore, path: str) -> None:
    with pytest.raises(FileAccessError):
        guarded.add_path(path)


def test_add_path_refuses_nul_bytes_and_fifos(guarded: FileStore, dirs: dict[str, Path]) -> None:
    with pytest.raises(FileAccessError):
        guarded.add_path(f"{dirs['allowed']}/ok.txt\x00.png")
    fifo = dirs["allowed"] / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(FileAccessError):
        guarded.add_path(fifo)


def test_blocked_paths_win_over_allowed_paths(dirs: dict[str, Path]) -> None:
    allowed = dirs["allowed"]
    blocked = FileStore(dirs["cache"], allowed_paths=[allowed], blocked_paths=[allowed])
    with blocked, pytest.raises(FileAccessError):
        blocked.add_path(allowed / "ok.txt")


def test_add_path_property_only_ever_stores_the_allowed_file(dirs: dict[str, Path]) -> None:
    segments = st.sampled_from(
        [
            "..",
            ".",
            "",
            "ok.txt",
            "secret.txt",
            "outside",
            "allowed",
            "allowed-sibling",
            "link",
            "linkdir",
            "%2e%2e",
            "..\\",
            "\uff0e\uff0e",
            "ok.txt\x00",
        ]
    )

    @settings(max_examples=300, deadline=None)
    @given(parts=st.lists(segments, max_size=6))
    def check(parts: list[str]) -> None:
        try:
            data = guarded.add_path(str(dirs["allowed"]) + "/" + "/".join(parts))
        except FileAccessError:
            return
        assert guarded.resolve(data["file_id"]).path.read_bytes() == b"ok"

    with FileStore(dirs["cache"], allowed_paths=[dirs["allowed"]]) as guarded:
        check()


# -- bounds and lifetime --------------------------------------------------------------------------


def test_least_recently_used_files_are_evicted_past_max_files(tmp_path: Path) -> None:
    with FileStore(tmp_path, max_files=2) as file_store:
        first = file_store.add_bytes(b"1", "1")["file_id"]
        second = file_store.add_bytes(b"2", "2")["file_id"]
        first_path = file_store.resolve(first).path  # first is now the most recently used
        third = file_store.add_bytes(b"3", "3")["file_id"]
        assert file_store.resolve(first).path == first_path and file_store.resolve(third)
        with pytest.raises(FileAccessError):
            file_store.resolve(second)
        assert len(files_under(file_store.root)) == 2


def test_max_total_bytes_evicts_old_files_but_keeps_the_newest(tmp_path: Path) -> None:
    with FileStore(tmp_path, max_total_bytes=10) as file_store:
        old = file_store.add_bytes(b"x" * 6, "old")["file_id"]
        new = file_store.add_bytes(b"y" * 6, "new")["file_id"]
        huge = file_store.add_bytes(b"z" * 50, "huge")["file_id"]
        with pytest.raises(FileAccessError):
            file_store.resolve(old)
        with pytest.raises(FileAccessError):
            file_store.resolve(new)
        assert file_store.resolve(huge).size == 50


def test_close_deletes_only_the_stores_own_dir(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("keep")
    file_store = FileStore(tmp_path)
    file_id = file_store.add_bytes(b"x", "x")["file_id"]
    assert file_store.root.parent == tmp_path.resolve()
    file_store.close()
    assert not file_store.root.exists() and (tmp_path / "keep.txt").exists()
    with pytest.raises(FileAccessError):
        file_store.resolve(file_id)
    with pytest.raises(RuntimeError, match="closed"):
        file_store.add_bytes(b"x", "x")


def test_current_file_store_is_a_lazy_default_unless_one_is_in_use(tmp_path: Path) -> None:
    default = current_file_store()
    assert current_file_store() is default and current_file_session() is None
    with FileStore(tmp_path) as mine, use_file_store(mine, session_id="s1"):
        assert current_file_store() is mine and current_file_session() == "s1"
    assert current_file_store() is default and current_file_session() is None
