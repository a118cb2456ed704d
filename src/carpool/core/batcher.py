"""The former name of :mod:`carpool.core.dispatch_policy` (when a batch leaves), kept so imports work."""

from __future__ import annotations

from carpool.core.dispatch_policy import ArrivalTracker, Decision, DispatchPolicy, DispatchReason

Batcher = DispatchPolicy  # the policy class's former name

__all__ = ["ArrivalTracker", "Batcher", "Decision", "DispatchPolicy", "DispatchReason"]
