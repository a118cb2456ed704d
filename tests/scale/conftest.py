"""One local Ray instance for the whole scale suite (starting Ray takes seconds), and live servers.

Every test module here starts with ``pytest.importorskip("ray", ...)``, so without Ray the suite is
skipped with that reason; this file therefore imports Ray only inside the fixtures that need it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture(scope="session")
def ray_cluster() -> Iterator[None]:
    ray = pytest.importorskip("ray", reason="carpool.scale needs Ray: pip install 'carpool[ray]'")
    import scale_models  # imports ray too

    # RayPool ships its model's module by value itself; the Gate actor, created directly, needs this.
    ray.cloudpickle.register_pickle_by_value(scale_models)
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


@pytest.fixture
def gate(ray_cluster: None) -> Any:
    import scale_models

    return scale_models.Gate.remote()
