"""Apps that call other apps (layer L3.5, above both the client and the app layer).

``load(url)`` builds a local app from a running carpool or Gradio app: it needs the authoring API (to
build the app) and an HTTP client (to call the remote), and the client may not know the app layer, so
this lives above both (see the import-linter layers in pyproject.toml).
"""

from __future__ import annotations

from carpool.remote._load import RemoteBlocks, load

__all__ = ["RemoteBlocks", "load"]
