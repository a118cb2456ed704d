"""Which replica runs the next batch, and the batches waiting for one.

A replica takes at most ``capacity`` batches at a time; more wait here, in the driver, not in the
actor's queue. A batch waiting here is cancelled by simply leaving (nothing was sent to Ray), and a
busy replica is never handed more work while an idle one sits unused. A freed replica goes straight
to the oldest waiter, never by polling.

A replica whose actor died (a crash, a lost node) leaves the rotation at once and comes back only when
its replacement has loaded the model: a replacement that cannot be placed (its node is gone and no
other has the resources) takes no batch, so nothing waits on it inside Ray.

Callers may await on different event loops (the server's, a direct call's), so the bookkeeping is
under a thread lock and a replica reaches a waiter through its own loop's ``call_soon_threadsafe``.
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass
from typing import Any

from carpool.scale._autoscale import PoolLoad
from carpool.scale._errors import PoolClosedError

__all__ = ["Replica", "ReplicaSet"]


@dataclass(eq=False)
class Replica:
    """One replica's place in the pool; its actor is swapped for a fresh one when it dies."""

    index: int
    actor: Any  # ray.actor.ActorHandle
    busy: int = 0  # batches sent to it and not yet settled
    last_used: int = 0
    restarts: int = 0
    replacement: Any = None  # while restarting: the actor that is loading the model in its place


