"""``get_component``: the string shortcuts of ``Interface(inputs="text", outputs="label")``."""

from __future__ import annotations

from collections.abc import Callable

from carpool.components.annotated_image import AnnotatedImage
from carpool.components.audio import Audio
from carpool.components.base import Component
from carpool.components.chatbot import Chatbot
from carpool.components.choices import Checkbox, CheckboxGroup, Dropdown, Radio
from carpool.components.code import Code
from carpool.components.dataframe import Dataframe
from carpool.components.display import JSON, Button, Label, State
from carpool.components.highlighted import HighlightedText
from carpool.components.html import HTML
from carpool.components.image import Gallery, Image
from carpool.components.image_editor import ImageEditor, ImageMask, Paint, Sketchpad
from carpool.components.image_slider import ImageSlider
from carpool.components.media import File, Video
from carpool.components.model3d import Model3D
from carpool.components.multimodal import MultimodalTextbox
from carpool.components.numeric import Number, Slider
from carpool.components.pickers import ColorPicker, DateTime
from carpool.components.plot import Plot
from carpool.components.plots import BarPlot, LinePlot, ScatterPlot
from carpool.components.templates import Microphone, PlayableVideo
from carpool.components.text import Markdown, Textbox

__all__ = ["SHORTCUTS", "get_component"]

# Each builds a fresh, unrendered component: the app places it where it belongs.
SHORTCUTS: dict[str, Callable[[], Component]] = {
    "textbox": lambda: Textbox(render=False),
    "text": lambda: Textbox(render=False),
    "textarea": lambda: Textbox(lines=7, render=False),
    "number": lambda: Number(render=False),
    "slider": lambda: Slider(render=False),
    "checkbox": lambda: Checkbox(render=False),
    "checkboxgroup": lambda: CheckboxGroup(render=False),
    "dropdown": lambda: Dropdown(render=False),
    "radio": lambda: Radio(render=False),
    "label": lambda: Label(render=False),
    "json": lambda: JSON(render=False),
    "markdown": lambda: Markdown(render=False),
    "html": lambda: HTML(render=False),
    "image": lambda: Image(render=False),
    "audio": lambda: Audio(render=False),
    "video": lambda: Video(render=False),
    "file": lambda: File(render=False),
    "files": lambda: File(file_count="multiple", render=False),
    "gallery": lambda: Gallery(render=False),
    "state": lambda: State(render=False),
    "button": lambda: Button(render=False),
    "dataframe": lambda: Dataframe(render=False),
    "lineplot": lambda: LinePlot(render=False),
    "barplot": lambda: BarPlot(render=False),
    "scatterplot": lambda: ScatterPlot(render=False),
    "plot": lambda: Plot(render=False),
    "code": lambda: Code(render=False),
    "colorpicker": lambda: ColorPicker(render=False),
    "datetime": lambda: DateTime(render=False),
    "highlightedtext": lambda: HighlightedText(render=False),
    "chatbot": lambda: Chatbot(render=False),
    "multimodaltextbox": lambda: MultimodalTextbox(render=False),
    "highlight": lambda: HighlightedText(render=False),
    "numpy": lambda: Dataframe(type="numpy", render=False),
    "matrix": lambda: Dataframe(type="array", render=False),
    "list": lambda: Dataframe(type="array", column_count=1, render=False),
    "model3d": lambda: Model3D(render=False),
    "microphone": lambda: Microphone(render=False),
    "playablevideo": lambda: PlayableVideo(render=False),
    "imageeditor": lambda: ImageEditor(render=False),
    "sketchpad": lambda: Sketchpad(render=False),
    "paint": lambda: Paint(render=False),
    "imagemask": lambda: ImageMask(render=False),
    "imageslider": lambda: ImageSlider(render=False),
    "annotatedimage": lambda: AnnotatedImage(render=False),
}


def get_component(spec: str | Component | type[Component]) -> Component:
    """A component from a shortcut name (case-insensitive), a component class, or a component itself."""
    if isinstance(spec, Component):
        return spec
    if isinstance(spec, type) and issubclass(spec, Component):
        return spec(render=False)
    if isinstance(spec, str):
        name = spec.strip().lower()
        # As in Gradio, a class name in any case and with underscores works too ("playable_video").
        factory = SHORTCUTS.get(name) or SHORTCUTS.get(name.replace("_", ""))
        if factory is not None:
            return factory()
        raise ValueError(f"unknown component {spec!r}; valid names: {', '.join(sorted(SHORTCUTS))}")
    raise TypeError(f"expected a component, a component class or a name, got {type(spec).__name__}")
