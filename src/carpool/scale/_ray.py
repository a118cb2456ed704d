"""The one place ``ray`` is imported, with the message a user needs when it is missing."""

from __future__ import annotations

try:
    import ray
    from ray import exceptions as ray_errors
except ImportError as error:  # pragma: no cover - exercised only where Ray is absent
    raise ImportError(
        "carpool.scale runs batches on Ray actors, and Ray is not installed: pip install 'carpool[ray]'"
    ) from error

__all__ = ["ray", "ray_errors"]
