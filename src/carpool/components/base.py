"""``Block`` (anything placed in a layout) and ``Component`` (a block that carries a value).

A component converts between the wire (JSON values sent by browsers and API clients) and Python:
``preprocess`` turns an input's wire value into what the function receives and rejects a value of the
wrong type with :class:`~carpool.exceptions.InvalidInputError`; ``postprocess`` turns a function's return
into the wire value and raises ``TypeError``/``ValueError`` when the function returned something the
component cannot show. ``get_config`` is what the front end renders, ``api_schema`` what API docs show.

The constructor arguments given explicitly are remembered, so a component built inside a function and
returned (``return cp.Textbox(visible=False)``) acts as an update of the output it is returned for.
"""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from carpool import _context
from carpool.components.events import Listenable

__all__ = ["Block", "Component", "is_update", "json_type_name", "update"]

logger = logging.getLogger("carpool.components")

# Shown on the page by a component whose initial value failed (the reason, which may hold a path, is
# in the server log only).
VALUE_ERROR = "The initial value could not be loaded (see the server log)."

UPDATE_TYPE = "update"


def update(**props: Any) -> dict[str, Any]:
    """A Gradio-3-style update for an output: ``return cp.update(visible=False, value="done")``."""
    return {"__type__": UPDATE_TYPE, **props}


def is_update(value: Any) -> bool:
    """Whether a function's return value is an update (from :func:`update` or a returned component)."""
    return isinstance(value, Block) or (isinstance(value, dict) and value.get("__type__") == UPDATE_TYPE)


