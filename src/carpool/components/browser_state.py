"""``BrowserState``: a value kept in the viewer's browser (``localStorage``), across reloads.

Unlike ``State`` (on the server, per session), its value lives in the browser and travels as JSON: the
page sends it as an input and saves what a function returns to it. It starts as ``default_value`` until
the browser has a saved value under ``storage_key``. The value is stored as plain JSON: Gradio encrypts
it with ``secret``; carpool does not, and says so if ``secret`` is given. Keep secrets out of it.
"""

from __future__ import annotations

import json
import uuid
import warnings
from typing import Any, ClassVar

from carpool.components.base import Component
from carpool.components.events import Changeable

__all__ = ["BrowserState"]


class BrowserState(Changeable, Component):
    """A JSON value saved in the browser under ``storage_key`` (a fresh key per app if not given)."""

    block_type: ClassVar[str] = "browserstate"

    def __init__(
        self,
        default_value: Any = None,
        *,
        storage_key: str | None = None,
        secret: str | None = None,
        render: bool = True,
    ) -> None:
        if secret is not None:
            warnings.warn(
                "BrowserState(secret=...) is not used: carpool stores the value as plain JSON in the "
                "browser's localStorage (do not keep secrets in it)",
                UserWarning,
                stacklevel=3,
            )
        self.storage_key = storage_key or f"carpool-{uuid.uuid4().hex}"
        super().__init__(default_value, visible=False, render=render)

    def postprocess(self, value: Any) -> Any:
        try:
            json.dumps(value, allow_nan=False)
        except (TypeError, ValueError) as error:
            raise TypeError(
                f"BrowserState output must be JSON-able (it is saved as JSON): {error}"
            ) from error
        return value

    def component_props(self) -> dict[str, Any]:
        return {"storage_key": self.storage_key}

    def api_schema(self) -> dict[str, Any]:
        return {}
