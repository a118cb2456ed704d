"""The keyword options of an event listener, checked once when the listener is registered.

``button.click(fn, inputs, outputs, **options)`` passes the options through untouched (components do not
interpret them); this module is where they get their defaults and where a bad value fails loudly, at
build time, instead of at the first request.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field, fields
from typing import Any, Literal

__all__ = ["DEFAULT", "EventOptions", "parse_options"]

TriggerMode = Literal["once", "multiple", "always_last"]
ShowProgress = Literal["full", "minimal", "hidden"]

# Events that fire while the user is still typing/dragging: only the latest matters.
_ALWAYS_LAST_EVENTS = frozenset({"change", "input", "release", "stream"})  # "stream": drop stale frames

# Accepted so Gradio apps run unchanged; they change nothing here (the front end decides these).
_IGNORED_OPTIONS = frozenset(
    {
        "scroll_to_output",
        "show_progress_on",
        "key",
        "stream_every",
        "api_description",
        "api_visibility",
        "connection",
    }
)


class _Default:
    def __repr__(self) -> str:
        return "DEFAULT"


DEFAULT: Any = _Default()  # "not given": for api_name (None means "no API") and concurrency_limit


@dataclass(kw_only=True)
class EventOptions:
    api_name: Any = DEFAULT  # str, None/False (not in the API), or DEFAULT (the function's name)
    show_api: bool = True
    batch: bool = False
    max_batch_size: int = 4
    batch_timeout: float | Literal["auto"] = "auto"  # the best at every point measured (docs/batching.md)
    concurrency_limit: Any = "default"  # int, None (unlimited) or "default" (the queue's default)
    concurrency_id: str | None = None
    cancels: list[Any] = field(default_factory=list)
    queue: bool = True
    show_progress: ShowProgress = "full"
    trigger_mode: TriggerMode | None = None
    preprocess: bool = True
    postprocess: bool = True
    every: float | None = None
    js: str | None = None
    timeout: float | None = None  # seconds an event may wait in the queue
    time_limit: float | None = None  # seconds its function may run (Gradio's name)
    fairness: Literal["fifo", "session"] = "fifo"
    on_batch_error: Literal["split", "fail"] = "split"
    pad_to_multiple: int | None = None
    # carpool-only, next to Gradio's batch options: errors that mean "this batch was too big" (besides
    # MemoryError and torch's/CUDA's out-of-memory errors, known by name), which cap later batches
    oom_errors: tuple[type[BaseException], ...] = ()
    chat: bool = False  # carpool-only: inputs are [message, history, *extra], output 0 the reply
    validator: Any = None  # called with the inputs first; carpool.validate(...) results (app/_validation)
    # set by .then/.success/.failure, not by users
    trigger_after: int | None = None
    trigger_only_on_success: bool = False
    trigger_only_on_failure: bool = False


_KNOWN = frozenset(f.name for f in fields(EventOptions))


def parse_options(options: dict[str, Any], events: list[str]) -> EventOptions:
    """Validated options; ``events`` are the trigger names, which pick the default ``trigger_mode``."""
    unknown = set(options) - _KNOWN - _IGNORED_OPTIONS
    if unknown:
        raise TypeError(f"unexpected event listener option(s): {', '.join(sorted(unknown))}")
    ignored = set(options) & _IGNORED_OPTIONS
    if ignored:
        warnings.warn(f"ignored event listener option(s): {', '.join(sorted(ignored))}", stacklevel=4)
    parsed = EventOptions(**{k: v for k, v in options.items() if k in _KNOWN})
    parsed.cancels = _as_list(parsed.cancels)
    if isinstance(parsed.oom_errors, type | list):  # one class, or a list of them
        parsed.oom_errors = tuple(_as_list(parsed.oom_errors))
    if parsed.trigger_mode is None:
        always_last = bool(events) and all(event in _ALWAYS_LAST_EVENTS for event in events)
        parsed.trigger_mode = "always_last" if always_last else "once"
    _validate(parsed)
    return parsed


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, list | tuple | set):
        return list(value)
    return [value]


def _validate(options: EventOptions) -> None:
    _check(
        options.validator is None or (callable(options.validator) and not options.batch),
        "validator must be a function (and the listener not batch=True)",
    )
    _check(isinstance(options.chat, bool), f"chat must be True or False, got {options.chat!r}")
    _check(
        isinstance(options.max_batch_size, int) and options.max_batch_size >= 1,
        f"max_batch_size must be an int >= 1, got {options.max_batch_size!r}",
    )
    timeout = options.batch_timeout
    _check(
        timeout == "auto" or (isinstance(timeout, int | float) and timeout >= 0),
        f"batch_timeout must be a number >= 0 or 'auto', got {timeout!r}",
    )
    limit = options.concurrency_limit
    _check(
        limit is None or limit == "default" or (isinstance(limit, int) and limit >= 1),
        f"concurrency_limit must be an int >= 1, None or 'default', got {limit!r}",
    )
    _check(
        options.trigger_mode in ("once", "multiple", "always_last"),
        f"trigger_mode must be 'once', 'multiple' or 'always_last', got {options.trigger_mode!r}",
    )
    _check(
        options.show_progress in ("full", "minimal", "hidden"),
        f"show_progress must be 'full', 'minimal' or 'hidden', got {options.show_progress!r}",
    )
    _check(
        options.every is None or (isinstance(options.every, int | float) and options.every > 0),
        f"every must be a positive number of seconds, got {options.every!r}",
    )
    oom = options.oom_errors
    _check(
        isinstance(oom, tuple) and all(isinstance(k, type) and issubclass(k, BaseException) for k in oom),
        f"oom_errors must be a tuple of exception classes, got {oom!r}",
    )
    for name in ("timeout", "time_limit"):
        value = getattr(options, name)
        _check(
            value is None or (isinstance(value, int | float) and value > 0),
            f"{name} must be a positive number of seconds, got {value!r}",
        )


def _check(ok: bool, message: str) -> None:
    if not ok:
        raise ValueError(message)