def json_type_name(value: Any) -> str:
    """The JSON name of a wire value's type, for error messages ("expected a string, got number")."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list | tuple):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def _flatten_arguments(signature: inspect.Signature, arguments: Mapping[str, Any]) -> dict[str, Any]:
    """Bound arguments by name, ``**kwargs`` merged in and ``self`` left out."""
    flat: dict[str, Any] = {}
    for name, value in list(arguments.items())[1:]:
        if signature.parameters[name].kind is inspect.Parameter.VAR_KEYWORD:
            flat.update(value)
        else:
            flat[name] = value
    return flat


def _recording_explicit_args(init: Callable[..., None]) -> Callable[..., None]:
    """Wrap ``__init__`` to remember the arguments the caller actually passed (outermost call only)."""
    signature = inspect.signature(init)

    @functools.wraps(init)
    def wrapper(self: Block, *args: Any, **kwargs: Any) -> None:
        if "_explicit_args" not in self.__dict__:
            bound = signature.bind(self, *args, **kwargs)
            self.__dict__["_explicit_args"] = _flatten_arguments(signature, bound.arguments)
        init(self, *args, **kwargs)

    return wrapper


class Block(Listenable):
    """Anything placed in a layout: components and layouts.

    ``render=True`` (default) adds the new block to the innermost open ``with`` container, if any; a block
    created outside one (or with ``render=False``) can be placed later with :meth:`render`.
    """

    block_type: ClassVar[str] = "block"
    _explicit_args: dict[str, Any]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "__init__" in cls.__dict__:
            setattr(cls, "__init__", _recording_explicit_args(cls.__dict__["__init__"]))  # noqa: B010

    def __init__(
        self,
        *,
        visible: bool = True,
        elem_id: str | None = None,
        elem_classes: list[str] | str | None = None,
        render: bool = True,
        key: int | str | tuple[int | str, ...] | None = None,
        preserved_by_key: list[str] | str | None = "value",
    ) -> None:
        self.id: int = _context.next_block_id()
        # In a render function: the block with the same key in the next run keeps these properties.
        self.key = key
        self.preserved_by_key = (
            [preserved_by_key] if isinstance(preserved_by_key, str) else list(preserved_by_key or [])
        )
        self.visible = visible
        self.elem_id = elem_id
        self.elem_classes = [elem_classes] if isinstance(elem_classes, str) else list(elem_classes or [])
        self.parent: Any = None
        if render and _context.current_container() is not None:
            self.render()

    def render(self) -> Block:
        """Place this block in the innermost open ``with`` container (and register it with the Blocks)."""
        container = _context.current_container()
        if container is None:
            raise RuntimeError(f"{self!r}.render() must be called inside a `with carpool.Blocks():` block")
        if self.parent is container:
            return self
        self.parent = container
        self._attach(container)
        return self

    def _attach(self, container: Any) -> None:
        container.add_child(self)
        registry = _context.current_registry()
        if registry is not None:
            registry.add_block(self)

    def update_props(self) -> dict[str, Any]:
        """This block as an update: ``{"__type__": "update", ...the constructor args given explicitly}``.

        ``value``, if given, is the Python value: the app postprocesses it with the output it targets
        (see :meth:`Component.postprocess_update`).
        """
        props = {k: v for k, v in self._explicit_args.items() if k != "render"}
        return update(**props)

    def postprocess_update(self, update_: Mapping[str, Any]) -> dict[str, Any]:
        """An update returned for this block (a layout: ``Tabs(selected=1)``, ``Column(visible=False)``)
        in wire form; components also convert its ``value`` (:meth:`Component.postprocess_update`)."""
        wire: dict[str, Any] = {"__type__": UPDATE_TYPE}
        for name, value in update_.items():
            if name == "elem_classes" and isinstance(value, str):
                value = [value]
            if name != "__type__":
                wire[name] = value
        return wire

    def props(self) -> dict[str, Any]:
        """The JSON-able properties the front end needs to render this block."""
        common: dict[str, Any] = {
            "visible": self.visible,
            "elem_id": self.elem_id,
            "elem_classes": list(self.elem_classes),
        }
        if self.key is not None:
            common.update(key=self.key, preserved_by_key=self.preserved_by_key)
        return common

    def get_config(self) -> dict[str, Any]:
        return {"id": self.id, "type": self.block_type, "props": self.props()}

    def __repr__(self) -> str:
        label = getattr(self, "label", None)
        return f"{type(self).__name__}(id={self.id}{f', label={label!r}' if label else ''})"


class Component(Block):
    """A block with a value that can be a function's input or output."""

    block_type: ClassVar[str] = "component"
    stateful: ClassVar[bool] = False

    def __init__(
        self,
        value: Any = None,
        *,
        label: str | None = None,
        info: str | None = None,
        show_label: bool | None = None,
        container: bool = True,
        scale: int | None = None,
        min_width: int = 160,
        interactive: bool | None = None,
        visible: bool = True,
        elem_id: str | None = None,
        elem_classes: list[str] | str | None = None,
        render: bool = True,
        every: Any = None,
        inputs: Any = None,
        key: int | str | tuple[int | str, ...] | None = None,
        preserved_by_key: list[str] | str | None = "value",
    ) -> None:
        # Gradio's ``value=fn`` with ``inputs=`` and/or ``every=`` (seconds or a Timer): the value is
        # computed by a listener the app registers (on load, on a change of an input, on each tick).
        value_fn = value if callable(value) and (every is not None or inputs is not None) else None
        self.value = None if value_fn is not None else value
        self.label = label
        self.info = info
        self.show_label = show_label
        self.container = container
        self.scale = scale
        self.min_width = min_width
        self.interactive = interactive
        super().__init__(
            visible=visible,
            elem_id=elem_id,
            elem_classes=elem_classes,
            render=render,
            key=key,
            preserved_by_key=preserved_by_key,
        )
        if value_fn is not None:
            self._compute_value_with(value_fn, every, inputs)

    def _compute_value_with(self, fn: Callable[..., Any], every: Any, inputs: Any) -> None:
        registry = _context.current_registry()
        if registry is None:
            raise RuntimeError(
                f"{type(self).__name__}(value=fn, inputs=..., every=...) must be created inside a "
                "`with carpool.Blocks():` block"
            )
        registry.attach_value_fn(self, fn, every=every, inputs=inputs)

    # -- conversion (subclasses override) ---------------------------------------------------------

    def preprocess(self, payload: Any) -> Any:
        """Wire value -> the Python value the function receives; InvalidInputError on a wrong value."""
        return payload

    def postprocess(self, value: Any) -> Any:
        """The function's Python value -> wire value; TypeError/ValueError on a value it cannot show."""
        return value

    def api_schema(self) -> dict[str, Any]:
        """JSON schema of the wire value (for ``/info`` and OpenAPI)."""
        return {}

    def example_payload(self) -> Any:
        """A valid wire value, for API docs and snippets."""
        return None

    # -- config and updates -----------------------------------------------------------------------

    def config_value(self) -> Any:
        """The initial value in wire form (a callable ``value`` is called each time the config is built)."""
        value = self.value() if callable(self.value) else self.value
        return self.postprocess(value)

    def props(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "info": self.info,
            "show_label": True if self.show_label is None else self.show_label,
            "container": self.container,
            "scale": self.scale,
            "min_width": self.min_width,
            "interactive": self.interactive,
            **super().props(),
            **self.component_props(),
            **self._initial_value_props(),
        }

    def _initial_value_props(self) -> dict[str, Any]:
        """``{"value": ...}`` for the page, or an empty value and a mark when the default cannot be shown.

        A default that fails (a missing file, a URL, a callable that raises) must not take the whole
        page down with it: the page renders, the component says its value is missing, the log says why.
        """
        try:
            return {"value": self.config_value()}
        except Exception as error:  # one component's default must never make / and /config fail
            if not self.__dict__.get("_value_error_logged"):
                self.__dict__["_value_error_logged"] = True
                logger.warning("%r: initial value %.200r cannot be shown: %s", self, self.value, error)
            return {"value": None, "value_error": VALUE_ERROR}

    def component_props(self) -> dict[str, Any]:
        """Properties specific to this kind of component (choices, lines, min/max, ...)."""
        return {}

    def wire_prop(self, name: str, value: Any) -> Any:
        """A property of an update in the form the front end reads (e.g. choices as [label, value])."""
        if name == "elem_classes" and isinstance(value, str):
            return [value]
        return value

    def postprocess_update(self, update_: Mapping[str, Any]) -> dict[str, Any]:
        """An update returned for this output, in wire form: ``value`` postprocessed, props normalised."""
        wire: dict[str, Any] = {"__type__": UPDATE_TYPE}
        for name, value in update_.items():
            if name == "__type__":
                continue
            wire[name] = self.postprocess(value) if name == "value" else self.wire_prop(name, value)
        return wire
