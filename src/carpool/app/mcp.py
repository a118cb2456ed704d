"""``carpool.mcp.tool``, ``.resource``, ``.prompt``: Gradio's MCP decorators, which describe a function.

In Gradio they only attach a description to the function (its MCP name, description, URI template,
mime type); the Model Context Protocol server that reads it runs with ``launch(mcp_server=True)``.
carpool has no MCP server yet, so the descriptions are kept (``describe(fn)``) and the function works as
it always does; ``launch(mcp_server=True)`` says with a warning that no MCP server is started.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

__all__ = ["McpDescription", "describe", "prompt", "resource", "tool"]

F = TypeVar("F", bound=Callable[..., Any])
_ATTRIBUTE = "carpool_mcp"


@dataclass(frozen=True)
class McpDescription:
    kind: Literal["tool", "resource", "prompt"]
    name: str | None = None
    description: str | None = None
    uri_template: str | None = None  # resources
    mime_type: str | None = None  # resources
    structured_output: bool = False  # tools
    meta: dict[str, Any] = field(default_factory=dict)  # tools: Gradio's _meta


def _attach(description: McpDescription) -> Callable[[F], F]:
    def decorator(fn: F) -> F:
        if not callable(fn):
            raise TypeError(f"carpool.mcp.{description.kind}(...) decorates a function, got {fn!r}")
        setattr(fn, _ATTRIBUTE, description)
        return fn

    return decorator


def tool(
    name: str | None = None,
    description: str | None = None,
    structured_output: bool = False,
    _meta: dict[str, Any] | None = None,
) -> Callable[[F], F]:
    """Describe ``fn`` as an MCP tool: its name and description (default: the function's own)."""
    return _attach(
        McpDescription("tool", name, description, structured_output=structured_output, meta=_meta or {})
    )


def resource(
    uri_template: str, description: str | None = None, mime_type: str | None = None
) -> Callable[[F], F]:
    """Describe ``fn`` as an MCP resource at ``uri_template`` (``"greeting://{name}"``)."""
    if not isinstance(uri_template, str) or not uri_template:
        raise ValueError(
            f"carpool.mcp.resource needs a URI template such as 'greeting://{{name}}', got {uri_template!r}"
        )
    return _attach(McpDescription("resource", None, description, uri_template, mime_type or "text/plain"))


def prompt(name: str | None = None, description: str | None = None) -> Callable[[F], F]:
    """Describe ``fn`` as an MCP prompt (default name: the function's)."""
    return _attach(McpDescription("prompt", name, description))


def describe(fn: Callable[..., Any]) -> McpDescription | None:
    """The MCP description a decorator gave ``fn``, if any."""
    found = getattr(fn, _ATTRIBUTE, None)
    return found if isinstance(found, McpDescription) else None
