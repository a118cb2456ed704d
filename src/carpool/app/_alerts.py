"""``carpool.Info``, ``carpool.Warning``, ``carpool.Success``: notes a function leaves for the user.

Called inside a function the queue runs, each becomes a ``log`` message on the event's stream (the
page shows it as a toast; Gradio clients get Gradio's own ``log`` message); in a batched call, every
event of the batch gets it. Outside an event (``demo(...)`` called directly) there is nobody to tell:
as in Gradio, an info or success note is printed and a warning goes to :mod:`warnings`.
``carpool.Error`` (raised) is shown as an error toast by the page.
"""

from __future__ import annotations

import warnings

from carpool.core import report_log

__all__ = ["Info", "Success", "Warning"]


def _note(level: str, message: str, title: str, duration: float | None, visible: bool) -> None:
    if report_log(str(message), level=level, title=title, duration=duration, visible=visible):
        return
    if level == "warning":
        warnings.warn(str(message), UserWarning, stacklevel=3)
    else:
        print(message)


def Info(  # Gradio's name: a function that reads like a class
    message: str = "Info issued.", duration: float | None = 10, visible: bool = True, title: str = "Info"
) -> None:
    """Show ``message`` as an info toast for ``duration`` seconds (None or 0: until closed)."""
    _note("info", message, title, duration, visible)


def Warning(  # Gradio's name; it shadows the builtin only as carpool.Warning
    message: str = "Warning issued.",
    duration: float | None = 10,
    visible: bool = True,
    title: str = "Warning",
) -> None:
    """Show ``message`` as a warning toast for ``duration`` seconds (None or 0: until closed)."""
    _note("warning", message, title, duration, visible)


def Success(
    message: str = "Success.", duration: float | None = 10, visible: bool = True, title: str = "Success"
) -> None:
    """Show ``message`` as a success toast for ``duration`` seconds (None or 0: until closed)."""
    _note("success", message, title, duration, visible)
