"""The ``GET /config`` body: everything the front end needs to render the app and wire its events."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

from carpool.app._theme import page_theme
from carpool.protocol import PROTOCOL_VERSION

if TYPE_CHECKING:
    from carpool.app._blocks import Blocks

__all__ = ["app_config", "layout_tree"]


def _carpool_version() -> str:
    try:
        return version("carpool")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0.0.0"


def layout_tree(blocks: Blocks) -> dict[str, Any]:
    """``{"id": 0, "children": [...]}``: placed blocks under their container, in the order placed."""
    children: dict[int, list[int]] = {0: []}
    containers = {0}
    for block in blocks.placed:
        parent = getattr(block, "parent", None)
        parent_id = 0 if parent is blocks or parent is None else parent.id
        children.setdefault(parent_id, []).append(block.id)
        if hasattr(block, "add_child"):
            containers.add(block.id)

    def node(block_id: int) -> dict[str, Any]:
        if block_id not in containers:
            return {"id": block_id}
        return {"id": block_id, "children": [node(child) for child in children.get(block_id, [])]}

    return node(0)


def app_config(blocks: Blocks) -> dict[str, Any]:
    return {
        "protocol": PROTOCOL_VERSION,
        "version": _carpool_version(),
        "title": blocks.title,
        "description": blocks.description,
        "article": blocks.article,
        "theme": page_theme(blocks.theme),
        "css": blocks.css,
        "js": blocks.js,
        "head": blocks.head,
        "fill_height": blocks.fill_height,
        "fill_width": blocks.fill_width,
        "auth_required": False,  # the server sets it when it serves with auth
        "components": [block.get_config() for block in blocks.blocks.values()],
        "layout": layout_tree(blocks),
        "dependencies": [dependency.config() for dependency in blocks.dependencies],
    }
