"""Core's modules talk through public names: no module reaches into another one's private members.

An access ``obj._name`` (``obj`` not ``self``/``cls``) counts when ``_name`` is not defined in the module
doing the access, and so does ``from x import _name``. The engine's record of an event (``JobRecord``)
exposes what the other modules need by public names; the caller's ``Job`` handle keeps its record private.
"""

from __future__ import annotations

import ast
from pathlib import Path

import carpool.core

CORE = Path(carpool.core.__file__).parent


def _defined(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            names.add(node.attr)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.isidentifier():
            names.add(node.value)  # __slots__ entries
    return names


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def cross_module_private_accesses(path: Path) -> list[str]:
    tree = ast.parse(path.read_text())
    own = _defined(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _private(node.attr) and node.attr not in own:
            found.append(f"{path.name}:{node.lineno}: .{node.attr}")
        elif isinstance(node, ast.ImportFrom):
            found += [f"{path.name}:{node.lineno}: import {a.name}" for a in node.names if _private(a.name)]
    return found


def test_no_core_module_reaches_into_another_ones_private_members() -> None:
    found = [hit for path in sorted(CORE.glob("*.py")) for hit in cross_module_private_accesses(path)]
    assert found == []


def test_the_check_sees_a_private_access_across_modules(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text(
        "from x import _hidden\n\ndef f(job):\n    job._emit(1)\n    job._mine = 2\n    return job._mine\n"
    )
    assert cross_module_private_accesses(module) == ["m.py:1: import _hidden", "m.py:4: ._emit"]


def _core_imports(path: Path) -> set[str]:
    """The core modules ``path`` imports, ``TYPE_CHECKING`` imports included."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("carpool.core."):
            found.add(node.module.split(".")[2])
    return found


def test_core_has_no_import_cycles() -> None:
    graph = {path.stem: _core_imports(path) for path in CORE.glob("*.py")}

    def reaches(start: str, target: str, seen: set[str]) -> bool:
        for module in graph.get(start, set()) - seen:
            if module == target or reaches(module, target, seen | {module}):
                return True
        return False

    assert [module for module in sorted(graph) if reaches(module, module, set())] == []
