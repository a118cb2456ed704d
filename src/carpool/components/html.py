"""``HTML``: the app's own markup -- static, or drawn from templates with its own JavaScript.

Plain use (``HTML("<p>hi</p>")``) inserts the markup as is. With Gradio 6's options it is a small custom
component: ``html_template`` and ``css_template`` are JavaScript template strings over ``value`` and the
component's other props (``${value}``, ``${max_stars}``: extra keyword arguments are props), the CSS is
scoped to the component, and ``js_on_load`` runs once with ``element``, ``props`` (setting
``props.value`` re-renders and changes the value), ``trigger(event, data)`` (``html.submit(...)``, or
any event name: ``html.keypress(...)``), ``server`` (each of ``server_functions`` as an async function)
and ``watch(names, callback)``.

The page allows no inline script (``script-src 'self'``), so this code is served as a module of the app
(``script_module()``, at ``/component/<id>/script.js``): it is the app author's code, loaded as the app's
own. Not supported: ``@children`` inside the template and ``upload`` in ``js_on_load`` (named in an
error), and ``head`` scripts from other sites (the page loads scripts only from the app).
"""

from __future__ import annotations

import json
import keyword
import re
from collections.abc import Callable, Sequence
from typing import Any, ClassVar

from carpool import _context
from carpool.components.base import Component, json_type_name
from carpool.components.display import JSON
from carpool.components.events import (
    DECORATOR,
    Blurrable,
    Changeable,
    Clickable,
    Focusable,
    Inputable,
    Submittable,
)
from carpool.components.text import text_output
from carpool.exceptions import InvalidInputError

__all__ = ["HTML"]

_IDENTIFIER = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")
_DEFAULT_TEMPLATE = "${value}"
_TRIGGERED = re.compile(r"""trigger\(\s*['"`]([A-Za-z_][A-Za-z0-9_]*)['"`]""")
# Names the module's functions use themselves; props with these names are reached through `props.`.
_RESERVED = frozenset({"value", "props", "element", "trigger", "server", "watch", "upload"})


def _template_source(template: str) -> str:
    if "@children" in template:
        raise ValueError("HTML(html_template=...) with @children is not supported by carpool yet")
    return template


def _escape_template(template: str) -> str:
    """The template as the body of a JS template literal: it is one already (Gradio's contract)."""
    return template


