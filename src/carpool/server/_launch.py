"""``launch``: serve an app with uvicorn, in a background thread or blocking, and stop it again.

``demo.launch()`` reaches this through ``carpool.app.set_launcher``. The returned :class:`RunningServer`
is the handle ``demo.close()`` uses. Shutdown (``close()``, SIGTERM or Ctrl-C) first drains carpool --
waiting events fail with "shutting down", running batches get ``close_grace`` seconds, event streams get
``close_stream`` -- and only then lets uvicorn close connections, which open streams would otherwise hold.
"""

from __future__ import annotations

import errno
import os
import socket
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import uvicorn
from starlette.applications import Starlette
from uvicorn.protocols.http.auto import AutoHTTPProtocol

from carpool.app._unsupported import refuse_unsupported, warn_ignored
from carpool.components._conversion import DEFAULT_CONVERSION_TIMEOUT, ConversionWorkers
from carpool.components._decode_limits import DEFAULT_MAX_CONCURRENT_DECODES, DEFAULT_MAX_IMAGE_PIXELS
from carpool.components._upload_quota import DEFAULT_MAX_CLIENT_UPLOAD_BYTES, DEFAULT_MAX_TOTAL_UPLOAD_BYTES
from carpool.server._app import create_app, shutdown_app
from carpool.server._body_timeout import DEFAULT_BODY_TIMEOUT
from carpool.server._connections import (
    DEFAULT_HEADER_TIMEOUT,
    default_connection_limit,
    guarded_protocol,
    raise_fd_limit,
    uvicorn_limit,
)
from carpool.server._headers import CSPSpec, FrameAncestors
from carpool.server._settings import AuthSpec, MiB
from carpool.server._spec import AppSpec
from carpool.server._state import ServerState

__all__ = ["RunningServer", "launch"]

DEFAULT_PORT = 7860
PORT_TRIES = 100
H11_MAX_INCOMPLETE_EVENT_SIZE = 16 * 1024  # request line + headers, when uvicorn speaks h11


def _env_host(given: str | None) -> str:
    return given or os.environ.get("CARPOOL_SERVER_NAME") or "127.0.0.1"


def _env_allowed_hosts(given: Iterable[str] | str | None) -> Iterable[str] | str:
    """``allowed_hosts=[...]``, else ``CARPOOL_ALLOWED_HOSTS`` (comma-separated), else none."""
    if given:
        return given
    from_env = os.environ.get("CARPOOL_ALLOWED_HOSTS", "")
    return tuple(name.strip() for name in from_env.split(",") if name.strip())


def _env_forwarded_allow_ips(given: Iterable[str] | str | None) -> list[str]:
    """Proxies whose ``X-Forwarded-For``/``-Proto`` are believed: ``forwarded_allow_ips=``, else
    ``CARPOOL_FORWARDED_ALLOW_IPS`` (comma-separated), else none. uvicorn's own default trusts
    127.0.0.1, and anything on the machine could then claim any client address (and so dodge the
    login rate limit, or spend a victim's); carpool trusts forwarded headers only when told to.
    """
    if given is None:
        given = os.environ.get("CARPOOL_FORWARDED_ALLOW_IPS", "")
    names = given.split(",") if isinstance(given, str) else list(given)
    return [str(name).strip() for name in names if str(name).strip()]


def _env_port(given: int | None) -> tuple[int, bool]:
    """(port, explicit): an explicit port must be free; the default may move to the next free one."""
    if given is not None:
        return int(given), True
    from_env = os.environ.get("CARPOOL_SERVER_PORT")
    return (int(from_env), True) if from_env else (DEFAULT_PORT, False)


def _bind(host: str, port: int, explicit: bool) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    last_error: OSError | None = None
    for candidate in [port] if explicit or port == 0 else range(port, port + PORT_TRIES):
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, candidate))
        except OSError as error:
            sock.close()
            if error.errno != errno.EADDRINUSE:
                raise
            last_error = error
            continue
        sock.set_inheritable(True)
        return sock
    raise OSError(
        errno.EADDRINUSE, f"no free port in {port}..{port + PORT_TRIES - 1} on {host}"
    ) from last_error


