"""Event listener methods, one small mixin per family of events (names as in Gradio).

A listener call such as ``button.click(fn, inputs, outputs, batch=True)`` only records the wish: it hands
the trigger and every keyword option, untouched, to the open ``Blocks`` (the current
:class:`carpool._context.EventRegistry`) and returns what that returns (the app's ``Dependency``, which
has ``.then``/``.success``/``.failure``). Components never interpret ``api_name``, ``batch``, ``cancels``
and friends, so a new option of the app layer needs no change here.

Called without ``fn`` (``@button.click(inputs=..., outputs=...)``), a listener is a decorator.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from carpool import _context

__all__ = [
    "DECORATOR",
    "Appliable",
    "Blurrable",
    "Changeable",
    "Clearable",
    "Clickable",
    "Collapsible",
    "Copyable",
    "Endable",
    "Focusable",
    "Inputable",
    "KeyUppable",
    "Listenable",
    "Playable",
    "Recordable",
    "Releasable",
    "Selectable",
    "Streamable",
    "Submittable",
    "Tickable",
    "Uploadable",
]


class _Decorator:
    def __repr__(self) -> str:
        return "DECORATOR"


# Default of ``fn``: ``None`` must stay expressible because a cancel-only listener passes ``fn=None``.
DECORATOR: Final = _Decorator()

Fn = Callable[..., Any] | None | _Decorator


class Listenable:
    """Base of the mixins: routes a listener call to the open event registry."""

    def _listen(self, event: str, fn: Fn, inputs: Any, outputs: Any, options: dict[str, Any]) -> Any:
        if isinstance(fn, _Decorator):
            return self._listen_decorator(event, inputs, outputs, options)
        registry = _context.current_registry()
        if registry is None:
            raise RuntimeError(
                f"{type(self).__name__}.{event}(...) must be called inside a `with carpool.Blocks():` block"
            )
        return registry.register_event([(self, event)], fn, inputs, outputs, **options)

    def _listen_decorator(
        self, event: str, inputs: Any, outputs: Any, options: dict[str, Any]
    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        def register(fn: Callable[..., Any]) -> Callable[..., Any]:
            self._listen(event, fn, inputs, outputs, options)
            return fn

        return register


class Changeable(Listenable):
    def change(self, fn: Fn = DECORATOR, inputs: Any = None, outputs: Any = None, **options: Any) -> Any:
        """Runs when the value changes, by the user or by a function's output."""
        return self._listen("change", fn, inputs, outputs, options)


class Inputable(Listenable):
    def input(self, fn: Fn = DECORATOR, inputs: Any = None, outputs: Any = None, **options: Any) -> Any:
        """Runs when the user changes the value (not when a function's output does)."""
        return self._listen("input", fn, inputs, outputs, options)


class Submittable(Listenable):
    def submit(self, fn: Fn = DECORATOR, inputs: Any = None, outputs: Any = None, **options: Any) -> Any:
        """Runs when the user presses Enter in the field."""
        return self._listen("submit", fn, inputs, outputs, options)


class Focusable(Listenable):
    def focus(self, fn: Fn = DECORATOR, inputs: Any = None, outputs: Any = None, **options: Any) -> Any:
        """Runs when the field gains focus."""
        return self._listen("focus", fn, inputs, outputs, options)


class Blurrable(Listenable):
    def blur(self, fn: Fn = DECORATOR, inputs: Any = None, outputs: Any = None, **options: Any) -> Any:
        """Runs when the field loses focus."""
        return self._listen("blur", fn, inputs, outputs, options)


class Selectable(Listenable):
    def select(self, fn: Fn = DECORATOR, inputs: Any = None, outputs: Any = None, **options: Any) -> Any:
        """Runs when the user selects an item (a choice, a tab, a gallery image, ...)."""
        return self._listen("select", fn, inputs, outputs, options)


class Copyable(Listenable):
    def copy(self, fn: Fn = DECORATOR, inputs: Any = None, outputs: Any = None, **options: Any) -> Any:
        """Runs when the user copies the value with the copy button (``carpool.CopyData``: value)."""
        return self._listen("copy", fn, inputs, outputs, options)


class Clickable(Listenable):
    def click(self, fn: Fn = DECORATOR, inputs: Any = None, outputs: Any = None, **options: Any) -> Any:
        """Runs when the user clicks."""
        return self._listen("click", fn, inputs, outputs, options)


class Uploadable(Listenable):
    def upload(self, fn: Fn = DECORATOR, inputs: Any = None, outputs: Any = None, **options: Any) -> Any:
        """Runs when the user has uploaded a file."""
        return self._listen("upload", fn, inputs, outputs, options)


