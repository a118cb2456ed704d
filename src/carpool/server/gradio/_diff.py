"""The edits that turn one streamed output into the next: what sse_v3 sends for a generator's partials.

Gradio's clients keep the last value of every output and apply a list of ``[action, path, value]``
edits to it (``replace``, ``append``, ``add``, ``delete``; ``path`` is a list of keys and indices
from the output's root). A chat model streaming tokens then sends each new token once, not the whole
conversation again. The first partial of an event goes out whole; the final ``process_completed``
always carries whole values.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Edit", "diff"]

Edit = list[Any]  # [action, path, value]


def diff(old: Any, new: Any) -> list[Edit]:
    """Edits that make ``old`` equal ``new`` (an empty list when they already are)."""
    if type(old) is type(new) and old == new:
        return []
    if isinstance(old, str) and isinstance(new, str) and new.startswith(old):
        return [["append", [], new[len(old) :]]]
    if isinstance(old, list) and isinstance(new, list):
        return _list_edits(old, new)
    if isinstance(old, dict) and isinstance(new, dict):
        return _dict_edits(old, new)
    return [["replace", [], new]]


def _under(key: Any, edits: list[Edit]) -> list[Edit]:
    return [[action, [key, *path], value] for action, path, value in edits]


def _list_edits(old: list[Any], new: list[Any]) -> list[Edit]:
    edits: list[Edit] = []
    for index in range(min(len(old), len(new))):
        edits.extend(_under(index, diff(old[index], new[index])))
    edits.extend(["add", [index], new[index]] for index in range(len(old), len(new)))
    # From the end: every deletion shifts the items after it.
    edits.extend(["delete", [index], None] for index in reversed(range(len(new), len(old))))
    return edits


def _dict_edits(old: dict[str, Any], new: dict[str, Any]) -> list[Edit]:
    edits: list[Edit] = []
    for key, value in old.items():
        if key in new:
            edits.extend(_under(key, diff(value, new[key])))
        else:
            edits.append(["delete", [key], None])
    edits.extend(["add", [key], value] for key, value in new.items() if key not in old)
    return edits
