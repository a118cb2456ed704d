"""Scaling out: batches formed by carpool's queue run on a pool of Ray actors that hold the model.

``RayPool(Model, num_replicas=2, actor_options={"num_gpus": 1})`` is an async batched function: give it
to ``cp.Interface(..., batch=True, concurrency_limit=pool.recommended_concurrency)`` and each batch runs
on the least busy replica, on this machine or across a Ray cluster. Needs ``pip install 'carpool[ray]'``;
see docs/scaling.md.
"""

from __future__ import annotations

from carpool.scale._errors import (
    PoolClosedError,
    PoolError,
    RemoteTraceback,
    ReplicaDiedError,
    ReplicaStartError,
)
from carpool.scale._pool import RayPool

__all__ = [
    "PoolClosedError",
    "PoolError",
    "RayPool",
    "RemoteTraceback",
    "ReplicaDiedError",
    "ReplicaStartError",
]