class ReplicaSet:
    def __init__(self, name: str, capacity: int) -> None:
        self.name = name
        self.capacity = capacity
        self.closed = False
        self._replicas: list[Replica] = []
        self._restarting: list[Replica] = []  # out of the rotation until their replacement is ready
        self._waiters: deque[asyncio.Future[Replica]] = deque()
        self._uses = 0  # counts hand-outs: of two idle replicas, the one used longest ago goes first
        self._next_index = 0
        self._started = False  # an autoscaled pool may be started with no replica (min_replicas=0)
        self._lock = threading.Lock()

    def fill(self, actors: Sequence[Any]) -> None:
        with self._lock:
            self._replicas = [self._numbered(actor) for actor in actors]
            self._started = True

    def _numbered(self, actor: Any) -> Replica:
        self._next_index += 1
        return Replica(self._next_index - 1, actor)

    @property
    def started(self) -> bool:
        return self._started

    def load(self) -> PoolLoad:
        """What the autoscaler reads: replicas (restarting ones too, so it does not start a second
        replacement for them), batches running on them, batches waiting here."""
        with self._lock:
            running = sum(replica.busy for replica in self._replicas)
            return PoolLoad(len(self._replicas) + len(self._restarting), running, len(self._waiters))

    def live(self) -> int:
        """Replicas in the rotation (a restarting one is not)."""
        with self._lock:
            return len(self._replicas)

    def add(self, actor: Any) -> bool:
        """A freshly started replica joins; it goes straight to the oldest waiter. False when closed."""
        with self._lock:
            if self.closed:
                return False
            replica = self._numbered(actor)
            replica.busy = 1  # handed over by release(), as a replica finishing a batch would be
            self._replicas.append(replica)
        self.release(replica)
        return True

    def retire_idle(self, count: int) -> list[Any]:
        """Take up to ``count`` idle replicas out (never a busy one); returns their actors to kill."""
        with self._lock:
            idle = [replica for replica in self._replicas if replica.busy == 0]
            idle.sort(key=lambda replica: replica.last_used)  # the one used longest ago goes first
            retired = idle[: max(0, count)]
            self._replicas = [replica for replica in self._replicas if replica not in retired]
            return [replica.actor for replica in retired]

    def actors(self) -> tuple[Any, ...]:
        with self._lock:
            return tuple(replica.actor for replica in self._replicas)

    def close(self) -> list[Any]:
        """Refuse new batches, fail the waiting ones; returns the actors to kill (replacements too)."""
        with self._lock:
            self.closed = True
            replicas, self._replicas = self._replicas, []
            replacements = [r.replacement for r in self._restarting if r.replacement is not None]
            self._restarting = []
            waiters, self._waiters = list(self._waiters), deque()
        for waiter in waiters:
            with suppress(RuntimeError):  # its event loop is closed: nothing left to tell
                waiter.get_loop().call_soon_threadsafe(self._fail_waiter, waiter)
        return [replica.actor for replica in replicas] + replacements

    def _closed_error(self) -> PoolClosedError:
        return PoolClosedError(f"the replica pool of {self.name} is closed")

    def _fail_waiter(self, waiter: asyncio.Future[Replica]) -> None:
        if not waiter.done():
            waiter.set_exception(self._closed_error())

    # -- handing replicas out ------------------------------------------------------------------------

    async def acquire(self, *, first_in_line: bool = False) -> Replica:
        """An idle replica, marked busy; waits (cancellable) while every replica is busy.

        ``first_in_line``: a batch being retried (its replica was lost) waits ahead of the others,
        since it was formed before them.
        """
        with self._lock:
            if self.closed or not self._started:
                raise self._closed_error()
            idle = [replica for replica in self._replicas if replica.busy < self.capacity]
            if idle:
                return self._hand_out(min(idle, key=lambda replica: (replica.busy, replica.last_used)))
            waiter: asyncio.Future[Replica] = asyncio.get_running_loop().create_future()
            if first_in_line:
                self._waiters.appendleft(waiter)
            else:
                self._waiters.append(waiter)
        try:
            return await waiter
        except asyncio.CancelledError:
            self._abandon(waiter)
            raise

    def _hand_out(self, replica: Replica) -> Replica:
        self._uses += 1
        replica.last_used = self._uses
        replica.busy += 1
        return replica

    def _abandon(self, waiter: asyncio.Future[Replica]) -> None:
        with self._lock:
            if waiter in self._waiters:  # never got a replica
                self._waiters.remove(waiter)
                return
        if waiter.done() and not waiter.cancelled() and waiter.exception() is None:
            self.release(waiter.result())  # got one just as it was cancelled: pass it on

    def release(self, replica: Replica) -> None:
        """A batch on ``replica`` settled: give the replica to the oldest waiter, else mark it idle."""
        with self._lock:
            if not any(r is replica for r in self._replicas):  # taken out (dead) or retired meanwhile
                return
            while self._waiters and not self.closed:
                waiter = self._waiters.popleft()  # the replica stays busy: it changes hands
                try:
                    waiter.get_loop().call_soon_threadsafe(self._deliver, waiter, replica)
                except RuntimeError:  # that waiter's event loop is closed: nobody waits there now
                    continue
                replica.last_used = self._uses = self._uses + 1
                return
            replica.busy -= 1

    def settle(self, replica: Replica, actor: Any) -> None:
        """A batch sent to ``actor`` settled: release its replica, unless that actor is no longer it."""
        with self._lock:
            current = replica.actor is actor and any(r is replica for r in self._replicas)
        if current:
            self.release(replica)

    def _deliver(self, waiter: asyncio.Future[Replica], replica: Replica) -> None:
        if waiter.done():  # cancelled while the replica travelled to its loop
            self.release(replica)
        else:
            waiter.set_result(replica)

    # -- replacing dead replicas ---------------------------------------------------------------------

    def take_out(self, replica: Replica, dead_actor: Any) -> bool:
        """``dead_actor`` died: take its replica out of the rotation. False when that was done already
        (another batch saw the death first), the actor was replaced meanwhile, or the pool is closed."""
        with self._lock:
            if self.closed or replica.actor is not dead_actor or replica not in self._replicas:
                return False
            self._replicas.remove(replica)
            self._restarting.append(replica)
            replica.busy = 0  # what ran on the dead actor will never settle as work on the replacement
            return True

    def restarting_with(self, replica: Replica, actor: Any) -> bool:
        """Remember the actor loading in ``replica``'s place (close() kills it); False when closed."""
        with self._lock:
            if self.closed or replica not in self._restarting:
                return False
            replica.replacement = actor
            return True

    def put_back(self, replica: Replica, actor: Any) -> bool:
        """The replacement ``actor`` is ready: the replica rejoins and goes to the oldest waiter."""
        with self._lock:
            if self.closed or replica not in self._restarting:
                return False
            self._restarting.remove(replica)
            replica.actor, replica.replacement = actor, None
            replica.restarts += 1
            replica.busy = 1  # handed over by release(), as a replica finishing a batch would be
            self._replicas.append(replica)
        self.release(replica)
        return True

    def drop(self, replica: Replica) -> None:
        """The replacement could not start: the replica is gone for good."""
        with self._lock:
            if replica in self._restarting:
                self._restarting.remove(replica)