class Clearable(Listenable):
    def clear(self, fn: Fn = DECORATOR, inputs: Any = None, outputs: Any = None, **options: Any) -> Any:
        """Runs when the user clears the value (the x button)."""
        return self._listen("clear", fn, inputs, outputs, options)


class Releasable(Listenable):
    def release(self, fn: Fn = DECORATOR, inputs: Any = None, outputs: Any = None, **options: Any) -> Any:
        """Runs when the user releases the slider handle."""
        return self._listen("release", fn, inputs, outputs, options)


class Playable(Listenable):
    def play(self, fn: Fn = DECORATOR, inputs: Any = None, outputs: Any = None, **options: Any) -> Any:
        """Runs when playback starts."""
        return self._listen("play", fn, inputs, outputs, options)

    def pause(self, fn: Fn = DECORATOR, inputs: Any = None, outputs: Any = None, **options: Any) -> Any:
        """Runs when playback is paused."""
        return self._listen("pause", fn, inputs, outputs, options)

    def stop(self, fn: Fn = DECORATOR, inputs: Any = None, outputs: Any = None, **options: Any) -> Any:
        """Runs when playback stops (the user stopped it or it reached the end)."""
        return self._listen("stop", fn, inputs, outputs, options)


class Endable(Listenable):
    def end(self, fn: Fn = DECORATOR, inputs: Any = None, outputs: Any = None, **options: Any) -> Any:
        """Runs when playback reaches the end."""
        return self._listen("end", fn, inputs, outputs, options)


class Recordable(Listenable):
    def start_recording(
        self, fn: Fn = DECORATOR, inputs: Any = None, outputs: Any = None, **options: Any
    ) -> Any:
        """Runs when the user starts recording (microphone or webcam)."""
        return self._listen("start_recording", fn, inputs, outputs, options)

    def pause_recording(
        self, fn: Fn = DECORATOR, inputs: Any = None, outputs: Any = None, **options: Any
    ) -> Any:
        """Runs when the user pauses a recording."""
        return self._listen("pause_recording", fn, inputs, outputs, options)

    def stop_recording(
        self, fn: Fn = DECORATOR, inputs: Any = None, outputs: Any = None, **options: Any
    ) -> Any:
        """Runs when a recording stopped and became the value."""
        return self._listen("stop_recording", fn, inputs, outputs, options)


class Streamable(Listenable):
    stream_every: float = 0.5  # seconds between the frames a streaming webcam Image sends

    def stream(self, fn: Fn = DECORATOR, inputs: Any = None, outputs: Any = None, **options: Any) -> Any:
        """Runs on each frame of a streaming webcam Image, or each chunk of a streaming microphone Audio
        (every ``stream_every`` seconds, 0.5 by default)."""
        every = options.pop("stream_every", None)
        if every is not None:
            if isinstance(every, bool) or not isinstance(every, int | float) or every <= 0:
                raise ValueError(f"stream_every must be a positive number of seconds, got {every!r}")
            self.stream_every = float(every)
        return self._listen("stream", fn, inputs, outputs, options)


class Collapsible(Listenable):
    def expand(self, fn: Fn = DECORATOR, inputs: Any = None, outputs: Any = None, **options: Any) -> Any:
        """Runs when the user opens the accordion."""
        return self._listen("expand", fn, inputs, outputs, options)

    def collapse(self, fn: Fn = DECORATOR, inputs: Any = None, outputs: Any = None, **options: Any) -> Any:
        """Runs when the user closes the accordion."""
        return self._listen("collapse", fn, inputs, outputs, options)


class Tickable(Listenable):
    def tick(self, fn: Fn = DECORATOR, inputs: Any = None, outputs: Any = None, **options: Any) -> Any:
        """Runs every time the timer ticks (while it is active)."""
        return self._listen("tick", fn, inputs, outputs, options)


class Appliable(Listenable):
    def apply(self, fn: Fn = DECORATOR, inputs: Any = None, outputs: Any = None, **options: Any) -> Any:
        """Runs when the user applies an edit (an image editor's finished stroke or new layer)."""
        return self._listen("apply", fn, inputs, outputs, options)


class KeyUppable(Listenable):
    def key_up(self, fn: Fn = DECORATOR, inputs: Any = None, outputs: Any = None, **options: Any) -> Any:
        """Runs when the user releases a key in the field (``KeyUpData``: ``key``, ``input_value``)."""
        return self._listen("key_up", fn, inputs, outputs, options)
