from __future__ import annotations

import pytest

import carpool as cp
from carpool.app._unsupported import warn_ignored
from carpool.app.mcp import McpDescription, describe


def test_the_decorators_describe_the_function_and_leave_it_working() -> None:
    @cp.mcp.tool(name="count", _meta={"openai/widgetAccessible": True})
    def letter_counter(word: str, letter: str) -> int:
        return word.count(letter)

    @cp.mcp.resource("greeting://{name}")
    def greeting(name: str) -> str:
        return f"Hello, {name}!"

    @cp.mcp.prompt()
    def greet_user(name: str) -> str:
        return f"Greet {name}."

    assert letter_counter("strawberry", "r") == 3 and greeting("Ada") == "Hello, Ada!"
    assert describe(letter_counter) == McpDescription("tool", "count", meta={"openai/widgetAccessible": True})
    assert describe(greeting) == McpDescription(
        "resource", uri_template="greeting://{name}", mime_type="text/plain"
    )
    assert describe(greet_user) == McpDescription("prompt")
    assert describe(len) is None
    demo = cp.Interface(letter_counter, ["text", "text"], "number")
    assert demo("banana", "a") == 3


def test_bad_uses_are_clear_errors() -> None:
    with pytest.raises(ValueError, match="URI template"):
        cp.mcp.resource("")
    with pytest.raises(TypeError, match=r"mcp.tool\(...\) decorates a function"):
        cp.mcp.tool()("not a function")  # type: ignore[type-var]


def test_asking_for_an_mcp_server_warns_that_none_is_started() -> None:
    with pytest.warns(UserWarning, match="mcp_server: carpool serves no Model Context Protocol endpoint"):
        warn_ignored("launch()", ["mcp_server"])


def test_no_reload_is_true_because_carpool_reloads_nothing() -> None:
    assert cp.NO_RELOAD is True