def _url(sock: socket.socket, host: str, scheme: str) -> str:
    port = sock.getsockname()[1]
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else ("[::1]" if host == "::" else host)
    if ":" in shown and not shown.startswith("["):
        shown = f"[{shown}]"
    return f"{scheme}://{shown}:{port}/"


class _Server(uvicorn.Server):
    """uvicorn's server, draining carpool before connections close and reporting when it is up."""

    def __init__(self, config: uvicorn.Config, state: ServerState) -> None:
        super().__init__(config)
        self.carpool_state = state
        self.ready = threading.Event()
        self.on_listening: Callable[[], None] | None = None

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        try:
            await super().startup(sockets)
        finally:
            self.ready.set()
        if self.started and self.on_listening is not None:
            self.on_listening()

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        await shutdown_app(self.carpool_state)
        await super().shutdown(sockets)


@dataclass
class RunningServer:
    """A launched app: its URL, and ``close()`` to stop it."""

    local_url: str
    app: Starlette
    server: uvicorn.Server = field(repr=False)
    thread: threading.Thread | None = field(default=None, repr=False)

    def __str__(self) -> str:
        return self.local_url

    @property
    def port(self) -> int:
        return int(self.local_url.rstrip("/").rsplit(":", 1)[1])

    def close(self, timeout: float | None = None) -> None:
        """Stop the server gracefully and wait for it (unless called from its own thread)."""
        self.server.should_exit = True
        if self.thread is not None and self.thread is not threading.current_thread():
            self.thread.join(timeout)


