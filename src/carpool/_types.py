"""Small shared types (stdlib only)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, TypeAlias

BatchTimeout: TypeAlias = "float | Literal['auto']"
Clock: TypeAlias = Callable[[], float]
AnyFn: TypeAlias = Callable[..., Any]
