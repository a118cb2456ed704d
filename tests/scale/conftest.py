"""One local Ray instance for the scale suite (starting Ray takes seconds), and live servers.

Every test module here starts with ``pytest.importorskip("ray", ...)``, so without Ray the suite is
skipped with that reason; this file therefore imports Ray only inside the fixtures that need it.

Ray here talks over loopback only: with ``RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0`` (and the constant it
sets, patched in case Ray was imported first) Ray takes 127.0.0.1 as every node's address, where it
would otherwise pick the machine's outward interface. A module that needs a cluster of its own (the
multi-node one in test_node_loss.py) shuts this instance down; the next test that asks for
``ray_cluster`` starts it again.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")


def loopback_only() -> None:
    """Make this process's Ray pick 127.0.0.1 for its nodes (the env above covers its children)."""
    from ray._private import ray_constants

    ray_constants.ENABLE_RAY_CLUSTER = False


@pytest.fixture(scope="session")
def _ray_session() -> Iterator[None]:
    yield
    import sys

    if "ray" in sys.modules and sys.modules["ray"].is_initialized():
        sys.modules["ray"].shutdown()


def ensure_local_ray() -> None:
    """The suite's local Ray instance, started unless it is up (a module may have stopped it)."""
    ray = pytest.importorskip("ray", reason="carpool.scale needs Ray: pip install 'carpool[ray]'")
    import scale_models  # imports ray too

    # RayPool ships its model's module by value itself; the Gate actor, created directly, needs this.
    ray.cloudpickle.register_pickle_by_value(scale_models)
    if not ray.is_initialized():
        loopback_only()
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)


@pytest.fixture
def ray_cluster(_ray_session: None) -> Iterator[None]:
    ensure_local_ray()
    yield


@pytest.fixture
def gate(ray_cluster: None) -> Any:
    import scale_models

    return scale_models.Gate.remote()
