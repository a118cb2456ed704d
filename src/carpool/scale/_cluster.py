"""Connecting this process to Ray: a local cluster, the one at ``"auto"``, or a ``ray://`` address.

Ray starts a local cluster's processes (GCS, raylet, ...) with ``PR_SET_PDEATHSIG``: Linux kills them
when the *thread* that started them exits, not the process. ``ray.init`` called from a short-lived
thread (``asyncio.to_thread``, a server's loop thread) would take the cluster down with that thread.
So off the main thread ``ray.init`` runs on one keeper thread that lives as long as the process.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from carpool.scale._ray import ray

__all__ = ["connect"]

_keeper_lock = threading.Lock()


def connect(address: str | None, options: Mapping[str, Any]) -> None:
    """``ray.init(address=address, **options)`` unless Ray is already initialised in this process."""
    if ray.is_initialized():
        return
    if threading.current_thread() is threading.main_thread():
        ray.init(address=address, **options)
        return
    with _keeper_lock:  # two pools starting at once: the second finds Ray initialised
        if not ray.is_initialized():
            _init_on_keeper_thread(address, options)


def _init_on_keeper_thread(address: str | None, options: Mapping[str, Any]) -> None:
    done = threading.Event()
    errors: list[BaseException] = []

    def keep() -> None:
        try:
            ray.init(address=address, **options)
        except BaseException as error:
            errors.append(error)
            done.set()
            return
        done.set()
        threading.Event().wait()  # never set: this thread must outlive the cluster it started

    threading.Thread(target=keep, name="carpool-ray-keeper", daemon=True).start()
    done.wait()
    if errors:
        raise errors[0]
