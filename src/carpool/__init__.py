"""carpool: turn Python functions into a web app and an HTTP API whose queue batches concurrent requests.

``import carpool as cp`` (or ``as gr``: names follow Gradio's where the concept is the same). The root
package re-exports the public API of each layer and wires the app layer to the server, which the app layer
may not import itself (see docs/internals.md).
"""

from __future__ import annotations

from typing import Any

from carpool import app as _app
from carpool import server as _server
from carpool import themes
from carpool.app import (
    Blocks,
    ChatInterface,
    EditData,
    EventData,
    Examples,
    Interface,
    LikeData,
    Progress,
    Request,
    RetryData,
    SelectData,
    TabbedInterface,
    UndoData,
    on,
    render,
    update,
)
from carpool.client import AsyncClient, Client, handle_file
from carpool.components import (
    HTML,
    JSON,
    Accordion,
    Audio,
    BarPlot,
    BrowserState,
    Button,
    Chatbot,
    ChatMessage,
    Checkbox,
    CheckboxGroup,
    ClearButton,
    Code,
    ColorPicker,
    Column,
    DataFrame,
    Dataframe,
    DateTime,
    DownloadButton,
    Dropdown,
    DuplicateButton,
    File,
    Gallery,
    Group,
    HighlightedText,
    Image,
    Label,
    LinePlot,
    Markdown,
    MultimodalTextbox,
    Number,
    Plot,
    Radio,
    Row,
    ScatterPlot,
    Sidebar,
    Slider,
    State,
    Tab,
    TabItem,
    Tabs,
    Text,
    TextArea,
    Textbox,
    Timer,
    UploadButton,
    Video,
)
from carpool.core import FINISHED, Done, Stepwise
from carpool.exceptions import (
    AppError,
    AuthenticationError,
    BatchShapeError,
    BatchTooLargeError,
    CarpoolError,
    EngineClosedError,
    Error,
    EventCancelledError,
    EventExpiredError,
    EventTimeLimitError,
    EventTimeoutError,
    InvalidInputError,
    QueueFullError,
    UnknownEndpointError,
)
from carpool.remote import load
from carpool.server import mount_app, mount_gradio_app

__version__ = "0.1.0"

__all__ = [
    "FINISHED",
    "HTML",
    "JSON",
    "Accordion",
    "AppError",
    "AsyncClient",
    "Audio",
    "AuthenticationError",
    "BarPlot",
    "BatchShapeError",
    "BatchTooLargeError",
    "Blocks",
    "BrowserState",
    "Button",
    "CarpoolError",
    "ChatInterface",
    "ChatMessage",
    "Chatbot",
    "Checkbox",
    "CheckboxGroup",
    "ClearButton",
    "Client",
    "Code",
    "ColorPicker",
    "Column",
    "DataFrame",
    "Dataframe",
    "DateTime",
    "Done",
    "DownloadButton",
    "Dropdown",
    "DuplicateButton",
    "EditData",
    "EngineClosedError",
    "Error",
    "EventCancelledError",
    "EventData",
    "EventExpiredError",
    "EventTimeLimitError",
    "EventTimeoutError",
    "Examples",
    "File",
    "Gallery",
    "Group",
    "HighlightedText",
    "Image",
    "Interface",
    "InvalidInputError",
    "Label",
    "LikeData",
    "LinePlot",
    "Markdown",
    "MultimodalTextbox",
    "Number",
    "Plot",
    "Progress",
    "QueueFullError",
    "Radio",
    "Request",
    "RetryData",
    "Row",
    "ScatterPlot",
    "SelectData",
    "Sidebar",
    "Slider",
    "State",
    "Stepwise",
    "Tab",
    "TabItem",
    "TabbedInterface",
    "Tabs",
    "Text",
    "TextArea",
    "Textbox",
    "Timer",
    "UndoData",
    "UnknownEndpointError",
    "UploadButton",
    "Video",
    "__version__",
    "handle_file",
    "load",
    "mount_app",
    "mount_gradio_app",
    "on",
    "render",
    "themes",
    "update",
]

_app.set_launcher(_server.launch)


def __getattr__(name: str) -> Any:
    # carpool.scale needs the optional Ray dependency: import it only when asked for (and keep it out
    # of __all__, so `from carpool import *` works without Ray).
    if name == "RayPool":
        from carpool.scale import RayPool

        return RayPool
    raise AttributeError(f"module 'carpool' has no attribute {name!r}")