class HTML(Changeable, Inputable, Clickable, Submittable, Focusable, Blurrable, Component):
    """HTML inserted into the page as is: only ever show HTML the app itself wrote or escaped."""

    block_type: ClassVar[str] = "html"

    def __init__(
        self,
        value: Any = "",
        *,
        html_template: str = _DEFAULT_TEMPLATE,
        css_template: str = "",
        js_on_load: str | None = None,
        apply_default_css: bool = True,
        min_height: int | None = None,
        max_height: int | None = None,
        padding: bool = False,
        autoscroll: bool = False,
        head: str | None = None,
        server_functions: Sequence[Callable[..., Any]] | None = None,
        label: str | None = None,
        show_label: bool = False,
        container: bool = False,
        every: Any = None,
        inputs: Any = None,
        scale: int | None = None,
        min_width: int = 160,
        visible: bool = True,
        elem_id: str | None = None,
        elem_classes: list[str] | str | None = None,
        render: bool = True,
        key: Any = None,
        preserved_by_key: list[str] | str | None = "value",
        **props: Any,
    ) -> None:
        if "upload(" in (js_on_load or ""):
            raise ValueError("HTML(js_on_load=...) with upload() is not supported by carpool yet")
        self.html_template = _template_source(html_template)
        self.css_template = css_template
        self.js_on_load = js_on_load
        self.apply_default_css = apply_default_css
        self.min_height, self.max_height = min_height, max_height
        self.padding, self.autoscroll = padding, autoscroll
        self.head = head
        self.extra_props = self._checked_props(props)
        super().__init__(
            value,
            label=label,
            show_label=show_label,
            container=container,
            every=every,
            inputs=inputs,
            scale=scale,
            min_width=min_width,
            visible=visible,
            elem_id=elem_id,
            elem_classes=elem_classes,
            render=render,
            key=key,
            preserved_by_key=preserved_by_key,
        )
        self.server_functions = self._register_server_functions(server_functions or [])

    @staticmethod
    def _checked_props(props: dict[str, Any]) -> dict[str, Any]:
        for name, value in props.items():
            try:
                json.dumps(value)
            except (TypeError, ValueError) as error:
                raise TypeError(
                    f"HTML prop {name}= must be JSON-able (the page reads it): {error}"
                ) from error
        return props

    def _register_server_functions(self, functions: Sequence[Callable[..., Any]]) -> dict[str, int]:
        """Each server function becomes a hidden listener the page calls with ``[args]`` (JSON)."""
        if not functions:
            return {}
        registry = _context.current_registry()
        if registry is None:
            raise RuntimeError("HTML(server_functions=...) must be created inside a `with carpool.Blocks():`")
        found: dict[str, int] = {}
        for function in functions:
            name = getattr(function, "__name__", "")
            if not _IDENTIFIER.fullmatch(name) or keyword.iskeyword(name):
                raise ValueError(f"a server function needs a plain name, got {function!r}")

            def call(arguments: Any, function: Callable[..., Any] = function) -> Any:
                return function(*(arguments if isinstance(arguments, list) else [arguments]))

            holder_in, holder_out = JSON(render=False), JSON(render=False)
            dependency = registry.register_event(
                [], call, [holder_in], [holder_out], api_name=False, show_progress="hidden"
            )
            found[name] = dependency.index
        return found

    # -- values -----------------------------------------------------------------------------------

    @property
    def templated(self) -> bool:
        """Drawn by its own module (templates or JavaScript), not inserted as plain markup."""
        return bool(
            self.html_template != _DEFAULT_TEMPLATE
            or self.css_template
            or self.js_on_load
            or self.server_functions
            or self.extra_props
        )

    def preprocess(self, payload: Any) -> Any:
        if not self.templated and payload is not None and not isinstance(payload, str):
            raise InvalidInputError(f"HTML expects a string, got {json_type_name(payload)}")
        return payload

    def postprocess(self, value: Any) -> Any:
        if value is None:
            return None
        if not self.templated:
            return text_output(self, value)
        try:
            json.dumps(value)
        except (TypeError, ValueError) as error:
            raise TypeError(f"HTML output must be JSON-able for its template: {error}") from error
        return value

    def api_schema(self) -> dict[str, Any]:
        return {} if self.templated else {"type": "string"}

    def example_payload(self) -> Any:
        return "<p>Hello</p>"

    def component_props(self) -> dict[str, Any]:
        return {
            "templated": self.templated,
            "min_height": self.min_height,
            "max_height": self.max_height,
            "padding": self.padding,
            "autoscroll": self.autoscroll,
            "apply_default_css": self.apply_default_css,
            "head": self.head,
            "server_functions": self.server_functions,
            "props": self.extra_props,
        }

    # -- the module the page loads ----------------------------------------------------------------

    def script_module(self) -> str | None:
        """JavaScript the page imports for this component (None when it needs none)."""
        if not self.templated:
            return None
        names = [n for n in self.extra_props if _IDENTIFIER.fullmatch(n) and n not in _RESERVED]
        unpack = f"  const {{ {', '.join(names)} }} = props;\n" if names else ""
        on_load = self.js_on_load or ""
        html_body = _escape_template(self.html_template)
        css_body = _escape_template(self.css_template)
        return (
            "// carpool: the templates and js_on_load of an HTML component, as the app wrote them.\n"
            f"export function html(value, props) {{\n{unpack}  return `{html_body}`;\n}}\n"
            f"export function css(value, props) {{\n{unpack}  return `{css_body}`;\n}}\n"
            "export async function onLoad(element, props, trigger, server, watch) {\n"
            f"{on_load}\n}}\n"
        )

    # -- the events its JavaScript triggers -------------------------------------------------------

    def __getattr__(self, name: str) -> Any:
        # html.keypress(fn, ...) for trigger('keypress') in js_on_load: only names the code triggers,
        # so attribute probes (hasattr(html, "add_child")) stay false.
        js = self.__dict__.get("js_on_load") or ""
        if name.startswith("_") or name not in set(_TRIGGERED.findall(js)):
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

        def listen(fn: Any = DECORATOR, inputs: Any = None, outputs: Any = None, **options: Any) -> Any:
            return self._listen(name, fn, inputs, outputs, options)

        return listen
