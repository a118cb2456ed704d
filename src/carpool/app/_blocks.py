"""``Blocks``: the app. A ``with`` block collects components, layouts and event listeners.

While its ``with`` block runs, a ``Blocks`` is both the root container (new blocks attach to it or to a
layout inside it) and the event registry (``button.click(...)`` lands in :meth:`register_event`). After
it, the Blocks is an app spec the server reads: ``config()``, ``dependencies``, ``endpoint()``,
``listener_configs()``, ``api_info()``, ``queue_settings`` (contract in docs/internals.md).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Literal

from carpool import _context
from carpool.app import _api, _config, _nesting, _value_fn
from carpool.app._dependency import Dependency
from carpool.app._direct import call_direct
from carpool.app._launcher import get_launcher
from carpool.app._options import DEFAULT, parse_options
from carpool.app._signature import fn_name
from carpool.app._theme import resolve_theme
from carpool.app._unsupported import refuse_unsupported, warn_ignored
from carpool.components import Block
from carpool.components.events import DECORATOR
from carpool.core import ListenerConfig
from carpool.exceptions import UnknownEndpointError

__all__ = ["Blocks", "QueueSettings"]


@dataclass(kw_only=True)
class QueueSettings:
    default_concurrency_limit: int | None = 1
    max_size: int | None = None
    api_open: bool = True
    status_update_rate: float | Literal["auto"] = "auto"


class Blocks:
    """An app built from components, layouts and event listeners: ``with carpool.Blocks() as demo:``."""

    def __init__(
        self,
        title: str = "carpool",
        theme: Any = None,
        css: str | None = None,
        js: str | None = None,
        head: str | None = None,
        analytics_enabled: bool | None = None,
        fill_height: bool = False,
        fill_width: bool = False,
        **ignored: Any,
    ) -> None:
        warn_ignored("Blocks", ignored)
        self.title = title
        self.theme = resolve_theme(theme)
        self.css = css
        self.js = js
        self.head = head
        self.analytics_enabled = bool(analytics_enabled)  # carpool collects no analytics either way
        self.fill_height = fill_height
        self.fill_width = fill_width
        self.description: str | None = None
        self.article: str | None = None
        self.id = 0  # the root of the layout tree
        self.blocks: dict[int, Block] = {}
        self.children: list[Block] = []
        self.placed: list[Block] = []  # blocks in the order they were placed in a container
        self.dependencies: list[Dependency] = []
        self.queue_settings = QueueSettings()
        self.server: Any = None  # what the launcher returned, while serving
        self._api_names: set[str] = set()
        self._open: ExitStack | None = None
        self.rendered_into: Blocks | None = None  # the app this one was rendered in, if any
        self._watched: tuple[int, frozenset[int]] = (-1, frozenset())  # (dependencies seen, State ids)
        self.outer: Blocks | None = None  # for a render run's private app: the app it renders into
        # Blocks made by render runs that serve a script (an HTML's templates), while some run holds them.
        self.rendered: weakref.WeakValueDictionary[int, Block] = weakref.WeakValueDictionary()

    # -- the with block: container and registry ---------------------------------------------------

    def __enter__(self) -> Blocks:
        stack = ExitStack()
        stack.enter_context(_context.open_container(self))
        stack.enter_context(_context.open_registry(self))
        self._open = stack
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        stack, self._open = self._open, None
        if stack is not None:
            stack.close()

    def add_child(self, block: Block) -> None:
        self.children.append(block)

    def render(self) -> Blocks:
        """Place this app (layout and listeners) in the app whose ``with`` block is open, where it is open."""
        outer, container = _context.current_registry(), _context.current_container()
        if not isinstance(outer, Blocks) or container is None:
            raise RuntimeError(f"{self!r}.render() must be called inside another app's `with` block")
        _nesting.render_into(outer, self, container)
        return self

    def clear(self) -> Blocks:
        """Forget the layout and listeners built so far (Gradio's ``with demo.clear():`` starts afresh)."""
        self.blocks = {}
        self.children = []
        self.placed = []
        self.dependencies = []
        self._api_names = set()
        self._watched = (-1, frozenset())
        return self

    def add_block(self, block: Block) -> None:
        self.blocks[block.id] = block
        if block in self.placed:  # rendered again elsewhere: it moves
            self.placed.remove(block)
        self.placed.append(block)

    def register_event(
        self,
        triggers: list[tuple[Any, str]],
        fn: Callable[..., Any] | None,
        inputs: Any,
        outputs: Any,
        **options: Any,
    ) -> Dependency:
        """Record one listener; called by the components' event methods, ``on`` and chaining."""
        return self.register_dependency(Dependency, triggers, fn, inputs, outputs, {}, **options)

    def register_dependency(
        self,
        kind: type[Dependency],
        triggers: list[tuple[Any, str]],
        fn: Callable[..., Any] | None,
        inputs: Any,
        outputs: Any,
        fields: dict[str, Any],
        **options: Any,
    ) -> Dependency:
        """Record one listener of the given kind (a Dependency subclass taking ``fields`` too)."""
        parsed = parse_options(options, [event for _, event in triggers])
        input_blocks, inputs_as_dict = self._blocks_of(inputs, "inputs")
        output_blocks, _ = self._blocks_of(outputs, "outputs")
        cancels = [self._own_dependency(dep) for dep in parsed.cancels]
        if parsed.trigger_after is not None:
            self._own_dependency(self.dependencies[parsed.trigger_after])
        dependency = kind(
            **fields,
            index=len(self.dependencies),
            registry=self,
            targets=[(self._target_id(block), event) for block, event in triggers],
            fn=fn,
            inputs=input_blocks,
            outputs=output_blocks,
            inputs_as_dict=inputs_as_dict,
            api_name=self._unique_api_name(parsed.api_name, fn),
            options=parsed,
            cancels=cancels,
        )
        _api.warn_on_arity_mismatch(dependency)
        self.dependencies.append(dependency)
        return dependency

    def attach_value_fn(self, component: Block, fn: Callable[..., Any], *, every: Any, inputs: Any) -> None:
        """A component with ``value=fn`` and ``inputs=``/``every=``: one listener recomputes its value."""
        _value_fn.attach(self, component, fn, every, inputs)

    def load(self, fn: Any = DECORATOR, inputs: Any = None, outputs: Any = None, **options: Any) -> Any:
        """Run ``fn`` when a page opens the app (and every ``every`` seconds, if given).

        Without ``fn`` it is a decorator: ``@demo.load(inputs=..., outputs=...)``.
        """
        if fn is DECORATOR:

            def register(function: Callable[..., Any]) -> Callable[..., Any]:
                self.load(function, inputs, outputs, **options)
                return function

            return register
        if isinstance(fn, str):  # Gradio 3's Blocks.load(name) loaded an app; it registers a listener here
            raise TypeError(
                f"Blocks.load(fn, inputs, outputs) runs fn when the page opens; to load the app at "
                f"{fn!r}, use carpool.load({fn!r})"
            )
        return self.register_event([(self, "load")], fn, inputs, outputs, **options)

    def unload(self, fn: Callable[..., Any], **options: Any) -> Dependency:
        """Run ``fn`` (no inputs or outputs; it may ask for a ``Request``) when a page of the app closes
        or reloads: the page tells the server as it goes (``POST /queue/unload``)."""
        options.setdefault("api_name", None)
        return self.register_event([(self, "unload")], fn, None, None, **options)

    def _target_id(self, block: Any) -> int:
        return 0 if block is self else int(block.id)

    def _blocks_of(self, value: Any, what: str) -> tuple[list[Block], bool]:
        """The components of an ``inputs``/``outputs`` argument, and whether it was a set."""
        if value is None:
            return [], False
        as_set = isinstance(value, set | frozenset)
        items = sorted(value, key=lambda b: b.id) if as_set else value
        blocks = list(items) if isinstance(items, list | tuple) else [items]
        for block in blocks:
            if not isinstance(block, Block):
                raise TypeError(f"{what} must be components, got {block!r}")
            self.blocks.setdefault(block.id, block)  # used but never placed: still known to the page
        return blocks, as_set

    def _own_dependency(self, dep: Any) -> Dependency:
        if not isinstance(dep, Dependency) or dep.registry is not self:
            raise ValueError(f"{dep!r} is not an event listener of this app")
        return dep

    def unique_api_name(self, name: str | None) -> str | None:
        """``name``, or ``name_1``, ``name_2``... if this app has it already (None stays None)."""
        return None if name is None else self._unique_api_name(name, None)

    def _unique_api_name(self, requested: Any, fn: Callable[..., Any] | None) -> str | None:
        if requested is None or requested is False or (requested is DEFAULT and fn is None):
            return None
        base = fn_name(fn) if requested is DEFAULT and fn is not None else str(requested).strip("/")
        name, suffix = base, 0
        while name in self._api_names:
            suffix += 1
            name = f"{base}_{suffix}"
        self._api_names.add(name)
        return name

    # -- the app spec the server reads ------------------------------------------------------------

    def config(self) -> dict[str, Any]:
        """The ``GET /config`` body (docs/protocol.md)."""
        return _config.app_config(self)

    def component_script(self, block_id: int) -> str | None:
        """The JavaScript module a component of this app serves to the page (an HTML's templates),
        also for one a ``@render`` run made."""
        script = getattr(self.blocks.get(block_id) or self.rendered.get(block_id), "script_module", None)
        return script() if callable(script) else None

    def watched_states(self) -> frozenset[int]:
        """Ids of the State components some listener watches for ``change``."""
        if self.outer is not None:
            return self.outer.watched_states()
        if self._watched[0] != len(self.dependencies):
            ids = {target for dep in self.dependencies for target, event in dep.targets if event == "change"}
            states = frozenset(i for i in ids if getattr(self.blocks.get(i), "stateful", False))
            self._watched = (len(self.dependencies), states)
        return self._watched[1]

    @property
    def fns(self) -> dict[int, Dependency]:
        """Every listener by index (Gradio's name): ``demo.fns[0].fn`` is the function it runs."""
        return {dependency.index: dependency for dependency in self.dependencies}

    def endpoint(self, name_or_index: str | int) -> Dependency:
        """The dependency with that api_name (leading "/" allowed) or index; UnknownEndpointError if none."""
        if isinstance(name_or_index, int) and not isinstance(name_or_index, bool):
            if 0 <= name_or_index < len(self.dependencies):
                return self.dependencies[name_or_index]
        elif isinstance(name_or_index, str):
            name = name_or_index.strip("/")
            for dependency in self.dependencies:
                if dependency.api_name == name:
                    return dependency
            for dependency in self.dependencies:  # a real name wins over another listener's alias
                if name in dependency.aliases and dependency.api_name is not None:
                    return dependency
        raise UnknownEndpointError(f"No endpoint named {name_or_index!r}.")

    def listener_configs(self) -> list[ListenerConfig]:
        """One engine listener per dependency that runs a function."""
        limit = self.queue_settings.default_concurrency_limit
        return [dep.listener_config(limit) for dep in self.dependencies if dep.backend_fn]

    def api_info(self) -> dict[str, Any]:
        """The ``GET /info`` body: every API endpoint with typed parameters and returns."""
        return _api.api_info(self)

    async def cache_examples(self, engine: Any) -> None:
        """Compute the outputs of every ``Examples(cache_examples=True)`` (the server calls this at start)."""
        for block in list(self.blocks.values()):
            cache = getattr(block, "compute_cache", None)
            if cache is not None:
                await cache(engine)

    # -- running ----------------------------------------------------------------------------------

    def queue(
        self,
        default_concurrency_limit: int | None = 1,
        max_size: int | None = None,
        api_open: bool = True,
        status_update_rate: float | Literal["auto"] = "auto",
        **ignored: Any,
    ) -> Blocks:
        """Queue settings for the server; returns the app so calls chain: ``demo.queue().launch()``."""
        warn_ignored("queue()", ignored)
        if default_concurrency_limit is not None and default_concurrency_limit < 1:
            raise ValueError("default_concurrency_limit must be >= 1 or None")
        if max_size is not None and max_size < 1:
            raise ValueError("max_size must be >= 1 or None")
        self.queue_settings = QueueSettings(
            default_concurrency_limit=default_concurrency_limit,
            max_size=max_size,
            api_open=api_open,
            status_update_rate=status_update_rate,
        )
        return self

    def launch(
        self,
        server_name: str = "127.0.0.1",
        server_port: int | None = None,
        prevent_thread_lock: bool = False,
        auth: Any = None,
        show_error: bool = False,
        share: bool = False,
        quiet: bool = False,
        max_file_size: int | str | None = None,
        allowed_paths: list[str] | None = None,
        blocked_paths: list[str] | None = None,
        root_path: str = "",
        **kwargs: Any,
    ) -> str:
        """Serve the app and return its local URL.

        Blocks until the server stops unless ``prevent_thread_lock=True``.
        """
        refuse_unsupported("launch()", kwargs)
        self._take_page_options(kwargs)
        if share:
            warn_ignored("launch()", ["share"])
        launcher = get_launcher()
        self.server = launcher(
            self,
            server_name=server_name,
            server_port=server_port,
            prevent_thread_lock=prevent_thread_lock,
            auth=auth,
            show_error=show_error,
            quiet=quiet,
            max_file_size=max_file_size,
            allowed_paths=allowed_paths,
            blocked_paths=blocked_paths,
            root_path=root_path,
            **kwargs,
        )
        return self.local_url or ""

    def _take_page_options(self, options: dict[str, Any]) -> None:
        """Gradio 6 takes ``theme``, ``css``, ``js`` and ``head`` in ``launch()``: they set the app's."""
        if "theme" in options:
            self.theme = resolve_theme(options.pop("theme"), stacklevel=4)
        for name in ("css", "js", "head"):
            if name in options:
                setattr(self, name, options.pop(name))

    @property
    def local_url(self) -> str | None:
        return getattr(self.server, "local_url", None)

    def close(self) -> None:
        """Stop the server started by :meth:`launch` (no-op when none runs)."""
        server, self.server = self.server, None
        if server is not None:
            server.close()

    def __call__(self, *args: Any, api_name: str | None = None, fn_index: int | None = None) -> Any:
        """Call ONE sample of an endpoint in-process, with Python values: ``demo("abc", 1) == "a"``."""
        return call_direct(self._direct_target(api_name, fn_index), args)

    def _direct_target(self, api_name: str | None, fn_index: int | None) -> Dependency:
        if fn_index is not None:
            return self.endpoint(fn_index)
        if api_name is not None:
            return self.endpoint(api_name)
        for dependency in self.dependencies:
            if dependency.backend_fn and dependency.api_name is not None:
                return dependency
        raise UnknownEndpointError("This app has no endpoint to call.")

    def __repr__(self) -> str:
        return f"{type(self).__name__}(title={self.title!r}, blocks={len(self.blocks)})"
