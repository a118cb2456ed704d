"""Online model of a function's run time as ``a + b*n`` (fixed cost a, per-item cost b).

Least squares over per-size running means rather than over a window of raw batches: once batching
works, nearly every batch has the same size, and a window of identical sizes could no longer tell the
fixed cost from the per-item cost (the dispatch policy would forget what it learned and start ping-ponging
again). Per-size means are exponentially weighted, so the model follows a function that drifts.
"""

from __future__ import annotations

__all__ = ["CostModel"]

_ALPHA = 0.2  # weight of a new run time once a size has a few samples
_WEIGHT_CAP = 8  # one very common size must not drown the others in the fit


class CostModel:
    def __init__(self) -> None:
        self._means: dict[int, float] = {}
        self._counts: dict[int, int] = {}
        self._fit: tuple[float, float] | None = None
        self._dirty = False

    def add(self, size: int, run_time: float) -> None:
        count = self._counts.get(size, 0) + 1
        self._counts[size] = count
        mean = self._means.get(size, run_time)
        self._means[size] = mean + max(1.0 / count, _ALPHA) * (run_time - mean)
        self._dirty = True

    def fit(self) -> tuple[float, float] | None:
        """``(a, b)``, or None while fewer than two batch sizes were seen."""
        if self._dirty:
            self._fit = self._solve() if len(self._means) >= 2 else None
            self._dirty = False
        return self._fit

    def fixed_cost(self) -> float | None:
        fitted = self.fit()
        return None if fitted is None else fitted[0]

    def estimate(self, size: int) -> float | None:
        """Expected run time of a batch of ``size``; a single seen size counts as flat; None if none."""
        fitted = self.fit()
        if fitted is not None:
            return fitted[0] + fitted[1] * size
        if self._means:
            return next(iter(self._means.values()))
        return None

    def _solve(self) -> tuple[float, float]:
        weights = {size: float(min(count, _WEIGHT_CAP)) for size, count in self._counts.items()}
        total = sum(weights.values())
        mean_n = sum(w * n for n, w in weights.items()) / total
        mean_t = sum(w * self._means[n] for n, w in weights.items()) / total
        var = sum(w * (n - mean_n) ** 2 for n, w in weights.items())
        cov = sum(w * (n - mean_n) * (self._means[n] - mean_t) for n, w in weights.items())
        slope = cov / var
        if slope < 0:  # noise on a flat function: no per-item cost
            return mean_t, 0.0
        intercept = mean_t - slope * mean_n
        if intercept < 0:  # purely proportional: refit through the origin
            through_origin = sum(w * n * self._means[n] for n, w in weights.items())
            return 0.0, through_origin / sum(w * n * n for n, w in weights.items())
        return intercept, slope
