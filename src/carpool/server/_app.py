"""``create_app``: the Starlette application serving one carpool app (routes, middleware, lifespan).

The engine lives from startup to shutdown (the lifespan); shutting down fails the events still waiting
with a clear "shutting down" error, lets running batches finish within ``close_grace``, then ends every
event stream with ``close_stream``.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.routing import Mount, Route

from carpool.app import SessionState, SessionStore
from carpool.components import FileComponent, FileStore, use_file_store
from carpool.components._conversion import DEFAULT_CONVERSION_TIMEOUT, ConversionWorkers, conversion_pool
from carpool.components._decode_limits import (
    DEFAULT_MAX_CONCURRENT_DECODES,
    DEFAULT_MAX_IMAGE_PIXELS,
    DecodeLimits,
)
from carpool.components._upload_quota import (
    DEFAULT_MAX_CLIENT_UPLOAD_BYTES,
    DEFAULT_MAX_TOTAL_UPLOAD_BYTES,
    UploadQuota,
)
from carpool.core import Engine
from carpool.server import _api_routes, _files, _login_routes, _openai, _pages, _queue_routes, _unload, gradio
from carpool.server._api_fast import CarpoolStarlette
from carpool.server._auth import Authenticator, AuthGate
from carpool.server._body_timeout import DEFAULT_BODY_TIMEOUT, BodyTimeout
from carpool.server._errors import handle_errors, routing_error_response
from carpool.server._guards import OriginGuard
from carpool.server._headers import CSPSpec, FrameAncestors, page_headers
from carpool.server._metrics import Metrics
from carpool.server._sessions import SessionRegistry
from carpool.server._settings import AuthSpec, MiB, ServerSettings, parse_size
from carpool.server._spec import AppSpec
from carpool.server._state import ServerState

__all__ = ["create_app", "shutdown_app"]


def _routes() -> list[Any]:
    def route(path: str, endpoint: Callable[..., Any], methods: list[str]) -> Route:
        return Route(path, handle_errors(endpoint), methods=methods)

    # The router tries routes in order: the hot ones (API calls, queue joins) come first.
    return [
        route("/api/{api_name:path}", _api_routes.call_endpoint, ["POST"]),
        route("/queue/join", _queue_routes.join_queue, ["POST"]),
        route("/", _pages.index, ["GET"]),
        route("/config", gradio.config, ["GET"]),  # carpool's config + the fields Gradio's clients read
        route("/info", _pages.info, ["GET"]),
        route("/openapi.json", _pages.openapi, ["GET"]),
        route("/health", _pages.health, ["GET"]),
        route("/component/{block_id:int}/script.js", _pages.component_script, ["GET"]),
        route("/metrics", _pages.metrics, ["GET"]),
        route("/queue/data", _queue_routes.stream_session, ["GET"]),
        route("/queue/cancel", _queue_routes.cancel_event, ["POST"]),
        route("/queue/unload", _unload.unload_session, ["POST"]),
        route("/upload", _files.upload_files, ["POST"]),
        route("/file/{file_id}", _files.serve_file, ["GET"]),
        route("/login", _login_routes.login, ["POST"]),
        route("/logout", _login_routes.logout, ["GET"]),
        *_openai.routes(),  # OpenAI-compatible chat API (its own error shape)
        *gradio.routes(),  # Gradio's wire protocol under /gradio_api (server/gradio/)
        Mount("/static", _pages.StaticAssets(directory=_pages.STATIC_DIR, check_dir=False), name="static"),
    ]


def _build_engine(state: ServerState) -> Engine:
    queue = getattr(state.blocks, "queue_settings", None)
    engine = Engine(
        max_size=getattr(queue, "max_size", None),
        close_grace=state.settings.close_grace,
        on_batch=state.metrics.record_batch,
    )
    configs = list(state.blocks.listener_configs())
    for config in configs:
        engine.add_listener(config)
    state.metrics.bind_pools({config.listener_id: config.fn for config in configs})
    return engine


async def _start(state: ServerState) -> None:
    # A lifespan may run more than once (test clients start and stop an app per test): every run
    # gets its own engine, sessions and file store.
    state.extra.pop("shutting_down", None)
    if state.files_closed and state.new_file_store is not None:
        state.files, state.files_closed = state.new_file_store(), False
    engine = _build_engine(state)
    await engine.start()
    states = SessionStore(state.settings.max_sessions, state.settings.max_sessions_per_client)
    sessions = SessionRegistry(
        state_for=states.acquire,
        release_state=states.release,
        on_abandon=engine.cancel_session,
        max_buffer=state.settings.session_buffer,
        idle_timeout=state.settings.session_idle_timeout,
        heartbeat_interval=state.settings.heartbeat_interval,
    )
    sessions.start()
    state.loop = asyncio.get_running_loop()
    state.loop_thread = threading.get_ident()
    state.engine, state.sessions = engine, sessions
    state.extra[_unload.SESSION_VALUES] = states
    state.stopped.clear()  # a restarted lifespan
    state.metrics.bind(engine.stats)
    cache_examples = getattr(state.blocks, "cache_examples", None)
    if cache_examples is not None:
        with use_file_store(state.files):  # cached media outputs must be files this server serves
            await cache_examples(engine)


async def shutdown_app(state: ServerState) -> None:
    """Stop taking events, fail waiting ones, give running batches the grace period, end the streams.

    Safe to call twice: ``launch`` calls it before uvicorn closes connections (open event streams
    would otherwise hold the shutdown up), the lifespan calls it again at the end.
    """
    engine, sessions = state.engine, state.sessions
    if engine is None or state.extra.get("shutting_down"):
        return
    state.extra["shutting_down"] = True
    await engine.close(grace=state.settings.close_grace)
    if sessions is not None:
        sessions.close()
    state.engine = None
    state.stopped.set()  # streams that belong to no session (Gradio's heartbeat) end now


def _has_file_components(blocks: AppSpec) -> bool:
    dependencies = blocks.dependencies
    return any(isinstance(b, FileComponent) for dep in dependencies for b in (*dep.inputs, *dep.outputs))


def _lifespan(state: ServerState) -> Callable[[Starlette], Any]:
    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await _start(state)
        try:
            yield
        finally:
            await shutdown_app(state)
            state.files.close()
            state.files_closed = True
            if state.files.conversions is not None:  # its workers stop with the app
                await asyncio.to_thread(state.files.conversions.close)

    return lifespan


def create_app(
    blocks: AppSpec,
    *,
    auth: AuthSpec | None = None,
    show_error: bool = False,
    max_file_size: int | str | None = 100 * MiB,
    allowed_paths: Iterable[str | Path] | None = (),
    blocked_paths: Iterable[str | Path] | None = (),
    root_path: str = "",
    heartbeat_interval: float = 15.0,
    close_grace: float = 10.0,
    session_idle_timeout: float = 60.0,
    allowed_hosts: Iterable[str] | str | None = (),
    content_security_policy: CSPSpec = True,
    frame_ancestors: FrameAncestors = None,
    max_body_size: int | str | None = 4 * MiB,
    max_image_pixels: int | None = DEFAULT_MAX_IMAGE_PIXELS,
    max_concurrent_decodes: int = DEFAULT_MAX_CONCURRENT_DECODES,
    conversion_workers: ConversionWorkers = "auto",
    conversion_timeout: float | None = DEFAULT_CONVERSION_TIMEOUT,
    body_timeout: float | None = DEFAULT_BODY_TIMEOUT,
    max_total_upload_size: int | str | None = DEFAULT_MAX_TOTAL_UPLOAD_BYTES,
    max_client_upload_size: int | str | None = DEFAULT_MAX_CLIENT_UPLOAD_BYTES,
) -> Starlette:
    """The ASGI app serving ``blocks`` (run it with any ASGI server, or use :func:`launch`).

    ``allowed_hosts``: host names the app answers to besides loopback ones (``"app.example.com"``,
    ``"*.example.com"``, ``"*"`` for any), e.g. the public name a reverse proxy forwards. Given, it is
    enforced on every address; otherwise an app reached on loopback refuses other names (DNS rebinding).

    ``content_security_policy``: the page's CSP (``True``: carpool's, ``script-src 'self'``; a string:
    yours; ``False``: none but ``frame-ancestors``). ``frame_ancestors``: who may frame the page
    (default ``"'self'"``; ``"'none'"``, ``"*"`` or a list of origins). See docs/security.md.

    ``max_body_size``: the largest JSON body (API calls, queue joins; default 4 MiB, ``"16mb"`` style
    allowed); larger ones get 413 before they are read. Uploads have ``max_file_size`` instead.

    ``max_image_pixels`` (default 50 million; None: Pillow's own limit) and ``max_concurrent_decodes``
    (default 2): what decoding uploaded images may cost. A larger image is a 422 naming the limit.

    ``conversion_workers``: worker processes that decode and encode images and audio, taking that work
    off the server process (``"auto"``: ``min(4, cpu_count - 2)`` for an app with file components, so
    none on 2 cores; none for the others; 0: convert in the server process; started on the first
    conversion). ``conversion_timeout`` (default 60 s; None: no limit): a conversion running longer in
    a worker is stopped (its worker killed and replaced) and its event fails. See docs/conversion.md.

    ``body_timeout``: the longest wait (default 30 s) for the next piece of a request body; the whole
    body must also average 8 KiB/s after the first ``body_timeout`` seconds. Otherwise 408
    (``None``: no limit). See docs/security.md.

    ``max_total_upload_size`` (default 2 GiB) and ``max_client_upload_size`` (512 MiB; per logged-in
    user, else per client address): what uploaded files may hold on disk. Past them an upload is
    refused (507, 413) naming the limit; files in use are never evicted to make room.
    """
    settings = ServerSettings(
        auth=auth,
        show_error=show_error,
        max_file_size=parse_size(max_file_size),
        allowed_paths=ServerSettings.paths(allowed_paths or ()),
        root_path=root_path.rstrip("/"),
        heartbeat_interval=heartbeat_interval,
        close_grace=close_grace,
        session_idle_timeout=session_idle_timeout,
        allowed_hosts=ServerSettings.names(allowed_hosts),
        page_headers=page_headers(content_security_policy, frame_ancestors),
        max_json_body=parse_size(max_body_size, default=4 * MiB),
        max_total_upload_size=parse_size(max_total_upload_size, default=DEFAULT_MAX_TOTAL_UPLOAD_BYTES),
        max_client_upload_size=parse_size(max_client_upload_size, default=DEFAULT_MAX_CLIENT_UPLOAD_BYTES),
    )
    upload_quota = UploadQuota(
        total_bytes=settings.max_total_upload_size, per_owner_bytes=settings.max_client_upload_size
    )

    decode_limits = DecodeLimits(max_image_pixels, max_concurrent_decodes)
    conversions = conversion_pool(
        conversion_workers, has_media=_has_file_components(blocks), timeout=conversion_timeout
    )

    def new_file_store() -> FileStore:
        return FileStore(
            allowed_paths=settings.allowed_paths,
            blocked_paths=blocked_paths or (),
            max_upload_bytes=settings.max_file_size,
            decode_limits=decode_limits,
            conversions=conversions,
            upload_quota=upload_quota,
        )

    authenticator = None
    if auth is not None:
        authenticator = Authenticator(
            auth,
            ttl=settings.login_ttl,
            attempts_per_minute=settings.login_attempts,
            attempts_per_account=settings.login_attempts_per_account,
        )
    state = ServerState(
        blocks,
        settings,
        new_file_store(),
        Metrics(),
        authenticator=authenticator,
        new_session_state=SessionState,
        new_file_store=new_file_store,
    )
    middleware = [
        Middleware(BodyTimeout, timeout=body_timeout),
        Middleware(OriginGuard, allowed_hosts=settings.allowed_hosts),
    ]
    if authenticator is not None:
        middleware.append(Middleware(AuthGate, authenticator=authenticator))
    # API calls are answered in front of this stack, by a lane doing these guards' checks itself
    app = CarpoolStarlette(
        routes=_routes(),
        middleware=middleware,
        lifespan=_lifespan(state),
        exception_handlers={HTTPException: routing_error_response},
    )
    app.state.carpool = state
    return app
