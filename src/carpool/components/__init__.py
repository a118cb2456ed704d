"""Components, layouts and the file store (layer L1: data conversion, no HTTP, no engine).

See ``docs/components.md`` for the user-facing reference and ``docs/internals.md`` for the contract.
"""

from __future__ import annotations

from carpool.components.annotated_image import AnnotatedImage
from carpool.components.audio import Audio, WaveformOptions
from carpool.components.base import Block, Component, is_update, update
from carpool.components.browser_state import BrowserState
from carpool.components.buttons import ClearButton, DuplicateButton
from carpool.components.chatbot import Chatbot, ChatMessage
from carpool.components.choices import Checkbox, CheckboxGroup, Dropdown, Radio
from carpool.components.code import Code
from carpool.components.dataframe import DataFrame, Dataframe
from carpool.components.dataset import Dataset
from carpool.components.display import JSON, Button, Json, Label, State
from carpool.components.file_buttons import DownloadButton, UploadButton
from carpool.components.file_explorer import FileExplorer
from carpool.components.files import (
    DEFAULT_MAX_UPLOAD_BYTES,
    FileRecord,
    FileStore,
    FileTooLargeError,
    UploadWriter,
    current_file_session,
    current_file_store,
    file_data,
    set_static_paths,
    use_file_store,
)
from carpool.components.highlighted import HighlightedText
from carpool.components.html import HTML
from carpool.components.image import Gallery, Image
from carpool.components.image_editor import (
    Brush,
    Eraser,
    ImageEditor,
    ImageMask,
    LayerOptions,
    Paint,
    Sketchpad,
    WebcamOptions,
)
from carpool.components.image_slider import ImageSlider
from carpool.components.layouts import (
    Accordion,
    Column,
    Draggable,
    Group,
    Layout,
    Row,
    Sidebar,
    Step,
    Tab,
    TabItem,
    Tabs,
    Walkthrough,
)
from carpool.components.media import FILE_DATA_SCHEMA, File, FileComponent, Video
from carpool.components.model3d import Model3D
from carpool.components.multimodal import MultimodalTextbox
from carpool.components.numeric import Number, Slider
from carpool.components.paramviewer import ParamViewer
from carpool.components.pickers import ColorPicker, DateTime
from carpool.components.plot import Plot
from carpool.components.plots import BarPlot, LinePlot, NativePlot, ScatterPlot
from carpool.components.shortcuts import SHORTCUTS, get_component
from carpool.components.templates import Microphone, PlayableVideo
from carpool.components.text import Markdown, Text, TextArea, Textbox
from carpool.components.timer import Timer

__all__ = [
    "DEFAULT_MAX_UPLOAD_BYTES",
    "FILE_DATA_SCHEMA",
    "HTML",
    "JSON",
    "SHORTCUTS",
    "Accordion",
    "AnnotatedImage",
    "Audio",
    "BarPlot",
    "Block",
    "BrowserState",
    "Brush",
    "Button",
    "ChatMessage",
    "Chatbot",
    "Checkbox",
    "CheckboxGroup",
    "ClearButton",
    "Code",
    "ColorPicker",
    "Column",
    "Component",
    "DataFrame",
    "Dataframe",
    "Dataset",
    "DateTime",
    "DownloadButton",
    "Draggable",
    "Dropdown",
    "DuplicateButton",
    "Eraser",
    "File",
    "FileComponent",
    "FileExplorer",
    "FileRecord",
    "FileStore",
    "FileTooLargeError",
    "Gallery",
    "Group",
    "HighlightedText",
    "Image",
    "ImageEditor",
    "ImageMask",
    "ImageSlider",
    "Json",
    "Label",
    "LayerOptions",
    "Layout",
    "LinePlot",
    "Markdown",
    "Microphone",
    "Model3D",
    "MultimodalTextbox",
    "NativePlot",
    "Number",
    "Paint",
    "ParamViewer",
    "PlayableVideo",
    "Plot",
    "Radio",
    "Row",
    "ScatterPlot",
    "Sidebar",
    "Sketchpad",
    "Slider",
    "State",
    "Step",
    "Tab",
    "TabItem",
    "Tabs",
    "Text",
    "TextArea",
    "Textbox",
    "Timer",
    "UploadButton",
    "UploadWriter",
    "Video",
    "Walkthrough",
    "WaveformOptions",
    "WebcamOptions",
    "current_file_session",
    "current_file_store",
    "file_data",
    "get_component",
    "is_update",
    "set_static_paths",
    "update",
    "use_file_store",
]
