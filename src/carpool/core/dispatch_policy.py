"""When to dispatch: the batch-timeout policy, including ``batch_timeout="auto"``.

A decision is taken whenever a concurrency slot is free and events wait. ``0`` dispatches at once;
``t > 0`` holds the slot until the batch is full or the oldest event has waited ``t``.

``"auto"`` waits only when more arrivals are expected soon enough to pay off. With run time
``a + b*n`` and arrival rate ``r``, the throughput of dispatching ``k`` events after waiting ``w``,
``(k + r*w) / (w + a + b*(k + r*w))``, grows with ``w`` exactly when ``r*a > k``: waiting pays when more
events arrive during one fixed cost than already wait. We ask for twice that (``r*a > 2k``) so that a
lone submitter (C = 1, whose next request only comes after its result) never waits. The rate comes from
the median gap between recent arrivals, which sees the burst of submitters returning after a batch and
ignores the long gap while they waited. The wait ends when the batch fills, when no arrival came for a
few median gaps (the burst is over), once the slot was held ``a`` seconds (holding it longer than the
fixed cost never pays), or once every submitter that can be coming back is there, whichever is first.
That last count is what waited when the slot freed, plus the events of the batch that just returned,
plus the stragglers an earlier batch left without (expected then, not arrived since): in a closed loop
those are all the submitters there are, so waiting for silence after the last of them would only add
the silence to every batch. (Submitters that left for good keep that count too high: the wait then
ends at silence, as it would without it.) And it ends as soon as the rest of those expected would
take longer than ``a`` to arrive at the rate this hold has seen: then two batches (``2a + b*C``) beat
one that waits for them (their arrival time ``+ a + b*C``). The time events spent waiting for a
busy slot does not count: only the delay the policy adds does. Without two batch sizes to fit or
enough arrivals to time, or for a fixed cost under 2 ms (a function that cheap is dominated by the
server's own work per request, and holding would only delay it), it never waits.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from typing import Literal, TypeAlias

from carpool.core.cost_model import CostModel

__all__ = ["ArrivalTracker", "Decision", "DispatchPolicy", "DispatchReason"]

DispatchReason: TypeAlias = Literal[
    "full", "timeout", "idle", "auto", "step"
]  # "step": one step of a Stepwise loop

_GAPS_KEPT = 31
_MIN_GAPS = 8
_SILENCE_GAPS = 6.0  # P(a Poisson stream stays silent this many median gaps) = 2**-6
_MIN_SILENCE = 0.002  # two ticks: arrivals paced by loop timers come in ~1 ms steps (epoll resolution)
_PAYOFF = 2.0
# A fixed cost below the silence floor is not worth holding for: the hold would be timed in ticks no
# finer than that, and a function that cheap is run-time dominated by the server's own per-request work
# (a trivial function over HTTP: holding then only delays each batch).
_MIN_FIXED = _MIN_SILENCE
_MIN_HOLD_ARRIVALS = 4  # arrivals in a hold before its own rate says the rest come too slowly


@dataclass(frozen=True, slots=True)
class Decision:
    """Dispatch now (``reason``) or wait until ``wake_at``."""

    reason: DispatchReason | None
    wake_at: float | None = None


_FULL = Decision("full")
_IDLE = Decision("idle")
_TIMEOUT = Decision("timeout")
_AUTO = Decision("auto")


class ArrivalTracker:
    """Recent gaps between arrivals, for the arrival rate."""

    def __init__(self) -> None:
        self._gaps: deque[float] = deque(maxlen=_GAPS_KEPT)
        self.last: float | None = None

    def arrived(self, now: float) -> None:
        if self.last is not None:
            self._gaps.append(now - self.last)
        self.last = now

    def median_gap(self) -> float | None:
        if len(self._gaps) < _MIN_GAPS:
            return None
        return sorted(self._gaps)[len(self._gaps) // 2]


class DispatchPolicy:
    """The dispatch policy of one listener: dispatch now, or hold the free slot until when."""

    def __init__(self, max_batch_size: int, batch_timeout: float | Literal["auto"], cost: CostModel):
        self.max_batch_size = max_batch_size
        self.timeout = batch_timeout
        self.cost = cost
        self.arrivals = ArrivalTracker() if batch_timeout == "auto" else None
        self._held_since: float | None = None  # when auto started holding a free slot
        self._expected: int | None = None  # auto: events that may wait once the returned ones are back
        self._missing = 0  # auto: expected at the last dispatch but not there yet (stragglers)
        self._held_from = 0  # auto: how many waited when the hold began

    def arrived(self, now: float) -> None:
        if self.arrivals is not None:
            self.arrivals.arrived(now)
            self._missing = max(0, self._missing - 1)

    def decide(self, now: float, waiting: int, oldest: float, full: int | None = None) -> Decision:
        """``full``: the size that fills a batch now (a lowered batch cap), if not ``max_batch_size``."""
        if waiting >= (self.max_batch_size if full is None else full):
            return _FULL
        if self.timeout == "auto":
            return self._decide_auto(now, waiting)
        if self.timeout <= 0:
            return _IDLE
        due = oldest + self.timeout
        return _TIMEOUT if now >= due else Decision(None, due)

    def dispatched(self, size: int, left: int) -> None:
        """A batch of ``size`` events left; ``left`` events still wait."""
        self._held_since = None
        if self._expected is not None:  # a batch cut short by silence: its stragglers still come back
            self._missing = max(0, self._expected - size - left)
        self._expected = None

    def returned(self, size: int, waiting: int) -> None:
        """A batch of ``size`` events returned while ``waiting`` events waited: its slot is free."""
        # Several batches may return before the next one leaves (concurrency_limit > 1): all come back.
        if self._expected is None:
            self._expected = waiting + self._missing
        self._expected += size

    def _decide_auto(self, now: float, waiting: int) -> Decision:
        fixed = self.cost.fixed_cost()
        if fixed is None or fixed < _MIN_FIXED:  # never worth holding for: decide as timeout 0 would
            return _IDLE if self._held_since is None else _AUTO
        if self._expected is not None and waiting >= self._expected:  # every submitter is back
            return _IDLE if self._held_since is None else _AUTO
        if self._held_since is not None and self._rest_too_slow(now, waiting, fixed):
            return _AUTO
        held_since = now if self._held_since is None else self._held_since
        wake = self.auto_wake(waiting, held_since, fixed)
        if wake is None:
            return _IDLE if self._held_since is None else _AUTO
        if now >= wake:
            return _AUTO
        if self._held_since is None:
            self._held_since, self._held_from = held_since, waiting
        return Decision(None, wake)

    def _rest_too_slow(self, now: float, waiting: int, fixed: float) -> bool:
        """Would the submitters still expected take longer than one fixed cost to arrive?

        Then sending the batch now wins: the rest arrive while it runs and leave together next, and two
        batches cost ``2a + b*C`` where waiting for them costs the rest's arrival time plus ``a + b*C``.
        That happens when the server (or the machine) is too busy to take requests in fast: holding
        would then leave the function idle while the front end catches up. The rate is this hold's own
        (arrivals since it began over its length), not the burst's median gap.
        """
        arrived = waiting - self._held_from
        if self._expected is None or arrived < _MIN_HOLD_ARRIVALS:
            return False
        assert self._held_since is not None
        rest = (self._expected - waiting) * (now - self._held_since) / arrived
        return rest > fixed

    def auto_wake(self, waiting: int, held_since: float, fixed: float) -> float | None:
        """Until when holding the slot for ``waiting`` events pays off, or None if it does not."""
        assert self.arrivals is not None and self.arrivals.last is not None
        gap = self.arrivals.median_gap()
        if gap is None:
            return None
        rate = math.log(2) / gap if gap > 0 else math.inf
        if rate * fixed <= _PAYOFF * waiting:
            return None
        silence = max(_SILENCE_GAPS * gap, _MIN_SILENCE)
        # Silence counts from the slot freeing too: submitters served by the batch that just ended
        # can only come back after it, however long ago the last arrival was.
        return min(max(self.arrivals.last, held_since) + silence, held_since + fixed)
