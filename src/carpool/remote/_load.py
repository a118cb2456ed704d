"""``carpool.load(url)``: a local app whose endpoints call a running carpool or Gradio app.

Each public endpoint of the remote app becomes a listener of the same ``api_name`` with local copies of
its input and output components, so the loaded app can be launched with its page, called as a function
(``demo("x")``), served to API clients, or called from a listener of another app.

Batching across the wire: a remote endpoint that batches gets a local listener that batches too (same
``max_batch_size``), and each local batch crosses as ONE pre-batched call to a carpool app; a Gradio app
takes no pre-batched calls, so its items go concurrently and its own queue batches them again. A remote
endpoint that does not batch gets an unlimited local listener: items go concurrently and wait in the
remote's queue, not in ours. A remote generator streams: each partial output is passed on as it comes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from carpool import _context
from carpool.app import Blocks
from carpool.components import Button, Markdown, Tab
from carpool.remote._components import local_component
from carpool.remote._remote import Remote, connect
from carpool.remote._spec import RemoteEndpoint

__all__ = ["RemoteBlocks", "load"]


class RemoteBlocks(Blocks):
    """The app ``load`` builds; ``remote`` is the connection its functions call through."""

    remote: Remote

    def disconnect(self) -> None:
        """Close the connections to the remote app (its functions fail afterwards)."""
        self.remote.close()


def load(
    name: str,
    src: str | None = None,
    *,
    headers: dict[str, str] | None = None,
    **ignored: Any,
) -> RemoteBlocks:
    """The running app at URL ``name`` (``"http://127.0.0.1:7860/"``) as a local carpool app.

    Works for carpool apps and Gradio 4+ apps. Hugging Face names (``"models/..."``, ``"spaces/..."``,
    or ``src="models"``) are not supported: carpool loads apps it can reach by URL. Called inside
    ``with Blocks():``, the remote's UI is also placed there, as Gradio does.
    """
    if not isinstance(name, str) or not name.startswith(("http://", "https://")) or src is not None:
        raise ValueError(
            f"carpool.load takes the URL of a running carpool or Gradio app (http://host:port/), got "
            f"{name!r}{f' with src={src!r}' if src is not None else ''}; Hugging Face model and Space "
            "names are not supported"
        )
    remote = connect(name, headers=headers)
    inside_another_app = _context.current_registry() is not None
    if inside_another_app:
        _place_all(remote)  # the enclosing app gets the remote's UI and endpoints too
    demo = RemoteBlocks(title=remote.title or remote.url)
    demo.remote = remote
    with demo:
        _place_all(remote)
    return demo


def _place_all(remote: Remote) -> None:
    if not remote.endpoints:
        Markdown(f"The app at {remote.url} has no public API endpoints.")
    for endpoint in remote.endpoints:
        if len(remote.endpoints) == 1:
            _place(remote, endpoint)
        else:
            with Tab(endpoint.api_name):
                _place(remote, endpoint)


def _place(remote: Remote, endpoint: RemoteEndpoint) -> None:
    inputs = [local_component(spec).render() for spec in endpoint.inputs]
    button = Button("Submit", variant="primary")
    outputs = [local_component(spec).render() for spec in endpoint.outputs]
    fn, options = remote_function(remote, endpoint)
    button.click(fn, inputs, outputs, api_name=endpoint.api_name, **options)


def remote_function(remote: Remote, endpoint: RemoteEndpoint) -> tuple[Callable[..., Any], dict[str, Any]]:
    """The local function for ``endpoint`` and the listener options that match how the remote runs it."""
    unlimited: dict[str, Any] = {"concurrency_limit": None}
    if endpoint.generator:
        return _named(_streaming(remote, endpoint), endpoint), unlimited
    if endpoint.batch and endpoint.inputs:
        # One local batch at a time, like the remote's default: events gather while a batch is away.
        options = {"batch": True, "max_batch_size": endpoint.max_batch_size, "concurrency_limit": 1}
        return _named(_batched(remote, endpoint), endpoint), options
    return _named(_single(remote, endpoint), endpoint), unlimited


def _named(fn: Callable[..., Any], endpoint: RemoteEndpoint) -> Callable[..., Any]:
    fn.__name__ = fn.__qualname__ = endpoint.api_name  # what error messages and logs call it
    return fn


def _one_or_tuple(outputs: list[Any]) -> Any:
    if len(outputs) == 1:
        return outputs[0]
    return tuple(outputs) if outputs else None


def _single(remote: Remote, endpoint: RemoteEndpoint) -> Callable[..., Any]:
    def call(*values: Any) -> Any:
        return _one_or_tuple(remote.call(endpoint, values))

    return call


def _streaming(remote: Remote, endpoint: RemoteEndpoint) -> Callable[..., Iterator[Any]]:
    def stream(*values: Any) -> Iterator[Any]:
        for outputs in remote.stream(endpoint, values):
            yield _one_or_tuple(outputs)

    return stream


def _batched(remote: Remote, endpoint: RemoteEndpoint) -> Callable[..., list[list[Any]]]:
    n_outputs = len(endpoint.outputs)

    def batch(*columns: Sequence[Any]) -> list[list[Any]]:
        samples = [list(sample) for sample in zip(*columns, strict=True)]
        results = remote.call_batch(endpoint, samples)
        # a failed sample carries its exception in every output: only its event fails
        rows = [[r] * n_outputs if isinstance(r, BaseException) else r for r in results]
        return [[row[j] for row in rows] for j in range(n_outputs)]

    return batch
