"""One app rendered inside another: ``inner.render()`` inside ``with outer:`` (Gradio's ``Blocks.render``).

The inner app's layout goes into the container that is open in the outer app, and its blocks and listeners
become the outer app's: listeners are renumbered after the outer's, their API names made unique among the
outer's, and ``.then`` chains follow the renumbering (``cancels`` hold the listeners themselves). A
``demo.load`` of the inner app fires when a page opens the outer one. An app is rendered at most once:
its listeners now belong to the outer app.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from carpool.app._blocks import Blocks

__all__ = ["render_into"]


def render_into(outer: Blocks, inner: Blocks, container: Any) -> None:
    if inner is outer:
        raise RuntimeError(f"{inner!r}.render() inside its own `with` block")
    if inner.rendered_into is not None:
        raise RuntimeError(f"{inner!r} is already rendered in another app; build a new one to render again")
    _place_blocks(outer, inner, container)
    _adopt_dependencies(outer, inner)
    inner.rendered_into = outer


def _place_blocks(outer: Blocks, inner: Blocks, container: Any) -> None:
    for block in inner.children:
        block.parent = container
        container.add_child(block)
    for block in inner.placed:
        outer.add_block(block)
    for block_id, block in inner.blocks.items():
        outer.blocks.setdefault(block_id, block)  # used by a listener but never placed


def _adopt_dependencies(outer: Blocks, inner: Blocks) -> None:
    offset = len(outer.dependencies)
    for dependency in inner.dependencies:
        dependency.index += offset
        dependency.registry = outer
        if dependency.options.trigger_after is not None:
            dependency.options.trigger_after += offset
        dependency.api_name = outer.unique_api_name(dependency.api_name)
        outer.dependencies.append(dependency)
