"""What a submission passes before it may wait: its listener exists, its samples can ever fit, the queue
has room for them; then its record is made, with the earlier of the caller's and the listener's deadlines.

Refusals are typed so the server can answer each one precisely: an unknown listener (404), samples that
can never fit (413, waiting cannot help) and a full queue (503 with a Retry-After worked out from the
cost model: how long until a slot frees plus one batch).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import Any

from carpool.core.dispatcher import Dispatcher
from carpool.core.estimation import expected_wait
from carpool.core.ids import new_event_id
from carpool.core.listener import Listener
from carpool.core.messages import Message
from carpool.core.record import JobRecord, RecordOwner
from carpool.exceptions import BatchTooLargeError, QueueFullError, UnknownEndpointError

__all__ = ["Intake", "check_timeout"]

_NO_CONTEXT: Mapping[str, Any] = MappingProxyType({})


def check_timeout(timeout: float | None) -> None:
    # NaN would break the deadline heap's order and infinity the loop's timer: refuse both here.
    if timeout is not None and not (isinstance(timeout, int | float) and 0 <= timeout < math.inf):
        raise ValueError(f"timeout must be a finite number of seconds >= 0 or None, got {timeout!r}")


class Intake:
    def __init__(
        self,
        *,
        max_size: int | None,
        clock: Callable[[], float],
        listeners: Mapping[str, Listener],
        dispatcher: Dispatcher,
        owner: RecordOwner,
    ) -> None:
        if max_size is not None and max_size < 0:
            raise ValueError(f"max_size must be >= 0 or None, got {max_size}")
        self._max_size = max_size
        self._clock = clock
        self._listeners = listeners
        self._dispatcher = dispatcher
        self._owner = owner

    def admit(self, listener_id: str, count: int, *, together: bool = False) -> Listener:
        """The listener that takes ``count`` more events, or the reason it cannot. ``together``: the
        samples must share one batch, so more than ``max_batch_size`` of them can never run."""
        listener = self._listeners.get(listener_id)
        if listener is None:
            raise UnknownEndpointError(f"no listener {listener_id!r}")
        if together and count > listener.max_batch_size:
            raise BatchTooLargeError(
                f"{count} samples exceed max_batch_size={listener.max_batch_size} of {listener_id!r}",
                limit=listener.max_batch_size,
            )
        if self._max_size is not None:
            self._make_room(listener, count, self._max_size)
        return listener

    def _make_room(self, listener: Listener, count: int, max_size: int) -> None:
        if count > max(max_size, 1):  # waiting never helps
            raise BatchTooLargeError(
                f"{count} samples at once can never fit the queue (max_size={max_size}); "
                f"send at most {max_size}",
                limit=max_size,
            )
        waiting = sum(other.queue.live for other in self._dispatcher.pending.values())
        if waiting + count > max_size:
            listener.counters["rejected"] += count
            retry_after = expected_wait(listener, self._clock(), self._dispatcher.max_workers)
            per_batch = listener.cost.estimate(listener.cap.limit)
            raise QueueFullError(
                f"the queue is full ({waiting} of {max_size} waiting)",
                retry_after=retry_after + (per_batch if per_batch is not None else 1.0),
            )

    def record(
        self,
        listener: Listener,
        inputs: Sequence[Any],
        session_id: str | None,
        context: Mapping[str, Any] | None,
        timeout: float | None,
        on_message: Callable[[Message], None] | None,
    ) -> JobRecord:
        now = self._clock()
        own = listener.config.timeout
        timeout = own if timeout is None else timeout if own is None else min(timeout, own)
        return JobRecord(
            self._owner,
            event_id=new_event_id(),
            listener_id=listener.id,
            inputs=tuple(inputs),
            session_id=session_id,
            context=_NO_CONTEXT if context is None else context,
            enqueued_at=now,
            deadline=None if timeout is None else now + timeout,
            on_message=on_message,
        )
