"""``Interface``: a whole app from one function -- inputs on the left, outputs on the right.

Sugar over :class:`Blocks`: the layout, a Submit button wired to ``fn`` (its API name is the function's,
as in Gradio 6, with ``predict`` as an alias), Clear (back to the initial values) and Stop (cancels the
submitted event), optional examples under the inputs, and Gradio's flagging (a Flag button under the
outputs writing a CSV log, see ``_flagging``).
``live=True`` runs on every change instead of on Submit.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any, Literal

from carpool import _context
from carpool.app._blocks import Blocks
from carpool.app._dependency import Dependency
from carpool.app._examples import Examples
from carpool.app._flagging import CSVLogger, FlaggingCallback, flag_options
from carpool.app._flagging import flagging_mode as resolve_flagging_mode
from carpool.app._options import DEFAULT
from carpool.app._request import Request
from carpool.app._signature import fn_kind, fn_name
from carpool.components import Accordion, Button, Column, Component, Markdown, Row, get_component

__all__ = ["PREDICT", "Interface"]

PREDICT = "predict"  # the name every Interface endpoint also answers to

# Gradio 4's name of flagging_mode, same values
_OLD_FLAGGING = "allow_flagging"


def _components(spec: Any) -> list[Component]:
    if spec is None:
        return []
    items = spec if isinstance(spec, list | tuple) else [spec]
    return [get_component(item) for item in items]


def _parameter_names(fn: Callable[..., Any]) -> list[str]:
    try:
        parameters = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):  # builtins and some C callables have no signature
        return []
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return [p.name for p in parameters if p.kind in positional]


def _default_labels(fn: Callable[..., Any], inputs: list[Component], outputs: list[Component]) -> None:
    """Unlabelled components take the function's parameter names, and "output" (numbered if several),
    as in Gradio: the label is also the accessible name in the page and the parameter name in the API docs.
    """
    for component, name in zip(inputs, _parameter_names(fn), strict=False):  # *args: fewer names
        if component.label is None:
            component.label = name
    for index, component in enumerate(outputs):
        if component.label is None:
            component.label = "output" if len(outputs) == 1 else f"output {index}"


def _place(components: list[Component]) -> None:
    for component in components:
        component.render()


class Interface(Blocks):
    def __init__(
        self,
        fn: Callable[..., Any],
        inputs: Any,
        outputs: Any,
        examples: list[Any] | None = None,
        cache_examples: bool | str = False,
        title: str | None = None,
        description: str | None = None,
        article: str | None = None,
        batch: bool = False,
        max_batch_size: int = 4,
        batch_timeout: float | str = "auto",
        api_name: str | Literal[False] | None = None,
        live: bool = False,
        additional_inputs: Any = None,
        additional_inputs_accordion: str | None = None,
        submit_btn: str = "Submit",
        stop_btn: str = "Stop",
        clear_btn: str | None = "Clear",
        concurrency_limit: int | str | None = "default",
        concurrency_id: str | None = None,
        oom_errors: tuple[type[BaseException], ...] = (),
        examples_per_page: int = 10,
        theme: Any = None,
        css: str | None = None,
        flagging_mode: Literal["never", "auto", "manual"] | None = None,
        flagging_options: list[str] | list[tuple[str, str]] | None = None,
        flagging_dir: str = ".gradio/flagged",
        flagging_callback: FlaggingCallback | None = None,
        **kwargs: Any,
    ) -> None:
        old_mode = kwargs.pop(_OLD_FLAGGING, None)
        self.flagging_mode = resolve_flagging_mode(flagging_mode if flagging_mode is not None else old_mode)
        self.flagging_options = flag_options(flagging_options)
        self.flagging_dir = flagging_dir
        self.flagging_callback = flagging_callback if flagging_callback is not None else CSVLogger()
        super().__init__(title=title or fn_name(fn), theme=theme, css=css, **kwargs)
        self.fn = fn
        self.description = description
        self.article = article
        self.live = live
        self.input_components = _components(inputs)
        self.additional_inputs = _components(additional_inputs)
        self.output_components = _components(outputs)
        _default_labels(fn, self.all_inputs, self.output_components)
        # Gradio 6 names the endpoint after the function; "/predict" (carpool's and Gradio 3's name)
        # still answers, as an alias.
        event_options: dict[str, Any] = {
            "api_name": DEFAULT if api_name is None else api_name,
            "batch": batch,
            "max_batch_size": max_batch_size,
            "batch_timeout": batch_timeout,
            "concurrency_limit": concurrency_limit,
            "concurrency_id": concurrency_id,
            "oom_errors": oom_errors,
        }
        enclosing = _context.current_registry()  # an Interface built inside another app is part of it
        with self:
            self._build(title, additional_inputs_accordion, submit_btn, stop_btn, clear_btn, event_options)
            if examples:
                with self.input_column:
                    self.examples = Examples(
                        examples,
                        self.all_inputs,
                        self.output_components,
                        cache_examples=cache_examples,
                        examples_per_page=examples_per_page,
                        dependency=self.submit_dependency,
                    )
            if article:
                Markdown(article)
        if isinstance(enclosing, Blocks):
            self.render()

    @property
    def all_inputs(self) -> list[Component]:
        return self.input_components + self.additional_inputs

    def _build(
        self,
        title: str | None,
        accordion_label: str | None,
        submit_label: str,
        stop_label: str,
        clear_label: str | None,
        event_options: dict[str, Any],
    ) -> None:
        if title:
            Markdown(f"# {title}")
        if self.description:
            Markdown(self.description)
        with Row():
            with Column() as self.input_column:
                _place(self.input_components)
                if self.additional_inputs:
                    with Accordion(accordion_label or "Additional Inputs", open=False):
                        _place(self.additional_inputs)
                with Row():
                    clear = Button(clear_label, variant="secondary") if clear_label else None
                    stop = Button(stop_label, variant="stop") if stop_label else None
                    submit = None if self.live else Button(submit_label, variant="primary")
            with Column():
                _place(self.output_components)
                flag_buttons = self._flag_buttons()
        self.submit_dependency = self._wire_run(submit, event_options)
        self._wire_flagging(flag_buttons)
        if self.submit_dependency.api_name not in (None, PREDICT):
            self.submit_dependency.aliases.append(PREDICT)
        if stop is not None:
            stop.click(None, None, None, cancels=[self.submit_dependency])
        if clear is not None:
            self._wire_clear(clear)

    def _wire_run(self, submit: Button | None, options: dict[str, Any]) -> Dependency:
        triggers: list[tuple[Any, str]]
        if self.live:
            triggers = [
                (component, "change") for component in self.all_inputs if hasattr(component, "change")
            ]
        else:
            triggers = [(submit, "click")] + [
                (component, "submit") for component in self.input_components if hasattr(component, "submit")
            ]
        return self.register_event(triggers, self.fn, self.all_inputs, self.output_components, **options)

    def _wire_clear(self, clear: Button) -> None:
        """Clear puts every input and output back to its initial value (State is left alone)."""
        targets = [c for c in self.all_inputs + self.output_components if not getattr(c, "stateful", False)]

        def initial_values() -> Any:
            values = tuple(c.value() if callable(c.value) else c.value for c in targets)
            return values[0] if len(values) == 1 else values

        clear.click(initial_values, None, targets, api_name=None, queue=False, show_progress="hidden")

    def _flag_buttons(self) -> list[Button]:
        if self.flagging_mode != "manual" or not self.output_components:
            return []
        with Row():
            return [Button(label, variant="secondary", size="sm") for label, _ in self.flagging_options]

    def _wire_flagging(self, buttons: list[Button]) -> None:
        """Flag buttons (manual) or a flag after every successful run (auto), to the flagging callback."""
        if self.flagging_mode == "never" or not self.output_components:
            return
        components = self.all_inputs + self.output_components
        self.flagging_callback.setup(components, self.flagging_dir)
        hidden: dict[str, Any] = {"api_name": False, "queue": False, "show_progress": "hidden"}
        if self.flagging_mode == "auto":
            self.submit_dependency.success(
                _flagger(self.flagging_callback, None, None), components, None, preprocess=False, **hidden
            )
        for button, (label, value) in zip(buttons, self.flagging_options, strict=False):  # none: auto
            saving = button.click(
                lambda: Button(value="Saving...", interactive=False), None, button, **hidden
            )
            saving.then(
                _flagger(self.flagging_callback, label, value), components, button, preprocess=False, **hidden
            )

    @property
    def is_generator(self) -> bool:
        return fn_kind(self.fn).is_generator

    def __repr__(self) -> str:
        counts = f"inputs={len(self.all_inputs)}, outputs={len(self.output_components)}"
        return f"Interface(fn={fn_name(self.fn)}, {counts})"


def _flagger(callback: FlaggingCallback, label: str | None, value: str | None) -> Callable[..., Any]:
    """The listener function of one flag button (``label``) or of auto flagging (no label)."""

    def flag(request: Request, *values: Any) -> Any:
        callback.flag(list(values), flag_option=value, username=request.username)
        return None if label is None else Button(value=label, interactive=True)

    flag.__name__ = "flag"
    return flag
