"""How fast failed logins may come: per client address, and per account (user name).

Two limits, because either alone is bypassed. Per address (a sliding minute): one client cannot guess
quickly, but many addresses can (a botnet, or spoofed ``X-Forwarded-For`` where it is trusted). Per
account: a user name that failed many times, from anywhere, is throttled, so a distributed attack on one
password is slowed down as well.

The account throttle must not become a lockout an attacker can keep up forever, so it decays rather
than counts: every failure adds 1 to the account's score, and the score halves every ``half_life``
seconds. Once one more failure would take it past ``threshold`` (after ``threshold`` failures in a quick
burst), the account takes no login attempts (429 with ``Retry-After``) until the score has decayed
enough; refused attempts add nothing, and the score is capped, so once the failures stop, the account
opens again within one half-life at the most. An address that logged in
to the account before keeps its way in during such an attack (only the per-address limit applies to it).
"""

from __future__ import annotations

import math
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["AccountThrottle", "AddressLimit"]

MAX_TRACKED = 10_000  # addresses / user names remembered, least recently failed forgotten first
KNOWN_ADDRESSES_PER_ACCOUNT = 16


class AddressLimit:
    """At most ``attempts`` failed logins per client address in any ``window`` seconds."""

    def __init__(self, attempts: int, window: float, clock: Callable[[], float]) -> None:
        self.attempts = attempts
        self.window = window
        self.clock = clock
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()

    def retry_after(self, address: str) -> float | None:
        """Seconds until ``address`` may try again, or None when it is under the limit."""
        failures = self._failures.get(address)
        if failures is None:
            return None
        now = self.clock()
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        if len(failures) < self.attempts:
            return None
        return failures[0] + self.window - now

    def record_failure(self, address: str) -> None:
        failures = self._failures.setdefault(address, deque())
        self._failures.move_to_end(address)
        failures.append(self.clock())
        while len(self._failures) > MAX_TRACKED:
            self._failures.popitem(last=False)


@dataclass
class _Score:
    value: float
    at: float


class AccountThrottle:
    """Failed logins per user name, as a score that halves every ``half_life`` seconds."""

    def __init__(self, threshold: int, half_life: float, clock: Callable[[], float]) -> None:
        self.threshold = threshold
        self.half_life = half_life
        self.clock = clock
        self._scores: OrderedDict[str, _Score] = OrderedDict()
        self._known: OrderedDict[str, OrderedDict[str, None]] = OrderedDict()

    def _score(self, username: str) -> float:
        score = self._scores.get(username)
        if score is None:
            return 0.0
        return score.value * math.pow(0.5, (self.clock() - score.at) / self.half_life)

    def retry_after(self, username: str, address: str) -> float | None:
        """Seconds until ``username`` takes attempts again, None when it does (or ``address`` is known)."""
        score, opens_at = self._score(username), self._opens_at
        if score <= opens_at or address in self._known.get(username, ()):
            return None
        # score * 0.5 ** (t / half_life) <= opens_at  <=>  t >= half_life * log2(score / opens_at)
        return max(self.half_life * math.log2(score / opens_at), 0.001)

    @property
    def _opens_at(self) -> float:
        return max(self.threshold - 1, 0.5)  # the score at which one more failure is allowed

    def record_failure(self, username: str) -> None:
        # capped at twice the opening score: one half-life after the last failure it opens again
        value = min(self._score(username) + 1, 2 * self._opens_at)
        self._scores[username] = _Score(value, self.clock())
        self._scores.move_to_end(username)
        while len(self._scores) > MAX_TRACKED:
            self._scores.popitem(last=False)

    def record_success(self, username: str, address: str) -> None:
        known = self._known.setdefault(username, OrderedDict())
        self._known.move_to_end(username)
        known[address] = None
        known.move_to_end(address)
        while len(known) > KNOWN_ADDRESSES_PER_ACCOUNT:
            known.popitem(last=False)
        while len(self._known) > MAX_TRACKED:
            self._known.popitem(last=False)
