"""Chatbot, ChatMessage and MultimodalTextbox: the messages format in and out, and bad values refused."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from component_fakes import FakeBlocks, upload

from carpool.components import Chatbot, ChatMessage, FileStore, Image, MultimodalTextbox, get_component
from carpool.exceptions import InvalidInputError


def text(value: str) -> dict[str, Any]:
    return {"type": "text", "text": value}


def wire(role: str, *parts: dict[str, Any], metadata: Any = None, options: Any = None) -> dict[str, Any]:
    return {"role": role, "metadata": metadata, "content": list(parts), "options": options}


# -- Chatbot: Python -> wire ----------------------------------------------------------------------------


def test_dicts_and_chat_messages_become_messages_with_content_parts(store: FileStore) -> None:
    value = [
        {"role": "user", "content": "Hello"},
        ChatMessage("**Hi!**"),
        ChatMessage("looked it up", metadata={"title": "🔧 search", "status": "done", "duration": 1.5}),
    ]
    assert Chatbot().postprocess(value) == [
        wire("user", text("Hello")),
        wire("assistant", text("**Hi!**")),
        wire(
            "assistant",
            text("looked it up"),
            metadata={"title": "🔧 search", "status": "done", "duration": 1.5},
        ),
    ]


def test_text_is_dedented_as_gradio_does(store: FileStore) -> None:
    out = Chatbot().postprocess([{"role": "assistant", "content": "\n    line one\n    line two\n"}])
    assert out[0]["content"] == [text("line one\nline two")]


def test_files_paths_and_media_components_become_file_parts(store: FileStore, tmp_path: Path) -> None:
    picture = tmp_path / "cat.png"
    picture.write_bytes(b"\x89PNG fake")
    value = [
        {"role": "assistant", "content": {"path": str(picture), "alt_text": "a cat"}},
        {"role": "assistant", "content": (str(picture),)},
        {"role": "assistant", "content": Image(str(picture), label="photo", render=False)},
        {"role": "assistant", "content": ["see:", {"path": "https://example.com/dog.jpg"}]},
    ]
    out = Chatbot().postprocess(value)
    first = out[0]["content"][0]
    assert first["type"] == "file" and first["alt_text"] == "a cat"
    assert first["file"]["mime_type"] == "image/png" and first["file"]["orig_name"] == "cat.png"
    assert store.resolve(first["file"]["file_id"]).path.read_bytes() == b"\x89PNG fake"
    assert out[1]["content"][0]["type"] == "file"
    assert out[2]["content"][0]["alt_text"] == "photo"
    assert out[3]["content"][0] == text("see:")
    assert out[3]["content"][1]["file"] == {
        "url": "https://example.com/dog.jpg",
        "orig_name": "dog.jpg",
        "mime_type": "image/jpeg",
        "size": None,
    }


def test_a_round_trip_keeps_the_same_file_instead_of_copying_it(store: FileStore) -> None:
    uploaded = upload(store, b"data", "notes.txt")
    chatbot = Chatbot()
    seen = chatbot.preprocess([wire("user", {"type": "file", "file": uploaded, "alt_text": None})])
    assert Path(seen[0]["content"][0]["file"]["path"]).read_bytes() == b"data"
    again = chatbot.postprocess(seen)
    assert again[0]["content"][0]["file"]["file_id"] == uploaded["file_id"]
    assert len(store) == 1


def test_messages_with_nothing_to_show_are_dropped(store: FileStore) -> None:
    assert (
        Chatbot().postprocess([{"role": "assistant", "content": None}, {"role": "user", "content": []}]) == []
    )
    assert Chatbot().postprocess(None) == []


@pytest.mark.parametrize(
    ("value", "error", "match"),
    [
        ([["hi", "hello"]], TypeError, "the old 'tuples' format"),
        ([{"role": "bot", "content": "hi"}], ValueError, "role must be one of"),
        ([{"content": "hi"}], TypeError, "expected a dict with 'role' and 'content'"),
        ([{"role": "user", "content": 3.5}], TypeError, "content must be text, a file"),
        ([{"role": "user", "content": {"weird": 1}}], TypeError, "neither text nor a file"),
        ([ChatMessage("x", metadata={"status": "late"})], ValueError, "'status' must be 'pending' or 'done'"),
        ("hello", TypeError, "expects a list of messages"),
    ],
)
def test_a_function_returning_something_that_is_not_a_conversation_is_told_why(
    store: FileStore, value: Any, error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        Chatbot().postprocess(value)


# -- Chatbot: wire -> Python ----------------------------------------------------------------------------


def test_the_function_receives_normalised_messages(store: FileStore) -> None:
    payload = [
        {"role": "user", "content": "plain string"},
        {"role": "assistant", "content": [{"type": "text", "text": "openai style"}]},
        wire(
            "assistant", text("thinking"), metadata={"title": "Thought", "extra": "dropped"}, options=["yes"]
        ),
    ]
    assert Chatbot().preprocess(payload) == [
        wire("user", text("plain string")),
        wire("assistant", text("openai style")),
        wire("assistant", text("thinking"), metadata={"title": "Thought"}, options=[{"value": "yes"}]),
    ]
    assert Chatbot().preprocess(None) == []


@pytest.mark.parametrize(
    ("payload", "match"),
    [
        ({"role": "user"}, "expected a list of messages, got object"),
        (["hi"], 'message 0: expected an object with "role" and "content", got string'),
        (
            [{"role": "user", "content": "a"}, {"role": "robot", "content": "b"}],
            "message 1: role must be one of",
        ),
        ([{"role": "user", "content": 7}], "message 0: content must be text or files"),
        (
            [{"role": "user", "content": [{"type": "image_url", "image_url": "x"}]}],
            "a part of type 'image_url'",
        ),
        ([{"role": "user", "content": [{"type": "text", "text": None}]}], 'needs "text" as a string'),
        (
            [{"role": "user", "content": [{"type": "file", "file": {"path": "/etc/passwd"}}]}],
            "message 0: file:",
        ),
        (
            [{"role": "user", "content": [{"type": "file", "file": {"file_id": "x" * 32}}]}],
            "unknown or expired",
        ),
        ([{"role": "user", "content": "x", "metadata": "title"}], "metadata must be an object"),
        (
            [{"role": "user", "content": "x", "metadata": {"duration": "long"}}],
            "'duration' must be int or float",
        ),
        ([{"role": "user", "content": "x", "options": [{"label": "no value"}]}], "each option is"),
    ],
)
def test_malformed_messages_from_a_client_are_invalid_input(
    store: FileStore, payload: Any, match: str
) -> None:
    with pytest.raises(InvalidInputError, match=match):
        Chatbot().preprocess(payload)


def test_an_external_file_url_is_passed_on_never_fetched(store: FileStore) -> None:
    part = {"type": "file", "file": {"url": "https://example.com/a.png", "orig_name": "a.png"}}
    got = Chatbot().preprocess([wire("assistant", part)])[0]["content"][0]["file"]
    assert got == {"path": None, "url": "https://example.com/a.png", "orig_name": "a.png"}


# -- Chatbot: construction and config -------------------------------------------------------------------


def test_config_lists_the_listened_chat_events_for_the_page(blocks: FakeBlocks, store: FileStore) -> None:
    chatbot = Chatbot(height=300, editable="user", placeholder="Ask me", layout="panel")
    chatbot.like(lambda: None)
    chatbot.retry(lambda: None)
    props = chatbot.get_config()["props"]
    assert props["listens"] == ["like", "retry"]
    assert props["height"] == 300 and props["editable"] == "user" and props["layout"] == "panel"
    assert props["feedback_options"] == ["Like", "Dislike"] and props["show_copy_button"] is True
    assert props["value"] == []


def test_avatars_are_served_once_per_store(store: FileStore, tmp_path: Path) -> None:
    avatar = tmp_path / "me.png"
    avatar.write_bytes(b"png")
    chatbot = Chatbot(avatar_images=(str(avatar), "https://example.com/bot.png"))
    first = chatbot.get_config()["props"]["avatar_images"]
    assert first[0]["orig_name"] == "me.png" and first[1] == {"url": "https://example.com/bot.png"}
    assert chatbot.get_config()["props"]["avatar_images"] == first
    assert len(store) == 1


def test_bad_constructor_arguments_fail_at_build_time() -> None:
    with pytest.raises(ValueError, match="'tuples' format is not supported"):
        Chatbot(type="tuples")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="editable"):
        Chatbot(editable="everyone")  # type: ignore[arg-type]
    with pytest.warns(UserWarning, match="bubble_full_width"):
        Chatbot(bubble_full_width=False)


def test_shortcut_names() -> None:
    assert isinstance(get_component("chatbot"), Chatbot)
    assert isinstance(get_component("multimodaltextbox"), MultimodalTextbox)


# -- MultimodalTextbox ----------------------------------------------------------------------------------


def test_multimodal_value_is_text_and_file_paths(store: FileStore) -> None:
    uploaded = upload(store, b"img", "photo.png")
    got = MultimodalTextbox().preprocess({"text": "look", "files": [uploaded]})
    assert got is not None and got["text"] == "look"
    assert Path(got["files"][0]).read_bytes() == b"img"
    assert MultimodalTextbox().preprocess("just text") == {"text": "just text", "files": []}
    assert MultimodalTextbox().preprocess(None) is None


@pytest.mark.parametrize(
    ("payload", "match"),
    [
        (7, 'expected {"text": str, "files": \\[FileData\\]}, got number'),
        ({"text": 5}, '"text" must be a string, got number'),
        ({"text": "x", "files": "a.png"}, '"files" must be a list of files, got string'),
        ({"text": "x", "files": ["/etc/passwd"]}, "file 0: expected a file object"),
        ({"text": "x", "files": [{"path": "/etc/passwd"}]}, "file 0: "),
    ],
)
def test_multimodal_refuses_what_is_not_text_and_uploaded_files(
    store: FileStore, payload: Any, match: str
) -> None:
    with pytest.raises(InvalidInputError, match=match):
        MultimodalTextbox().preprocess(payload)


def test_multimodal_file_types_are_enforced(store: FileStore) -> None:
    pdf = upload(store, b"%PDF", "doc.pdf")
    with pytest.raises(InvalidInputError, match="file 0: type not allowed"):
        MultimodalTextbox(file_types=["image"]).preprocess({"text": "", "files": [pdf]})
    assert MultimodalTextbox(file_types=[".pdf"]).preprocess({"text": "", "files": [pdf]})


def test_multimodal_output(store: FileStore, tmp_path: Path) -> None:
    doc = tmp_path / "a.txt"
    doc.write_text("x")
    box = MultimodalTextbox()
    assert box.postprocess(None) == {"text": "", "files": []}
    assert box.postprocess("hi") == {"text": "hi", "files": []}
    out = box.postprocess({"text": "t", "files": [str(doc)]})
    assert out["text"] == "t" and out["files"][0]["orig_name"] == "a.txt"
    with pytest.raises(TypeError, match="expects a str or a dict"):
        box.postprocess(3)
    with pytest.raises(TypeError, match="'files' must be a list"):
        box.postprocess({"text": "", "files": "a.txt"})
