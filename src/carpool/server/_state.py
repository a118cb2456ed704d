"""What the routes share: the app spec, the engine (while running), sessions, files, metrics."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request

from carpool.components import FileStore
from carpool.core import Engine
from carpool.exceptions import EngineClosedError
from carpool.server._auth import Authenticator
from carpool.server._metrics import Metrics
from carpool.server._sessions import SessionRegistry
from carpool.server._settings import ServerSettings
from carpool.server._spec import AppSpec

__all__ = ["ServerState", "server_state"]


@dataclass
class ServerState:
    blocks: AppSpec
    settings: ServerSettings
    files: FileStore
    metrics: Metrics
    authenticator: Authenticator | None = None
    engine: Engine | None = None  # set by the lifespan between startup and shutdown
    sessions: SessionRegistry | None = None
    new_session_state: Callable[[], Any] = dict
    new_file_store: Callable[[], FileStore] | None = None  # a restarted lifespan's store
    files_closed: bool = False
    loop: asyncio.AbstractEventLoop | None = None
    loop_thread: int = 0
    extra: dict[str, Any] = field(default_factory=dict)
    stopped: asyncio.Event = field(default_factory=asyncio.Event)  # set by the shutdown

    def running_engine(self) -> Engine:
        if self.engine is None:
            raise EngineClosedError("The server is not running.")
        return self.engine

    def running_loop(self) -> asyncio.AbstractEventLoop:
        if self.loop is None:
            raise EngineClosedError("The server is not running.")
        return self.loop

    def running_sessions(self) -> SessionRegistry:
        if self.sessions is None:
            raise EngineClosedError("The server is not running.")
        return self.sessions


def server_state(request: Request) -> ServerState:
    state: ServerState = request.app.state.carpool
    return state
