"""Replicas shared by several front processes: named Ray actors that every front finds.

Under ``carpool run --workers N`` each front process imports the app and builds its own ``RayPool``.
Were each to start its own actors, N fronts would load the model N times. A *shared* pool names its
replicas instead, ``<pool name>-<index>`` in one Ray namespace, and creates them with
``get_if_exists``: the first front to start creates replica ``i``, every other one gets a handle on
that same actor. The replicas are detached (they outlive the front that happened to create them) and
end with the Ray cluster, which ``carpool run --workers`` starts and stops.
"""

from __future__ import annotations

import os
from typing import Any

__all__ = ["NAMESPACE_ENV", "SHARED_ENV", "shared_actor_options", "shares_replicas"]

SHARED_ENV = "CARPOOL_SHARED_POOLS"  # "1" in every front `carpool run --workers` starts
NAMESPACE_ENV = "CARPOOL_RAY_NAMESPACE"  # the Ray namespace of the named replicas (default "carpool")


def shares_replicas(shared: bool | None) -> bool:
    """``RayPool(shared=None)`` shares its replicas when a front of ``carpool run --workers`` runs it."""
    if shared is not None:
        return shared
    return os.environ.get(SHARED_ENV) == "1"


def shared_actor_options(pool_name: str, index: int) -> dict[str, Any]:
    """The Ray actor options that make replica ``index`` of ``pool_name`` one actor for every front."""
    return {
        "name": f"{pool_name}-{index}",
        "namespace": os.environ.get(NAMESPACE_ENV) or "carpool",
        "get_if_exists": True,
        "lifetime": "detached",
    }
