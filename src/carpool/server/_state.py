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
from carpool.server._connections import DisconnectWatch
from carpool.server._metrics import Metrics
from carpool.server._processing import converts_files, needs_file_store
from carpool.server._sessions import SessionRegistry
from carpool.server._settings import ServerSettings
from carpool.server._spec import AppSpec, Endpoint

__all__ = ["ApiEndpoint", "ApiEndpoints", "ServerState", "server_state"]


@dataclass(frozen=True, slots=True)
class ApiEndpoint:
    """An endpoint as API calls use it, with what converting its values needs worked out once."""

    dependency: Endpoint
    listener_id: str | None  # None: nothing to call (a 404)
    off_loop: bool  # converts in a worker thread (it has file components)
    file_store: bool  # the file store must be current while converting


class ApiEndpoints:
    """API name -> :class:`ApiEndpoint`, looked up in the app once per name.

    The app's dependencies do not change while it serves; if their number does, the names are looked
    up afresh. Unknown names are never kept (a flood of them is a 404 each, not a growing table), and
    the table is emptied should it ever hold ``MAX_NAMES`` (one endpoint has many spellings: "/x").
    """

    MAX_NAMES = 1024

    def __init__(self) -> None:
        self._by_name: dict[str, ApiEndpoint] = {}
        self._blocks: AppSpec | None = None
        self._count = -1

    def get(self, blocks: AppSpec, name: str) -> ApiEndpoint:
        """The endpoint ``name`` (leading "/" allowed) names; UnknownEndpointError if none."""
        if blocks is not self._blocks or len(blocks.dependencies) != self._count:
            self._by_name, self._blocks, self._count = {}, blocks, len(blocks.dependencies)
        found = self._by_name.get(name)
        if found is None:
            dependency = blocks.endpoint(name.lstrip("/"))
            found = ApiEndpoint(
                dependency, dependency.listener_id, converts_files(dependency), needs_file_store(dependency)
            )
            if len(self._by_name) >= self.MAX_NAMES:
                self._by_name.clear()
            self._by_name[name] = found
        return found


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
    api_endpoints: ApiEndpoints = field(default_factory=ApiEndpoints)
    disconnects: DisconnectWatch = field(default_factory=DisconnectWatch)  # of waiting API calls
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
