"""Which replica runs the next batch, and the batches waiting for one.

A replica takes at most ``capacity`` batches at a time; more wait here, in the driver, not in the
actor's queue. A batch waiting here is cancelled by simply leaving (nothing was sent to Ray), and a
busy replica is never handed more work while an idle one sits unused. A freed replica goes straight
to the oldest waiter, never by polling.

Callers may await on different event loops (the server's, a direct call's), so the bookkeeping is
under a thread lock and a replica reaches a waiter through its own loop's ``call_soon_threadsafe``.
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from collections.abc import Callable, Sequence
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


class ReplicaSet:
    def __init__(self, name: str, capacity: int) -> None:
        self.name = name
        self.capacity = capacity
        self.closed = False
        self._replicas: list[Replica] = []
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
        """What the autoscaler reads: live replicas, batches running on them, batches waiting here."""
        with self._lock:
            running = sum(replica.busy for replica in self._replicas)
            return PoolLoad(len(self._replicas), running, len(self._waiters))

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
        """Refuse new batches, fail the waiting ones; returns the actors to kill."""
        with self._lock:
            self.closed = True
            replicas, self._replicas = self._replicas, []
            waiters, self._waiters = list(self._waiters), deque()
        for waiter in waiters:
            with suppress(RuntimeError):  # its event loop is closed: nothing left to tell
                waiter.get_loop().call_soon_threadsafe(self._fail_waiter, waiter)
        return [replica.actor for replica in replicas]

    def _closed_error(self) -> PoolClosedError:
        return PoolClosedError(f"the replica pool of {self.name} is closed")

    def _fail_waiter(self, waiter: asyncio.Future[Replica]) -> None:
        if not waiter.done():
            waiter.set_exception(self._closed_error())

    # -- handing replicas out ------------------------------------------------------------------------

    async def acquire(self) -> Replica:
        """An idle replica, marked busy; waits (cancellable) while every replica is busy."""
        with self._lock:
            if self.closed or not self._started:
                raise self._closed_error()
            idle = [replica for replica in self._replicas if replica.busy < self.capacity]
            if idle:
                return self._hand_out(min(idle, key=lambda replica: (replica.busy, replica.last_used)))
            waiter: asyncio.Future[Replica] = asyncio.get_running_loop().create_future()
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
            while self._waiters and not self.closed:
                waiter = self._waiters.popleft()  # the replica stays busy: it changes hands
                try:
                    waiter.get_loop().call_soon_threadsafe(self._deliver, waiter, replica)
                except RuntimeError:  # that waiter's event loop is closed: nobody waits there now
                    continue
                replica.last_used = self._uses = self._uses + 1
                return
            replica.busy -= 1

    def _deliver(self, waiter: asyncio.Future[Replica], replica: Replica) -> None:
        if waiter.done():  # cancelled while the replica travelled to its loop
            self.release(replica)
        else:
            waiter.set_result(replica)

    def replace(self, replica: Replica, dead_actor: Any, new_actor: Callable[[], Any]) -> bool:
        """Swap ``dead_actor`` for ``new_actor()``; False when another batch already did, or closed."""
        with self._lock:
            if self.closed or replica.actor is not dead_actor:
                return False
            replica.actor = new_actor()
            replica.restarts += 1
            return True
