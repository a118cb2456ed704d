"""``Examples``: sample inputs shown as a table under the inputs; a click fills them in.

The table's rows travel in wire form (each value through its input's ``postprocess``), so the page fills
an input exactly as if a function had output that value. With ``cache_examples=True`` the outputs are
computed once when the server starts, through the engine -- a batched function sees them in real
batches of up to ``max_batch_size``, like any burst of users -- and ride along in ``/config``, so a click
shows them at once.

In ``/config`` the block is ``{"type": "examples", "props": {"samples", "inputs", "outputs",
"cached_outputs", "run_on_click", ...}}``. A click fills ``inputs`` with ``samples[i]`` (and ``outputs``
with ``cached_outputs[i]`` when cached), then fires the block's ``click`` event: the listener registered
for it runs the function only when ``run_on_click`` is set and nothing is cached.
"""

from __future__ import annotations

import asyncio
import logging
import os
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

from carpool import _context
from carpool.app._dependency import Dependency
from carpool.app._session import SessionState
from carpool.components import Block, FileComponent, MultimodalTextbox, current_file_store
from carpool.exceptions import Error

__all__ = ["Examples"]

logger = logging.getLogger("carpool.app")


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def _row(example: Any, n_inputs: int) -> list[Any]:
    is_row = isinstance(example, list | tuple)
    # One input: a flat list of values is fine (``examples=["a", "b"]``), and so is a list value
    # for a list-valued input (``[["x", "y"]]`` for a CheckboxGroup).
    if n_inputs == 1 and not (is_row and len(example) == 1):
        return [example]
    if not is_row:
        raise TypeError(f"example {example!r} must be a list of {n_inputs} values, one per input")
    return list(example)


def _rows(examples: Any, n_inputs: int) -> list[list[Any]]:
    """One list per example, one value per input (a row shorter than the inputs is padded with None)."""
    if not isinstance(examples, list | tuple):
        raise TypeError(f"examples must be a list of examples, got {type(examples).__name__}")
    rows = []
    for example in examples:
        row = _row(example, n_inputs)
        if len(row) > n_inputs:
            # As in Gradio (examples read from a flagging log carry outputs too): the rest is not used.
            warnings.warn(
                f"example {row!r:.200} has {len(row)} values but there are {n_inputs} inputs: "
                f"only the first {n_inputs} are used",
                UserWarning,
                stacklevel=4,
            )
            row = row[:n_inputs]
        rows.append(row + [None] * (n_inputs - len(row)))
    return rows


def _allow_example_files(store: Any, inputs: list[Any], rows: list[list[Any]]) -> None:
    """Let the store serve the files the author named as examples of file inputs (those exact files).

    Examples are written by the app's author, so a path there is as deliberate as ``allowed_paths``;
    Gradio apps commonly give ``examples=[["cat.jpg"]]``. Blocked paths stay blocked.
    """
    for row in rows:
        for block, value in zip(inputs, row, strict=True):
            if isinstance(block, FileComponent | MultimodalTextbox):
                for path in _named_files(value):
                    if path not in store.allowed_paths:
                        store.allowed_paths.append(path)


def _named_files(value: Any) -> list[Path]:
    """The existing files an example value names: a path, or paths inside lists and dicts (a Gallery's
    images, an ImageEditor's layers, a MultimodalTextbox's files)."""
    if isinstance(value, str | os.PathLike):
        path = Path(value).resolve()
        return [path] if path.is_file() else []
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list | tuple):
        return [path for item in value for path in _named_files(item)]
    return []


def _wire_cell(block: Any, value: Any) -> Any:
    """One example value in wire form; one that cannot be shown (a missing file) is left empty, so the
    page still renders (the reason goes to the server log)."""
    if getattr(block, "stateful", False):
        return None
    try:
        return block.postprocess(value)
    except Exception as error:
        logger.warning("example value %.200r of %r cannot be shown: %s", value, block, error)
        return None


