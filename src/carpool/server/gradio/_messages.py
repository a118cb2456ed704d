"""One event's carpool messages, rewritten as Gradio's sse_v3 messages on their way into the session.

:class:`GradioEventSink` stands where :class:`~carpool.server._events.EventRelay` expects a session
channel: the relay converts engine messages to carpool's wire form as for any event, and the sink
renames fields (``position`` -> ``rank``, ``eta`` -> ``rank_eta``), turns file references into
Gradio's, reports failures as Gradio does (``success: false`` with the message under ``output.error``)
and sends each partial output after the first as edits of the one before (``_diff``). The session's
channel, its stream and the engine are the same as for every other event.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from carpool.protocol import Msg
from carpool.server._sessions import SessionChannel
from carpool.server.gradio._diff import diff
from carpool.server.gradio._values import to_gradio

__all__ = ["CANCELLED_BY_CLIENT", "ERROR_TITLE", "GradioEventSink", "gradio_error_output"]

WireMessage = dict[str, Any]
ERROR_TITLE = "Error"
ERROR_SECONDS = 10  # how long Gradio's page shows an error toast; its clients read the field
# Marks the end of an event its own client cancelled. The session stream does not write it: the client
# has already given the job up (gradio_client raises CancelledError), and an error arriving first would
# turn that into an AppError. It still counts as the event's end for closing the stream.
CANCELLED_BY_CLIENT = "carpool_cancelled_by_client"


def gradio_error_output(error: Any) -> dict[str, Any]:
    """The ``output`` of a failed event as Gradio sends it (``error``: the message; None if hidden);
    a ``carpool.Error``'s own title, duration and visibility when it set them."""
    error = error if isinstance(error, dict) else {}
    return {
        "error": error.get("message"),
        "duration": error.get("duration", ERROR_SECONDS),
        "visible": error.get("visible", True),
        "title": error.get("title", ERROR_TITLE),
    }


class GradioEventSink:
    """The channel face of one Gradio-protocol event: what the relay pushes arrives in Gradio's shape."""

    def __init__(
        self,
        channel: SessionChannel,
        api_root: str,
        *,
        diffs: bool = True,
        client_cancels: set[str] | None = None,
        on_output: Callable[[list[Any]], None] | None = None,
    ) -> None:
        self._channel = channel
        self._on_output = on_output  # sees a completed event's outputs in carpool's wire form
        self._client_cancels = client_cancels if client_cancels is not None else set()
        self._api_root = api_root
        self._diffs = diffs  # sse_v3 (queue/join) sends edits; the REST call stream sends whole values
        self._last: list[Any] | None = None  # the outputs as the client has them after the last partial

    @property
    def state(self) -> Any:
        return self._channel.state

    @property
    def pending(self) -> dict[str, Any]:
        return self._channel.pending

    def push(self, message: WireMessage) -> None:
        self._channel.push(self._translate(message))

    def _translate(self, message: WireMessage) -> WireMessage:
        kind, event_id = message.get("msg"), message.get("event_id")
        if kind == Msg.ESTIMATION:
            return {
                "msg": kind,
                "event_id": event_id,
                "rank": message.get("position"),
                "queue_size": message.get("queue_size"),
                "rank_eta": message.get("eta"),
            }
        if kind == Msg.PROGRESS:
            return {"msg": kind, "event_id": event_id, "progress_data": message.get("progress")}
        if kind == Msg.GENERATING:
            return self._generating(event_id, self._data(message))
        if kind == Msg.COMPLETED:
            return self._completed(message)
        return message  # process_starts and log have the same shape on both wires

    def _data(self, message: WireMessage) -> list[Any]:
        output = message.get("output") or {}
        data = to_gradio(output.get("data") or [], self._api_root)
        return data if isinstance(data, list) else [data]

    def _generating(self, event_id: Any, data: list[Any]) -> WireMessage:
        sent: list[Any] = data
        if self._diffs and self._last is not None and len(self._last) == len(data):
            sent = [diff(old, new) for old, new in zip(self._last, data, strict=True)]
        self._last = data
        output = {"data": sent, "is_generating": True}
        return {"msg": Msg.GENERATING, "event_id": event_id, "output": output, "success": True}

    def _completed(self, message: WireMessage) -> WireMessage:
        event_id = message.get("event_id")
        if message.get("status") == "completed":
            if self._on_output is not None:
                self._on_output(list((message.get("output") or {}).get("data") or []))
            output = {"data": self._data(message), "is_generating": False}
            return {"msg": Msg.COMPLETED, "event_id": event_id, "output": output, "success": True}
        ended: WireMessage = {
            "msg": Msg.COMPLETED,
            "event_id": event_id,
            "output": gradio_error_output(message.get("error")),
            "success": False,
            "title": ERROR_TITLE,
        }
        if message.get("status") == "cancelled" and event_id in self._client_cancels:
            self._client_cancels.discard(event_id)
            ended[CANCELLED_BY_CLIENT] = True
        return ended
