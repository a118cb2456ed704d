"""What the server needs of an app: the app spec and its endpoints, as Protocols.

The server reads an app through these few members only (``carpool.app.Blocks`` and its ``Dependency``
provide them; docs/internals.md describes the contract). Typing the boundary with them, not ``Any``,
lets mypy check every route against it, and keeps any other app spec (a test double, a remote app)
possible without importing the authoring layer's classes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from carpool.core import ListenerConfig

__all__ = ["AppSpec", "Endpoint", "SessionValues"]


class SessionValues(Protocol):
    """One session's ``State`` values (``carpool.app.SessionState``)."""

    def get(self, component: Any) -> Any: ...

    def set(self, component: Any, value: Any) -> None: ...


class Endpoint(Protocol):
    """One dependency of the app: what runs, what it reads and writes, how values convert."""

    @property
    def index(self) -> int: ...

    @property
    def api_name(self) -> str | None: ...

    @property
    def inputs(self) -> Sequence[Any]: ...

    @property
    def outputs(self) -> Sequence[Any]: ...

    @property
    def cancels(self) -> Sequence[Any]: ...

    @property
    def listener_id(self) -> str | None: ...

    @property
    def batch(self) -> bool: ...

    @property
    def max_batch_size(self) -> int: ...

    def preprocess(self, data: Any, session: Any) -> list[Any]: ...

    def postprocess(self, output: Any, session: Any) -> list[Any]: ...


class AppSpec(Protocol):
    """The app a server serves (``carpool.app.Blocks``)."""

    @property
    def dependencies(self) -> Sequence[Endpoint]: ...

    @property
    def blocks(self) -> Mapping[int, object]: ...

    def config(self) -> dict[str, Any]: ...

    def api_info(self) -> dict[str, Any]: ...

    def endpoint(self, name_or_index: str | int) -> Endpoint: ...

    def listener_configs(self) -> Iterable[ListenerConfig]: ...

    def component_script(self, block_id: int) -> str | None: ...


if TYPE_CHECKING:  # mypy proves that carpool's own app classes meet the contract
    from carpool.app import Blocks, Dependency, SessionState

    def _conforms(blocks: Blocks, dependency: Dependency, state: SessionState) -> None:
        spec: AppSpec = blocks
        endpoint: Endpoint = dependency
        values: SessionValues = state
        del spec, endpoint, values
