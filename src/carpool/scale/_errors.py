"""Errors of a replica pool, and turning Ray's wrappers back into the errors the model raised.

    CarpoolError
    └── PoolError                 something went wrong with the pool itself, not with the model
        ├── ReplicaStartError     a replica could not be created (its __init__ raised, or no resources)
        ├── ReplicaDiedError      the replica's process died while it ran this batch; it was replaced
        └── PoolClosedError       the pool was closed

A model's own exception comes back as itself (same type, same message), so carpool's per-sample
handling and split-retry treat it exactly as they would a local call.
"""

from __future__ import annotations

from carpool.exceptions import CarpoolError
from carpool.scale._ray import ray_errors

__all__ = [
    "PoolClosedError",
    "PoolError",
    "RemoteTraceback",
    "ReplicaDiedError",
    "ReplicaStartError",
    "model_error",
]


class PoolError(CarpoolError):
    """Base of the errors a replica pool raises about itself."""


class ReplicaStartError(PoolError):
    """A replica did not start: its ``__init__`` raised, or the cluster lacks the resources asked for."""


class ReplicaDiedError(PoolError):
    """The replica running this batch died (crash, out of memory, node lost); a fresh one replaces it."""


class PoolClosedError(PoolError):
    """The pool was closed: its replicas are gone."""


class RemoteTraceback(Exception):
    """The traceback printed in the replica, chained as the ``__cause__`` of the re-raised error."""

    def __str__(self) -> str:
        return f"\n\nIn the replica:\n{self.args[0]}"


def model_error(error: ray_errors.RayTaskError) -> Exception | None:
    """The exception the model raised in the actor, or None when Ray could not bring it back.

    Ray hands back a ``RayTaskError`` (or a class mixing it with the model's class); its ``cause`` is
    the model's exception itself, of its own type.
    """
    cause = getattr(error, "cause", None)
    return cause if isinstance(cause, Exception) else None
