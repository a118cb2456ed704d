"""An autoscaled RayPool grows while batches wait for a replica and retires idle replicas later."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

ray = pytest.importorskip("ray", reason="carpool.scale needs Ray: pip install 'carpool[ray]'")

from scale_models import Tagger, parse  # noqa: E402

from carpool.app import Interface  # noqa: E402
from carpool.client import Client  # noqa: E402
from carpool.components import Textbox  # noqa: E402
from carpool.scale import RayPool  # noqa: E402
from carpool.server import RunningServer  # noqa: E402


def autoscaled(gate: Any = None, **options: Any) -> RayPool:
    settings = {"min_replicas": 1, "max_replicas": 2, "upscale_delay": 0.0, "downscale_delay": 0.5}
    settings.update(options)
    return RayPool(Tagger, gate, autoscale_interval=0.05, **settings)


def wait_until(condition: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # bounded: the replica start and the downscale delay take seconds
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.05)


async def test_a_waiting_batch_makes_the_pool_grow_and_idle_replicas_are_retired(gate: Any) -> None:
    with autoscaled(gate) as pool:
        assert len(pool.actors) == 1
        assert pool.recommended_concurrency == 2  # sized for max_replicas
        calls = [asyncio.ensure_future(pool([f"hold{i}"])) for i in range(2)]
        # The second batch waits for a replica, so a second one starts and takes it: both are held.
        await asyncio.wait_for(gate.wait_held.remote(2), 60)
        assert len(pool.actors) == 2
        await gate.open.remote()
        pids = {parse((await call)[0][0])[1] for call in calls}
        assert len(pids) == 2
        await asyncio.to_thread(wait_until, lambda: len(pool.actors) == 1)
        assert pool.replica_stats() == {"replicas": 1, "running": 0, "waiting": 0}
        [[tagged]] = await pool(["after"])  # the one left still serves
        assert parse(tagged)[0] == "after"


def test_a_busy_replica_is_never_retired(gate: Any) -> None:
    with autoscaled(gate, num_replicas=2, downscale_delay=0.0) as pool:
        loop = asyncio.new_event_loop()
        try:
            held = loop.create_task(pool(["hold"]))
            loop.run_until_complete(asyncio.wait_for(gate.wait_held.remote(1), 60))
            wait_until(lambda: len(pool.actors) == 1)  # the idle one goes, the busy one stays
            time.sleep(0.3)
            assert len(pool.actors) == 1
            ray.get(gate.open.remote(), timeout=30)
            [[tagged]] = loop.run_until_complete(asyncio.wait_for(held, 60))
            assert parse(tagged)[0] == "hold"
        finally:
            loop.close()


def test_metrics_show_the_replica_count(ray_cluster: None, serve: Callable[..., RunningServer]) -> None:
    with autoscaled() as pool:
        app = Interface(
            pool, Textbox(), Textbox(), batch=True, concurrency_limit=pool.recommended_concurrency
        )
        server = serve(app)
        with Client(server.local_url) as client:
            assert parse(client.predict("x"))[0] == "x"
        metrics = httpx.get(f"{server.local_url.rstrip('/')}/metrics").text
        assert re.search(r'carpool_replicas\{endpoint="[^"]+"\} 1\.0', metrics), metrics
        assert "carpool_replica_batches_waiting" in metrics


def test_bad_autoscaling_bounds_fail_at_construction() -> None:
    with pytest.raises(ValueError, match="max_replicas"):
        RayPool(Tagger, min_replicas=3, max_replicas=2)
