from __future__ import annotations

from typing import Any

import pytest

import carpool.app
from carpool.app import Interface, set_launcher


class FakeServer:
    def __init__(self, blocks: Any, settings: dict[str, Any]) -> None:
        self.blocks, self.settings = blocks, settings
        self.local_url = f"http://{settings['server_name']}:{settings['server_port'] or 7860}/"
        self.closed = False

    def close(self) -> None:
        self.closed = True


@pytest.fixture
def launched() -> Any:
    servers: list[FakeServer] = []

    def launcher(blocks: Any, **settings: Any) -> FakeServer:
        servers.append(FakeServer(blocks, settings))
        return servers[-1]

    previous = set_launcher(launcher)
    yield servers
    set_launcher(previous)


def test_launch_delegates_to_the_registered_launcher_and_returns_the_url(launched: list[FakeServer]) -> None:
    demo = Interface(str.upper, "text", "text")
    url = demo.queue(max_size=5).launch(
        server_port=9000, prevent_thread_lock=True, show_error=True, debug=True
    )
    (server,) = launched
    assert url == "http://127.0.0.1:9000/" == demo.local_url
    assert server.blocks is demo
    assert server.settings["prevent_thread_lock"] is True and server.settings["show_error"] is True
    assert server.settings["debug"] is True  # unknown settings pass through to the server
    demo.close()
    assert server.closed and demo.local_url is None


def test_share_is_not_supported_and_says_so(launched: list[FakeServer]) -> None:
    with pytest.warns(UserWarning, match="share"):
        Interface(str.upper, "text", "text").launch(share=True, prevent_thread_lock=True)


def test_launch_without_a_server_explains_what_to_import() -> None:
    previous = set_launcher(None)
    try:
        with pytest.raises(RuntimeError, match="import carpool"):
            Interface(str.upper, "text", "text").launch()
    finally:
        set_launcher(previous)


def test_close_without_launch_does_nothing() -> None:
    Interface(str.upper, "text", "text").close()


def test_public_names_are_sorted_and_stable() -> None:
    assert carpool.app.__all__ == sorted(carpool.app.__all__)
    assert set(carpool.app.__all__) == {
        "Blocks",
        "CSVLogger",
        "Cache",
        "ChatInterface",
        "CopyData",
        "DeletedFileData",
        "Dependency",
        "EditData",
        "EventData",
        "Examples",
        "FlaggingCallback",
        "Info",
        "Interface",
        "KeyUpData",
        "LikeData",
        "Progress",
        "QueueSettings",
        "Request",
        "RetryData",
        "SelectData",
        "SessionState",
        "SessionStore",
        "Success",
        "TabbedInterface",
        "UndoData",
        "Warning",
        "cache",
        "get_launcher",
        "on",
        "render",
        "set_launcher",
        "skip",
        "update",
        "validate",
    }
