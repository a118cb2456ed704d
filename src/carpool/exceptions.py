"""carpool's one exception tree.

    CarpoolError
    ├── Error                      raised by app code: its message is shown to the user
    ├── InvalidInputError          a value failed a component's preprocess (HTTP 422)
    ├── BatchShapeError            a batched function returned the wrong shape
    ├── QueueFullError             the queue is at max_size (HTTP 503 + Retry-After)
    ├── BatchTooLargeError         a pre-batched call larger than a limit it can never fit (HTTP 413)
    ├── UnknownEndpointError       no listener/api_name of that name (HTTP 404)
    ├── EventCancelledError        the event was cancelled (or its client left)
    ├── EventExpiredError          the event waited past its ``timeout=`` and never ran
    ├── EventTimeLimitError        the function ran past the listener's ``time_limit=``
                                   (``EventTimeoutError``: its former name, kept as an alias)
    ├── EngineClosedError          the engine is shutting down / closed
    ├── FileAccessError            a file reference that is not ours to serve (HTTP 403/404)
    ├── ConversionError            a media conversion worker process died (or its pool was shut down)
    └── ClientError                raised only by carpool.client
        ├── AppError               the app's function failed; carries the server's message
        ├── ProtocolError          the server answered something the protocol does not allow
        └── AuthenticationError    401 from the server

Core and components raise these; only ``carpool.server`` maps them to HTTP and only ``carpool.client``
maps HTTP back to them, so ``except carpool.QueueFullError`` works the same in-process and remotely.
"""

from __future__ import annotations

__all__ = [
    "AppError",
    "AuthenticationError",
    "BatchShapeError",
    "BatchTooLargeError",
    "CarpoolError",
    "ClientError",
    "ConversionError",
    "EngineClosedError",
    "Error",
    "EventCancelledError",
    "EventExpiredError",
    "EventTimeLimitError",
    "EventTimeoutError",
    "FileAccessError",
    "InvalidInputError",
    "ProtocolError",
    "QueueFullError",
    "UnknownEndpointError",
]


class CarpoolError(Exception):
    """Base of every exception carpool raises on purpose."""


class Error(CarpoolError):
    """Raise (or return, per sample in a batch) from app code to show ``message`` to the user.

    Unlike other exceptions, whose text is hidden unless ``launch(show_error=True)``, the message of
    an ``Error`` always reaches the browser or API client.
    """

    def __init__(
        self,
        message: str = "Error raised.",
        duration: float | None = 10,
        visible: bool = True,
        title: str = "Error",
        print_exception: bool = True,
    ) -> None:
        # Gradio's arguments, positional order included: the page shows the message as a toast for
        # ``duration`` seconds (None: until closed), or not at all when ``visible=False``.
        super().__init__(message)
        self.message = message
        self.duration = duration
        self.visible = visible
        self.title = title
        self.print_exception = print_exception


class InvalidInputError(CarpoolError):
    """A value sent for an input did not fit its component (wrong type, out of range, ...)."""

    def __init__(self, message: str, *, parameter: str | None = None) -> None:
        super().__init__(f"{parameter}: {message}" if parameter else message)
        self.message = message
        self.parameter = parameter


class BatchShapeError(CarpoolError):
    """A batched function returned something other than one sequence per output, one item per event."""


class QueueFullError(CarpoolError):
    """The queue holds ``max_size`` waiting events; try again after ``retry_after`` seconds."""

    def __init__(self, message: str = "The queue is full.", *, retry_after: float = 1.0) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class BatchTooLargeError(CarpoolError, ValueError):
    """A pre-batched call of more samples than ``limit`` (max_batch_size, the queue's max_size): waiting
    would never help, unlike :class:`QueueFullError`. Send at most ``limit`` samples at once."""

    def __init__(self, message: str, *, limit: int) -> None:
        super().__init__(message)
        self.limit = limit


class UnknownEndpointError(CarpoolError):
    """No endpoint (listener) with that name or index."""


class EventCancelledError(CarpoolError):
    """The event was cancelled before it produced its result."""


class EventExpiredError(CarpoolError):
    """The event waited past its ``timeout=`` (its deadline in the queue) and never ran."""


class EventTimeLimitError(CarpoolError):
    """The function ran past the listener's ``time_limit=``: its events failed and its slot was freed.

    An async function is cancelled; a sync one cannot be stopped from outside its thread, so it runs on
    in its worker thread and its result is dropped. (On the wire its error type is ``"timeout"``.)
    """


# The former name: the exception of ``time_limit=`` was called a timeout, which ``timeout=`` is not.
EventTimeoutError = EventTimeLimitError


class EngineClosedError(CarpoolError):
    """The engine is shutting down or closed: no new events, waiting events are failed with this."""


class FileAccessError(CarpoolError):
    """A file reference that does not resolve to a file this app may serve."""


class ConversionError(CarpoolError):
    """A media conversion worker process died (or its pool was shut down) while converting an event's
    values. Only the events whose values it held fail; the pool starts a fresh worker for the next one."""


class ClientError(CarpoolError):
    """Base of the errors raised by ``carpool.client``."""


class AppError(ClientError):
    """The app's function failed for this request; ``message`` is what the server chose to show."""

    def __init__(self, message: str, *, status_code: int | None = None, error_type: str | None = None):
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.error_type = error_type


class ProtocolError(ClientError):
    """The server answered in a way the carpool protocol does not allow."""


class AuthenticationError(ClientError):
    """The server requires a login (HTTP 401)."""
