"""``carpool.EventData`` and its kinds: what the page says about the event that triggered a listener.

A function declares a parameter annotated with one of these (``def on_like(data: carpool.LikeData)``)
and receives it, built from the ``event_data`` the page sent with the event (``POST /queue/join``) and
the component that fired it (``target``). Names and attributes follow Gradio's.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import SimpleNamespace
from typing import Any

from carpool.core.progress import current_sink

__all__ = [
    "EVENT_DATA_CLASSES",
    "CopyData",
    "DeletedFileData",
    "EditData",
    "EventData",
    "KeyUpData",
    "LikeData",
    "RetryData",
    "SelectData",
    "UndoData",
    "current_event_data",
]


class EventData:
    """The event behind a call: ``target`` (the component that fired it) and the page's data."""

    def __init__(self, target: Any, data: Any) -> None:
        self.target = target
        self._data: dict[str, Any] = dict(data) if isinstance(data, Mapping) else {}

    def __getattr__(self, name: str) -> Any:
        # only called for attributes not set in __init__: the page's own fields, by name
        data = self.__dict__.get("_data", {})
        if name in data:
            return data[name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __repr__(self) -> str:
        return f"{type(self).__name__}(target={self.target!r}, data={self._data!r})"


class SelectData(EventData):
    """A ``.select()`` (also ``example_select`` / ``option_select``): ``index``, ``value``, ``selected``."""

    def __init__(self, target: Any, data: Any) -> None:
        super().__init__(target, data)
        self.index: Any = self._data.get("index")
        self.value: Any = self._data.get("value")
        self.row_value: Any = self._data.get("row_value")
        self.col_value: Any = self._data.get("col_value")
        self.selected: bool = bool(self._data.get("selected", True))


class LikeData(EventData):
    """A Chatbot ``.like()``: the message's ``index`` and ``value``, ``liked`` (True/False or the option)."""

    def __init__(self, target: Any, data: Any) -> None:
        super().__init__(target, data)
        self.index: int | tuple[int, int] = self._data.get("index", 0)
        self.value: Any = self._data.get("value")
        self.liked: bool | str = self._data.get("liked", True)


class RetryData(EventData):
    """A Chatbot ``.retry()``: ``index`` and ``value`` of the message the user asked to answer again."""

    def __init__(self, target: Any, data: Any) -> None:
        super().__init__(target, data)
        self.index: int | tuple[int, int] = self._data.get("index", 0)
        self.value: Any = self._data.get("value")


class UndoData(EventData):
    """A Chatbot ``.undo()``: ``index`` and ``value`` of the user message taken back."""

    def __init__(self, target: Any, data: Any) -> None:
        super().__init__(target, data)
        self.index: int | tuple[int, int] = self._data.get("index", 0)
        self.value: Any = self._data.get("value")


class EditData(EventData):
    """A Chatbot ``.edit()``: ``index``, the new ``value`` and the ``previous_value`` of the message."""

    def __init__(self, target: Any, data: Any) -> None:
        super().__init__(target, data)
        self.index: int | tuple[int, int] = self._data.get("index", 0)
        self.value: Any = self._data.get("value")
        self.previous_value: Any = self._data.get("previous_value")


class CopyData(EventData):
    """A ``.copy()`` (Textbox, Markdown, Chatbot): the ``value`` the user copied."""

    def __init__(self, target: Any, data: Any) -> None:
        super().__init__(target, data)
        self.value: Any = self._data.get("value")


class DeletedFileData(EventData):
    """A File ``.delete()``: ``file``, the removed file's record as the page sent it (``file.path`` is
    its id in the app's file store, ``file.orig_name`` its name)."""

    def __init__(self, target: Any, data: Any) -> None:
        super().__init__(target, data)
        record = self._data.get("file")
        self.file: Any = SimpleNamespace(**record) if isinstance(record, dict) else record


class KeyUpData(EventData):
    """A Dropdown ``.key_up()``: the ``key`` released and the text typed so far (``input_value``)."""

    def __init__(self, target: Any, data: Any) -> None:
        super().__init__(target, data)
        self.key: str = str(self._data.get("key", ""))
        self.input_value: str = str(self._data.get("input_value", ""))


# by name, for annotations that stay strings (``from __future__ import annotations``, ``"gr.LikeData"``)
EVENT_DATA_CLASSES: dict[str, type[EventData]] = {
    cls.__name__: cls
    for cls in (
        CopyData,
        DeletedFileData,
        EditData,
        EventData,
        KeyUpData,
        LikeData,
        RetryData,
        SelectData,
        UndoData,
    )
}


def current_event_data() -> dict[str, Any]:
    """The page's event data for the event now running (empty outside one, or when the page sent none).

    For the app's own listeners (ChatInterface's); an author's function asks by annotation instead.
    """
    sink = current_sink.get()
    job = sink.jobs[0] if sink is not None and sink.jobs else None
    data = (job.context or {}).get("event_data") if job is not None else None
    return dict(data) if isinstance(data, Mapping) else {}
