"""``mount_app(parent, demo, path="/demo")``: serve a carpool app inside an existing Starlette/FastAPI app.

A plain ``parent.mount("/demo", create_app(demo))`` is not enough: ASGI servers send lifespan events to
the outermost app only, so the mounted app's engine would never start and every call would answer 503
``shutting_down``. ``mount_app`` mounts it AND chains its lifespan into the parent's: the parent's own
startup runs first, then carpool's engine starts; at shutdown carpool drains first, then the parent's.

Under the prefix everything works as at the root -- page, ``/config``, ``/api``, ``/queue`` (SSE),
``/upload``, ``/file`` -- because the front end builds every URL relative to the app's root, and the
routes match on the path below Starlette's ``root_path``. The parent's middleware wraps the mount like
any of its routes; carpool's own guards (Host/Origin, login) still run inside.
"""

from __future__ import annotations

import warnings
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.routing import Mount

from carpool.server._app import create_app
from carpool.server._settings import AuthSpec
from carpool.server._spec import AppSpec

__all__ = ["mount_app", "mount_gradio_app"]

Lifespan = Callable[[Any], AbstractAsyncContextManager[Any]]

# Accepted so Gradio's mount_gradio_app calls run unchanged; they change nothing here.
_GRADIO_ONLY = frozenset(
    {
        "server_name",
        "server_port",
        "show_api",
        "app_kwargs",
        "auth_message",
        "auth_dependency",
        "favicon_path",
        "ssr_mode",
        "node_server_name",
        "node_port",
        "enable_monitoring",
        "pwa",
        "i18n",
        "mcp_server",
        "theme",
        "css",
        "js",
        "head",
    }
)


def mount_app(
    parent: Any,
    demo: AppSpec,
    path: str = "/demo",
    *,
    auth: AuthSpec | None = None,
    show_error: bool = False,
    max_file_size: int | str | None = None,
    allowed_paths: Iterable[str | Path] | None = (),
    blocked_paths: Iterable[str | Path] | None = (),
    allowed_hosts: Iterable[str] | str | None = (),
    **ignored: Any,
) -> Any:
    """Serve ``demo`` under ``path`` of ``parent`` (a Starlette or FastAPI app); returns ``parent``.

    Call it before the parent starts. Options are ``create_app``'s; Gradio's other
    ``mount_gradio_app`` options are accepted with a warning and ignored.
    """
    prefix = _prefix(path)
    unknown = set(ignored) - _GRADIO_ONLY
    if unknown:
        raise TypeError(f"mount_app() got unexpected option(s): {', '.join(sorted(unknown))}")
    if ignored:
        warnings.warn(f"mount_app ignores: {', '.join(sorted(ignored))}", stacklevel=2)
    router = getattr(parent, "router", None)
    if router is None or not hasattr(router, "lifespan_context"):
        raise TypeError(f"mount_app needs a Starlette or FastAPI app, got {type(parent).__name__}")
    child = create_app(
        demo,
        auth=auth,
        show_error=show_error,
        max_file_size=max_file_size,
        allowed_paths=allowed_paths,
        blocked_paths=blocked_paths,
        allowed_hosts=allowed_hosts,
    )
    router.routes.append(Mount(prefix, app=child))
    router.lifespan_context = _chained(router.lifespan_context, child)
    return parent


mount_gradio_app = mount_app  # Gradio's name (gr.mount_gradio_app(app, blocks, path="/gradio"))


def _prefix(path: str) -> str:
    if not isinstance(path, str) or not path.startswith("/") or path.rstrip("/") == "":
        raise ValueError(f"path must be a prefix like '/demo' (not the root), got {path!r}")
    if any(part in ("", ".", "..") for part in path.strip("/").split("/")):
        raise ValueError(f"path must be a clean prefix like '/demo', got {path!r}")
    return "/" + path.strip("/")


def _chained(parent_lifespan: Lifespan, child: Starlette) -> Lifespan:
    """The parent's lifespan with the mounted app's inside it (started after, stopped before)."""

    @asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[Any]:
        async with parent_lifespan(app) as state, child.router.lifespan_context(child):
            yield state

    return lifespan