def launch(
    blocks: AppSpec,
    *,
    server_name: str | None = None,
    server_port: int | None = None,
    prevent_thread_lock: bool = False,
    auth: AuthSpec | None = None,
    show_error: bool = False,
    max_file_size: int | str | None = 100 * MiB,
    allowed_paths: Any = (),
    blocked_paths: Any = (),
    root_path: str = "",
    quiet: bool = False,
    close_grace: float = 10.0,
    ssl_keyfile: str | Path | None = None,
    ssl_certfile: str | Path | None = None,
    log_level: str = "warning",
    allowed_hosts: Iterable[str] | str | None = None,
    content_security_policy: CSPSpec = True,
    frame_ancestors: FrameAncestors = None,
    max_body_size: int | str | None = 4 * MiB,
    max_image_pixels: int | None = DEFAULT_MAX_IMAGE_PIXELS,
    max_concurrent_decodes: int = DEFAULT_MAX_CONCURRENT_DECODES,
    conversion_workers: ConversionWorkers = "auto",
    conversion_timeout: float | None = DEFAULT_CONVERSION_TIMEOUT,
    forwarded_allow_ips: Iterable[str] | str | None = None,
    timeout_keep_alive: int = 5,
    header_timeout: float = DEFAULT_HEADER_TIMEOUT,
    body_timeout: float | None = DEFAULT_BODY_TIMEOUT,
    limit_concurrency: int | None = None,
    max_total_upload_size: int | str | None = DEFAULT_MAX_TOTAL_UPLOAD_BYTES,
    max_client_upload_size: int | str | None = DEFAULT_MAX_CLIENT_UPLOAD_BYTES,
    **ignored: Any,
) -> RunningServer:
    """Serve ``blocks``; with ``prevent_thread_lock=True`` return at once, else block until stopped.

    Options Gradio has but carpool does not act on (``inbrowser``, ...) are accepted with a warning
    naming them (``carpool.app._unsupported``); ``workers=`` is refused.
    ``allowed_hosts``: see :func:`create_app` (default: ``CARPOOL_ALLOWED_HOSTS``, comma-separated).
    ``content_security_policy``, ``frame_ancestors``, ``max_body_size``, ``max_image_pixels``,
    ``max_concurrent_decodes``, ``conversion_workers``, ``conversion_timeout``, ``max_total_upload_size``,
    ``max_client_upload_size``: see :func:`create_app`.
    ``forwarded_allow_ips``: addresses of reverse proxies whose ``X-Forwarded-For`` and
    ``X-Forwarded-Proto`` are believed (``"10.0.0.5"``, a list, ``"*"`` for any); default none (or
    ``CARPOOL_FORWARDED_ALLOW_IPS``, comma-separated). Untrusted, they are ignored.

    Slow clients (docs/security.md): ``timeout_keep_alive`` (5 s) closes a connection idle between
    requests, ``header_timeout`` (10 s) one whose request headers have not all come, ``body_timeout``
    (30 s, see :func:`create_app`) a request whose body stalls. ``limit_concurrency`` caps open
    connections (default: three quarters of the file descriptors, whose soft limit is first raised
    to the hard one, at most 65,536); at the cap the connection waiting longest for its headers is
    closed.
    """
    refuse_unsupported("launch()", ignored)
    warn_ignored("launch()", ignored, stacklevel=3)  # past demo.launch, at the app's own call
    host = _env_host(server_name)
    port, explicit = _env_port(server_port)
    app = create_app(
        blocks,
        auth=auth,
        show_error=show_error,
        max_file_size=max_file_size,
        allowed_paths=allowed_paths,
        blocked_paths=blocked_paths,
        root_path=root_path,
        close_grace=close_grace,
        allowed_hosts=_env_allowed_hosts(allowed_hosts),
        content_security_policy=content_security_policy,
        frame_ancestors=frame_ancestors,
        max_body_size=max_body_size,
        max_image_pixels=max_image_pixels,
        max_concurrent_decodes=max_concurrent_decodes,
        conversion_workers=conversion_workers,
        conversion_timeout=conversion_timeout,
        body_timeout=body_timeout,
        max_total_upload_size=max_total_upload_size,
        max_client_upload_size=max_client_upload_size,
    )
    fd_limit = raise_fd_limit()  # whatever the cap: libraries and uploads need descriptors too
    connections = limit_concurrency or default_connection_limit(fd_limit)
    sock = _bind(host, port, explicit)
    trusted_proxies = _env_forwarded_allow_ips(forwarded_allow_ips)
    config = uvicorn.Config(
        app,
        proxy_headers=bool(trusted_proxies),  # off: the peer address is the client's, whatever it claims
        forwarded_allow_ips=trusted_proxies or None,
        http=guarded_protocol(AutoHTTPProtocol, header_timeout, connections),
        timeout_keep_alive=timeout_keep_alive,
        # uvicorn's own cap answers 503 once every connection is busy with a request (the guarded
        # protocol has closed those that waited for headers by then)
        limit_concurrency=uvicorn_limit(connections),
        h11_max_incomplete_event_size=H11_MAX_INCOMPLETE_EVENT_SIZE,
        log_level=log_level,
        access_log=False,
        root_path=root_path.rstrip("/"),
        timeout_graceful_shutdown=int(close_grace) + 5,
        ssl_keyfile=str(ssl_keyfile) if ssl_keyfile else None,
        ssl_certfile=str(ssl_certfile) if ssl_certfile else None,
    )
    server = _Server(config, app.state.carpool)
    url = _url(sock, host, "https" if ssl_certfile else "http")
    running = RunningServer(url, app, server)
    if not prevent_thread_lock:
        # announced once the socket listens: whoever reads the URL may connect at once
        server.on_listening = lambda: _announce(url, quiet)
        server.run(sockets=[sock])  # blocks; uvicorn handles SIGINT/SIGTERM in the main thread
        return running
    running.thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="carpool-server", daemon=True
    )
    running.thread.start()
    server.ready.wait()
    if not server.started:
        running.thread.join()
        raise RuntimeError("The carpool server failed to start; see the log above.")
    _announce(url, quiet)
    return running


def _announce(url: str, quiet: bool) -> None:
    if not quiet:
        print(f"* Running on local URL:  {url}", flush=True)
