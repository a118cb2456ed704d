"""How many replicas a pool should have: the autoscaling decision, kept apart from Ray so it is testable.

The signal is the pool's own load: batches running on replicas plus batches waiting here for one. The
engine forms up to ``recommended_concurrency`` batches at once (sized for ``max_replicas``), so when
the pool is short of replicas, formed batches queue in the driver and the wanted count rises above the
live one. As Ray Serve's autoscaler does, a change must be wanted for a while before it happens
(``upscale_delay`` to grow, the longer ``downscale_delay`` to shrink): that hysteresis keeps a bursty
load from starting and killing actors (seconds of model loading each) on every burst.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

__all__ = ["AutoscalePolicy", "PoolLoad"]


@dataclass(frozen=True)
class PoolLoad:
    """One reading of the pool: live replicas, batches running on them, batches waiting for one."""

    replicas: int
    running: int
    waiting: int


@dataclass
class AutoscalePolicy:
    min_replicas: int
    max_replicas: int
    capacity: int = 1  # batches one replica takes at once
    upscale_delay: float = 1.0
    downscale_delay: float = 30.0
    _want_more_since: float | None = field(default=None, init=False)
    _want_fewer_since: float | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        if self.min_replicas < 0:
            raise ValueError(f"min_replicas must be >= 0, got {self.min_replicas}")
        if self.max_replicas < max(1, self.min_replicas):
            raise ValueError(
                f"max_replicas must be >= max(1, min_replicas={self.min_replicas}), got {self.max_replicas}"
            )
        if self.upscale_delay < 0 or self.downscale_delay < 0:
            raise ValueError("upscale_delay and downscale_delay must be >= 0 seconds")

    def wanted(self, load: PoolLoad) -> int:
        """Replicas that would serve every running and waiting batch at once, within the bounds."""
        needed = math.ceil((load.running + load.waiting) / self.capacity)
        return min(self.max_replicas, max(self.min_replicas, needed))

    def decide(self, load: PoolLoad, now: float) -> int:
        """The replica count to move to now: ``load.replicas`` unless a change has been due long enough."""
        wanted = self.wanted(load)
        if wanted > load.replicas:
            self._want_fewer_since = None
            if self._want_more_since is None:
                self._want_more_since = now
            # No replica at all (min_replicas=0) means a waiting batch cannot run: grow at once.
            if load.replicas == 0 or now - self._want_more_since >= self.upscale_delay:
                self._want_more_since = None
                return wanted
        elif wanted < load.replicas:
            self._want_more_since = None
            if self._want_fewer_since is None:
                self._want_fewer_since = now
            if now - self._want_fewer_since >= self.downscale_delay:
                self._want_fewer_since = None
                return wanted
        else:
            self._want_more_since = self._want_fewer_since = None
        return load.replicas
