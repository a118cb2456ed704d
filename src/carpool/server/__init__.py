"""carpool's HTTP server (Starlette + uvicorn: the only place they appear).

``create_app(blocks, ...)`` builds the ASGI app of docs/protocol.md; ``launch(blocks, ...)`` serves it
and returns a :class:`RunningServer` (``.local_url``, ``.close()``); ``mount_app(parent, blocks, path)``
serves it under a prefix of an existing Starlette/FastAPI app, lifespan included.
"""

from __future__ import annotations

from carpool.server._app import create_app
from carpool.server._launch import RunningServer, launch
from carpool.server._mount import mount_app, mount_gradio_app

__all__ = ["RunningServer", "create_app", "launch", "mount_app", "mount_gradio_app"]
