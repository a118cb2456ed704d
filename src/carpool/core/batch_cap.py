"""A listener's learned batch-size cap: out-of-memory errors lower it, clean batches probe it back up.

Split-retry recovers one batch from an out-of-memory error, but without memory of it every new burst
would try the full size again and pay a failed call first. So when a batched call of (padded) size ``n``
fails with an out-of-memory-type error, later batches are capped at ``n // 2`` (multiplicative decrease:
the halves split-retry just tried). After ``PROBE_AFTER`` clean batches that filled the cap, it grows
(additive increase, as TCP's congestion window): halfway towards the smallest size known to fail, then to
that size itself -- if it passes now (memory was freed), the failure is forgotten and the cap climbs on
halfway towards ``max_batch_size``. A probe that fails falls back to the largest size known to run, and
the next probe waits twice as long (up to ``MAX_PROBE_AFTER`` batches), so a hard limit costs one failed
call in hundreds. A function whose limit moves is followed both ways.

A ``Stepwise`` listener's running set is capped the same way (``core.steploop``): a join or step that
runs out of memory at running-set size ``n`` caps later running sets, and clean steps at the cap probe
it up. A failed step fails its whole running set (its states may be half-advanced), so a step loop
probes far less often: after ``STEP_PROBE_AFTER`` clean steps, doubling up to ``MAX_STEP_PROBE_AFTER``.

What counts as out of memory, without importing any framework: ``MemoryError``; any exception whose class
(or a base) is named ``OutOfMemoryError`` (``torch.cuda.OutOfMemoryError``, ``torch.OutOfMemoryError``);
a ``RuntimeError`` saying "out of memory" (older PyTorch/CUDA) or "RESOURCE_EXHAUSTED" (JAX/XLA); and the
exception types the listener lists in ``oom_errors``.
"""

from __future__ import annotations

import logging

__all__ = [
    "MAX_PROBE_AFTER",
    "MAX_STEP_PROBE_AFTER",
    "PROBE_AFTER",
    "STEP_PROBE_AFTER",
    "BatchCap",
    "is_out_of_memory",
]

logger = logging.getLogger("carpool.batch")

PROBE_AFTER = 8  # clean batches at the cap before it is raised again
MAX_PROBE_AFTER = 256  # the longest wait between probes of a size that keeps failing
# A step loop's: a decode step is ~10-50 ms, so 512 clean steps are seconds of decoding at the cap.
STEP_PROBE_AFTER = 512
MAX_STEP_PROBE_AFTER = 65_536
_OOM_CLASS_NAMES = frozenset({"OutOfMemoryError"})
_OOM_MESSAGES = ("out of memory", "RESOURCE_EXHAUSTED")


def is_out_of_memory(error: BaseException, extra: tuple[type[BaseException], ...] = ()) -> bool:
    """Whether ``error`` says the batch was too big for the device (or the host)."""
    if isinstance(error, (MemoryError, *extra)):
        return True
    if any(cls.__name__ in _OOM_CLASS_NAMES for cls in type(error).__mro__):
        return True
    return isinstance(error, RuntimeError) and any(text in str(error) for text in _OOM_MESSAGES)


class BatchCap:
    """The largest batch (in padded samples) a listener's next call may take."""

    def __init__(
        self,
        name: str,
        max_batch_size: int,
        *,
        multiple: int | None = None,
        oom_errors: tuple[type[BaseException], ...] = (),
        stepwise: bool = False,
    ) -> None:
        self.name = name
        self.max_batch_size = max_batch_size
        self.multiple = multiple or 1  # padded sizes are multiples of it: so is every cap
        self.oom_errors = oom_errors
        self.limit = max_batch_size
        self.failed_at: int | None = None  # the smallest size known to run out of memory
        self.good: int | None = None  # the largest size known to run cleanly (below failed_at)
        self.out_of_memory = 0  # calls that ran out of memory (for metrics)
        self._first_probe_after = STEP_PROBE_AFTER if stepwise else PROBE_AFTER
        self._max_probe_after = MAX_STEP_PROBE_AFTER if stepwise else MAX_PROBE_AFTER
        self._unit = ("running-set", "running sets") if stepwise else ("batch", "batches")
        # doubles each time a probe fails, so a hard limit costs little
        self.probe_after = self._first_probe_after
        self._clean = 0  # clean batches at the cap since it last changed
        self._probing = False  # the cap was raised and no batch of that size ran yet

    def _round(self, size: int) -> int:
        """``size`` down to a multiple of the padding (at least one multiple), at most the maximum."""
        return min(self.max_batch_size, max(self.multiple, size - size % self.multiple))

    def failed(self, size: int, error: BaseException) -> bool:
        """A call of ``size`` samples raised ``error``; True if it was out of memory (the cap learned)."""
        if not is_out_of_memory(error, self.oom_errors):
            return False
        self.out_of_memory += 1
        self.failed_at = size if self.failed_at is None else min(self.failed_at, size)
        if self.good is not None and self.good >= size:
            self.good = None  # the limit moved down: what ran before does not now
        if self._probing:
            self._probing = False
            self.probe_after = min(2 * self.probe_after, self._max_probe_after)
        new = self._round(max(size // 2, self.good or 0))
        if new < self.limit:
            logger.warning(
                "%s: out of memory at %s size %d (%s): %s capped at %d",
                self.name,
                self._unit[0],
                size,
                type(error).__name__,
                self._unit[1],
                new,
            )
            self.limit = new
        self._clean = 0
        return True

    def succeeded(self, size: int) -> None:
        """A call of ``size`` samples ran cleanly."""
        if self.failed_at is not None and size >= self.failed_at:
            self.failed_at = None  # the limit moved up: this size fits now
        self.good = size if self.good is None else max(self.good, size)
        if size > self.limit:  # a split-retry half (or a pre-batched group) larger than the cap ran
            self.limit = self._round(size)
        if size < self.limit:
            return  # a smaller batch says nothing about the cap
        if self._probing:
            self._probing = False
            self.probe_after = self._first_probe_after
        if self.limit >= self.max_batch_size:
            return
        self._clean += 1
        if self._clean >= self.probe_after:
            self._probe()

    def _probe(self) -> None:
        self._clean = 0
        target = self.failed_at if self.failed_at is not None else self.max_batch_size
        new = self._round(self.limit + max(self.multiple, (target - self.limit) // 2))
        if new > self.limit:
            logger.info("%s: probing a larger batch: cap %d -> %d", self.name, self.limit, new)
            self.limit = new
            self._probing = True
