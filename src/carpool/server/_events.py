"""Relay one event's engine messages into its session channel as protocol messages.

The engine reports an event's life as typed messages (possibly from a worker thread: progress and
generator outputs come from where the function runs). The relay hops onto the event loop, converts each
to its wire form -- outputs go through the dependency's postprocess here, so the engine never sees wire
values -- and guarantees the protocol's promise: exactly one ``process_completed`` per event.
"""

from __future__ import annotations

import asyncio
import threading
from asyncio import AbstractEventLoop
from collections.abc import Callable
from typing import Any, Protocol

from carpool import exceptions as exc
from carpool.components import FileStore
from carpool.core import (
    Cancelled,
    Completed,
    Estimation,
    Failed,
    Generating,
    Log,
    Message,
    ProcessStarts,
    Progress,
)
from carpool.protocol import Msg
from carpool.server._errors import describe_error
from carpool.server._processing import converts_files, postprocess
from carpool.server._spec import Endpoint, SessionValues

__all__ = ["EventChannel", "EventRelay"]

WireMessage = dict[str, Any]


class EventChannel(Protocol):
    """Where an event's messages go: a session's channel, or a protocol translation in front of one."""

    @property
    def state(self) -> SessionValues: ...

    @property
    def pending(self) -> dict[str, Endpoint]: ...

    def push(self, message: WireMessage) -> None: ...


class EventRelay:
    """Forwards the messages of one event of ``channel``'s session."""

    def __init__(
        self,
        channel: EventChannel,
        dependency: Endpoint,
        *,
        loop: AbstractEventLoop,
        loop_thread: int,
        files: FileStore,
        show_error: bool,
        cancel_event: Callable[[str], object],
    ) -> None:
        self._channel = channel
        self._dependency = dependency
        self._loop = loop
        self._loop_thread = loop_thread
        self._files = files
        self._show_error = show_error
        self._cancel_event = cancel_event
        self._off_loop = converts_files(dependency)
        # The delivery still converting off the loop; later messages wait for it, to keep their order.
        self._tail: asyncio.Future[None] | None = None
        self.finished = False

    def on_message(self, message: Message) -> None:
        """The engine's callback: safe to call from any thread."""
        if threading.get_ident() == self._loop_thread:
            self._deliver(message)
        else:
            self._loop.call_soon_threadsafe(self._deliver, message)

    def _deliver(self, message: Message) -> None:
        if self.finished:
            return
        heavy = self._off_loop and isinstance(message, Generating | Completed)
        if heavy or self._tail is not None:
            self._tail = asyncio.ensure_future(self._deliver_in_order(self._tail, message, heavy))
            return
        self._push(message, self._to_wire(message))

    async def _deliver_in_order(
        self, previous: asyncio.Future[None] | None, message: Message, heavy: bool
    ) -> None:
        if previous is not None:
            await previous
        wire = await asyncio.to_thread(self._to_wire, message) if heavy else self._to_wire(message)
        self._push(message, wire)
        if self._tail is asyncio.current_task():
            self._tail = None

    def _push(self, message: Message, wire: WireMessage | None) -> None:
        if self.finished or wire is None:
            return
        if wire["msg"] == Msg.COMPLETED:
            self.finished = True
            self._channel.pending.pop(message.event_id, None)
        self._channel.push(wire)

    def _to_wire(self, message: Message) -> WireMessage | None:
        event_id = message.event_id
        if isinstance(message, Estimation):
            return {
                "msg": Msg.ESTIMATION,
                "event_id": event_id,
                "position": message.position,
                "queue_size": message.queue_size,
                "eta": message.eta,
            }
        if isinstance(message, ProcessStarts):
            return {"msg": Msg.PROCESS_STARTS, "event_id": event_id, "eta": message.eta}
        if isinstance(message, Progress):
            units = [_progress_unit(unit) for unit in message.units]
            return {"msg": Msg.PROGRESS, "event_id": event_id, "progress": units}
        if isinstance(message, Log):
            return _log(message)
        if isinstance(message, Generating):
            return self._outputs(event_id, message.output, Msg.GENERATING)
        if isinstance(message, Completed):
            return self._outputs(event_id, message.output, Msg.COMPLETED)
        if isinstance(message, Failed):
            return self._failed(event_id, message.error)
        if isinstance(message, Cancelled):
            error = {"type": "cancelled", "message": message.reason, "parameter": None}
            return {"msg": Msg.COMPLETED, "event_id": event_id, "status": "cancelled", "error": error}
        return None

    def _outputs(self, event_id: str, output: Any, msg: str) -> WireMessage:
        try:
            data = postprocess(self._dependency, output, self._channel.state, self._files)
        except Exception as error:
            # A return value the outputs cannot show is the function's failure, not the server's.
            if msg == Msg.GENERATING:  # may run in a worker thread: the engine lives on the loop
                self._loop.call_soon_threadsafe(self._cancel_event, event_id)
            return self._failed(event_id, error)
        if msg == Msg.GENERATING:
            return {"msg": msg, "event_id": event_id, "output": {"data": data}}
        return {"msg": msg, "event_id": event_id, "status": "completed", "output": {"data": data}}

    def _failed(self, event_id: str, error: BaseException) -> WireMessage:
        info = describe_error(error, show_error=self._show_error)
        body: dict[str, Any] = dict(info.body)
        if isinstance(error, exc.Error):  # how the page shows it: carpool.Error(title=, duration=, visible=)
            body.update(title=error.title, duration=error.duration, visible=error.visible)
        return {"msg": Msg.COMPLETED, "event_id": event_id, "status": "failed", "error": body}


def _log(message: Log) -> WireMessage:
    """A carpool.Info/Warning note, in the shape of Gradio's ``log`` message (so both wires agree)."""
    return {
        "msg": Msg.LOG,
        "event_id": message.event_id,
        "log": message.message,
        "level": message.level,
        "title": message.title,
        "duration": message.duration,
        "visible": message.visible,
    }


def _progress_unit(unit: Any) -> dict[str, Any]:
    return {
        "index": unit.index,
        "length": unit.length,
        "unit": unit.unit,
        "progress": unit.progress,
        "desc": unit.desc,
    }
