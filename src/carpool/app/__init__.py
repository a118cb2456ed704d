"""The authoring API (layer L2): Blocks, Interface, event listeners, Examples, Progress, Request.

An app built here is an app spec the server reads (``config()``, ``endpoint()``, ``listener_configs()``,
``api_info()``; see docs/internals.md) and a function you can call directly (``demo("abc", 1)``).
``launch()`` reaches the server through :func:`set_launcher`, since this layer may not import it.
"""

from __future__ import annotations

from carpool.app._alerts import Info, Success, Warning
from carpool.app._blocks import Blocks, QueueSettings
from carpool.app._cache import Cache, cache
from carpool.app._chat import ChatInterface
from carpool.app._dependency import Dependency
from carpool.app._event_data import (
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
from carpool.app._events import on
from carpool.app._examples import Examples
from carpool.app._flagging import CSVLogger, FlaggingCallback
from carpool.app._interface import Interface
from carpool.app._launcher import get_launcher, set_launcher
from carpool.app._progress import Progress
from carpool.app._render import render
from carpool.app._request import Request
from carpool.app._session import SessionState, SessionStore
from carpool.app._tabbed import TabbedInterface
from carpool.app._validation import skip, validate
from carpool.components import update

__all__ = [
    "Blocks",
    "CSVLogger",
    "Cache",
    "ChatInterface",
    "CopyData",
    "DeletedFileData",
    "Dependency",
    "EditData",
    "EventData",
    "Examples",
    "FlaggingCallback",
    "Info",
    "Interface",
    "KeyUpData",
    "LikeData",
    "Progress",
    "QueueSettings",
    "Request",
    "RetryData",
    "SelectData",
    "SessionState",
    "SessionStore",
    "Success",
    "TabbedInterface",
    "UndoData",
    "Warning",
    "cache",
    "get_launcher",
    "on",
    "render",
    "set_launcher",
    "skip",
    "update",
    "validate",
]