class Examples(Block):
    block_type: ClassVar[str] = "examples"

    def __init__(
        self,
        examples: Any,
        inputs: Any,
        outputs: Any = None,
        fn: Callable[..., Any] | None = None,
        cache_examples: bool | str = False,
        run_on_click: bool = False,
        label: str | None = "Examples",
        examples_per_page: int = 10,
        batch: bool = False,
        *,
        max_batch_size: int = 4,
        dependency: Dependency | None = None,
        **common: Any,
    ) -> None:
        """``dependency``: run (and cache) through this existing listener instead of registering one."""
        registry = _context.current_registry()
        if registry is None:
            raise RuntimeError("Examples(...) must be created inside a `with carpool.Blocks():` block")
        self.inputs = _as_list(inputs)
        self.outputs = _as_list(outputs)
        self.fn = fn  # Gradio's attribute: the function the examples run
        self.examples = _rows(examples, len(self.inputs))
        self.cache = bool(cache_examples)  # Gradio's "lazy" also caches here: at start, all at once
        self.run_on_click = run_on_click
        self.label = label
        self.examples_per_page = examples_per_page
        self.cached_outputs: list[list[Any]] | None = None
        self._samples: tuple[Any, list[list[Any]]] | None = None  # (file store, wire rows)
        super().__init__(**common)
        self.run = dependency or self._register_run(registry, fn, batch, max_batch_size)
        if self.cache and self.run is None:
            raise ValueError("cache_examples=True needs fn (and outputs) to compute the outputs with")
        self._wire_click(registry)

    def _register_run(
        self, registry: Any, fn: Callable[..., Any] | None, batch: bool, max_batch_size: int
    ) -> Dependency | None:
        if fn is None:
            return None
        return registry.register_event(  # type: ignore[no-any-return]
            [], fn, self.inputs, self.outputs, api_name=None, batch=batch, max_batch_size=max_batch_size
        )

    def _wire_click(self, registry: Any) -> None:
        if self.run is not None and self.run_on_click and not self.cache:
            self.run.targets.append((self.id, "click"))
        if self.cache:
            # Fetch one cached output by example index, for clients that did not read /config.
            self.cached_output_dependency: Dependency = registry.register_event(
                [],
                self._cached_output,
                [self],
                self.outputs,
                api_name=None,
                queue=False,
                preprocess=False,
                postprocess=False,
            )

    def _cached_output(self, index: Any) -> Any:
        if self.cached_outputs is None:
            raise Error("The examples' outputs are not cached yet.")
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(self.cached_outputs):
            raise Error(f"There is no example {index!r}.")
        row = self.cached_outputs[index]
        return row[0] if len(row) == 1 else tuple(row)

    # -- wire form and caching --------------------------------------------------------------------

    def samples(self) -> list[list[Any]]:
        """The examples in wire form, computed once per file store (file examples get ids in it)."""
        store = current_file_store()
        if self._samples is None or self._samples[0] is not store:
            _allow_example_files(store, self.inputs, self.examples)
            rows = [
                [_wire_cell(block, value) for block, value in zip(self.inputs, row, strict=True)]
                for row in self.examples
            ]
            self._samples = (store, rows)
        return self._samples[1]

    async def compute_cache(self, engine: Any) -> None:
        """Run every example through the engine (in batches, for a batched fn) and keep the outputs."""
        if not self.cache or self.run is None or self.cached_outputs is not None:
            return
        run, session = self.run, SessionState()
        prepared = [run.preprocess(sample, session) for sample in self.samples()]
        if run.batch:
            size = run.max_batch_size
            chunks = [prepared[i : i + size] for i in range(0, len(prepared), size)]
            jobs = [
                job for chunk in chunks for job in engine.submit_batch(run.listener_id, chunk, context={})
            ]
        else:
            jobs = [engine.submit(run.listener_id, sample, context={}) for sample in prepared]
        results = await asyncio.gather(*(job.result() for job in jobs), return_exceptions=True)
        for index, result in enumerate(results):
            if isinstance(result, BaseException):
                raise RuntimeError(f"caching example {index} of {run.name} failed: {result}") from result
        self.cached_outputs = [run.postprocess(result, session) for result in results]

    def props(self) -> dict[str, Any]:
        return {
            **super().props(),
            "label": self.label,
            "headers": [getattr(block, "label", None) for block in self.inputs],
            "component_types": [getattr(block, "block_type", None) for block in self.inputs],
            "inputs": [block.id for block in self.inputs],
            "outputs": [block.id for block in self.outputs],
            "samples": self.samples(),
            "cached_outputs": self.cached_outputs,
            "examples_per_page": self.examples_per_page,
            "run_on_click": self.run_on_click,
        }
