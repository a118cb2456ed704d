"""Making the model's code reach the replicas.

Ray sends a class to its actors by reference (module and name; the worker imports the module) unless
it was defined in ``__main__``. An app file served with ``carpool run app.py`` is imported under its
own name from a directory only this process has on ``sys.path``, so the workers could not import it.
A standalone module like that (top-level, not installed) is therefore sent by value, as ``__main__``
would be. Code in an installed package stays by reference: install it on every node.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path
from typing import Any

from carpool.scale._ray import ray

__all__ = ["ship_defining_module"]

_INSTALLED_DIRS = {"site-packages", "dist-packages"}


def ship_defining_module(target: Any) -> None:
    """Send the module that defines ``target`` by value when the workers cannot import it by name."""
    while isinstance(target, functools.partial):
        target = target.func
    name = getattr(target, "__module__", None)
    module = sys.modules.get(name) if isinstance(name, str) else None
    if module is None or _importable_everywhere(module.__name__, getattr(module, "__file__", None)):
        return
    ray.cloudpickle.register_pickle_by_value(module)  # type: ignore[no-untyped-call]


def _importable_everywhere(name: str, path: str | None) -> bool:
    if name == "__main__" or "." in name:  # __main__ goes by value anyway; packages are installed
        return True
    if path is None or name in sys.stdlib_module_names:
        return True
    return bool(_INSTALLED_DIRS & set(Path(path).parts))
