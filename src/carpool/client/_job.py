"""``AsyncJob``: one queued event, fed by the client's single event stream."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from carpool.client._errors import error_from_body
from carpool.exceptions import CarpoolError, EventCancelledError, ProtocolError
from carpool.protocol import Msg

__all__ = ["AsyncJob", "JobStatus"]

JobStatus = dict[
    str, Any
]  # {"state": "waiting"|"running"|"completed"|"failed"|"cancelled", "position", "eta"}
Convert = Callable[[list[Any]], Awaitable[Any]]


class AsyncJob:
    """Status, generated outputs and the result of one event. Made by ``AsyncClient.submit``."""

    def __init__(self, event_id: str, *, convert: Convert, cancel: Callable[[str], Awaitable[bool]]) -> None:
        self.event_id = event_id
        self._convert = convert  # wire outputs -> Python values (downloads files)
        self._cancel = cancel
        self._state = "waiting"
        self._position: int | None = None
        self._eta: float | None = None
        self._generated: list[list[Any]] = []
        self._final_data: list[Any] | None = None
        self._error: CarpoolError | None = None
        self._done = asyncio.Event()
        self._changed = asyncio.Event()

    # -- fed by the client's stream ---------------------------------------------------------------

    def apply(self, message: dict[str, Any]) -> None:
        kind = message.get("msg")
        if kind == Msg.ESTIMATION:
            self._position, self._eta = message.get("position"), message.get("eta")
        elif kind == Msg.PROCESS_STARTS:
            self._state, self._position, self._eta = "running", None, message.get("eta")
        elif kind == Msg.GENERATING:
            self._generated.append(_data_of(message))
        elif kind == Msg.COMPLETED:
            self._finish(message)
        self._changed.set()

    def _finish(self, message: dict[str, Any]) -> None:
        status = message.get("status")
        if status == "completed":
            self._final_data = _data_of(message)
        elif status in ("failed", "cancelled"):
            self._error = error_from_body(message.get("error") or {"type": status})
        else:
            self._error = ProtocolError(f"unknown final status {status!r}")
            status = "failed"
        self._state = str(status)
        self._position = self._eta = None  # an ended event waits for nothing: no stale place or ETA
        self._done.set()

    def fail(self, error: CarpoolError) -> None:
        """The stream ended before this event did."""
        if not self._done.is_set():
            self._error, self._state = error, "failed"
            self._position = self._eta = None
            self._done.set()
            self._changed.set()

    # -- public -----------------------------------------------------------------------------------

    def status(self) -> JobStatus:
        return {"state": self._state, "position": self._position, "eta": self._eta}

    def done(self) -> bool:
        return self._done.is_set()

    async def result(self, timeout: float | None = None) -> Any:
        """The outputs (one value, or a tuple for several); raises the event's error. TimeoutError."""
        await asyncio.wait_for(self._done.wait(), timeout)
        if self._error is not None:
            raise self._error
        if self._final_data is None:  # a generator's final message may repeat its last output only
            raise ProtocolError("completed event without output")
        return await self._convert(self._final_data)

    async def cancel(self) -> bool:
        """Ask the server to cancel it; True if it was still unfinished."""
        if self.done():
            return False
        cancelled = await self._cancel(self.event_id)
        if cancelled and not self.done():  # its final message is on the way; it waits in no queue now
            self._position = self._eta = None
            self._changed.set()
        return cancelled

    async def outputs(self) -> list[Any]:
        """Every output generated so far (a generator's intermediate values), converted."""
        return [await self._convert(data) for data in list(self._generated)]

    async def __aiter__(self) -> AsyncIterator[Any]:
        """Each generated output as it arrives; ends when the event ends (raising its error)."""
        index = 0
        while True:
            self._changed.clear()
            while index < len(self._generated):
                index += 1
                yield await self._convert(self._generated[index - 1])
            if self._done.is_set():
                if self._error is not None and not isinstance(self._error, EventCancelledError):
                    raise self._error
                if not self._generated and self._final_data is not None:
                    yield await self._convert(self._final_data)  # not a generator: its one result
                return
            await self._changed.wait()


def _data_of(message: dict[str, Any]) -> list[Any]:
    output = message.get("output")
    data = output.get("data") if isinstance(output, dict) else None
    if not isinstance(data, list):
        raise ProtocolError(f"{message.get('msg')} without output data")
    return data
