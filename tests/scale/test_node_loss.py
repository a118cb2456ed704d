"""A node holding a replica is lost mid-batch, on Ray's multi-node test cluster (all on loopback).

One cluster for the module (starting Ray nodes is slow on a small machine): a head node and worker
nodes that each offer one ``slot``; every replica asks for a slot, so a pool of two puts one replica
on the head and one on a worker. The worker is then killed (SIGKILL, as a lost machine) while its
replica runs a batch. The cluster runs in a private temp dir, so the address file Ray's test cluster
writes cannot lead anyone else's ``ray.init()`` to it.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

ray = pytest.importorskip("ray", reason="carpool.scale needs Ray: pip install 'carpool[ray]'")

import scale_models  # noqa: E402
from ray.cluster_utils import Cluster  # noqa: E402
from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy  # noqa: E402

from carpool.app import Interface  # noqa: E402
from carpool.client import Client  # noqa: E402
from carpool.components import Textbox  # noqa: E402
from carpool.scale import RayPool, ReplicaDiedError  # noqa: E402
from carpool.server import RunningServer  # noqa: E402
from conftest import loopback_only  # noqa: E402

SLOT = {"num_cpus": 0, "resources": {"slot": 1}}
# A lost node is noticed after a few missed health checks: 3 x 0.5 s here instead of Ray's 5 x 3 s.
FAST_HEALTH_CHECKS = {
    "health_check_initial_delay_ms": 0,
    "health_check_period_ms": 500,
    "health_check_failure_threshold": 3,
}


@pytest.fixture(scope="module")
def cluster(_ray_session: None) -> Iterator[Cluster]:
    if ray.is_initialized():  # the suite's single-node instance: this module needs its own cluster
        ray.shutdown()
    temp = tempfile.mkdtemp(prefix="cpnl", dir="/tmp")  # short: Ray puts its sockets in there
    with pytest.MonkeyPatch.context() as env:
        env.setenv("RAY_TMPDIR", temp)
        loopback_only()
        nodes = Cluster(
            initialize_head=True,
            head_node_args={
                "num_cpus": 2,
                "resources": {"slot": 1},
                "include_dashboard": False,
                "_system_config": FAST_HEALTH_CHECKS,
            },
        )
        try:
            ray.init(address=nodes.address, log_to_driver=False)
            ray.cloudpickle.register_pickle_by_value(scale_models)
            yield nodes
        finally:
            ray.shutdown()
            nodes.shutdown()
            shutil.rmtree(temp, ignore_errors=True)


@pytest.fixture
def gate(cluster: Cluster) -> Any:
    """The gate lives on the head node, which is never removed."""
    head = NodeAffinitySchedulingStrategy(cluster.head_node.node_id, soft=False)
    return scale_models.Gate.options(num_cpus=0, scheduling_strategy=head).remote()


def wait_until(condition: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # bounded: Ray notices a lost node and places actors in seconds
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.05)


def node_of(tagged: str) -> str:
    return scale_models.parse_node(tagged)[1]


def test_a_batch_on_a_lost_node_runs_again_on_another_replica_and_every_event_answers_once(
    cluster: Cluster, gate: Any, serve: Callable[..., RunningServer]
) -> None:
    worker = cluster.add_node(num_cpus=1, resources={"slot": 1})
    head = cluster.head_node.node_id
    with RayPool(scale_models.NodeTagger, gate, num_replicas=2, actor_options=SLOT) as pool:
        app = Interface(
            pool, Textbox(), Textbox(), batch=True, max_batch_size=16,
            concurrency_limit=pool.recommended_concurrency,
        )  # fmt: skip
        with Client(serve(app, show_error=True).local_url) as client:
            first = client.submit("hold-a")
            ray.get(gate.wait_held.remote(1), timeout=60)
            second = client.submit("hold-b")  # the other replica: one runs on each node
            ray.get(gate.wait_held.remote(2), timeout=60)
            placed = dict((words[0], node) for words, node in ray.get(gate.placed.remote()))
            assert set(placed.values()) == {head, worker.node_id}
            doomed = next(word for word, node in placed.items() if node == worker.node_id)
            waiting = [client.submit(f"w{i}") for i in range(4)]  # both slots busy: these queue up

            cluster.remove_node(worker, allow_graceful=False)
            wait_until(lambda: pool.replica_stats()["replicas"] == 1)  # out of the rotation
            ray.get(gate.open.remote(), timeout=30)

            jobs = {"hold-a": first, "hold-b": second} | {f"w{i}": job for i, job in enumerate(waiting)}
            answers = {word: job.result(60) for word, job in jobs.items()}
        # Every event answered exactly once, with its own word, from a replica on the head node.
        assert {word: scale_models.parse_node(answer)[0] for word, answer in answers.items()} == {
            word: word for word in jobs
        }
        assert {node_of(answer) for answer in answers.values()} == {head}
        # The doomed batch ran twice (lost with the node, then again); nothing else ran twice.
        runs = [word for words, _ in ray.get(gate.placed.remote()) for word in words]
        assert sorted(runs) == sorted([*jobs, doomed])
        # No node has a free slot, so the replacement waits and takes no batch; a new node gets it.
        assert pool.replica_stats() == {"replicas": 1, "running": 0, "waiting": 0}
        spare = cluster.add_node(num_cpus=1, resources={"slot": 1})
        wait_until(lambda: pool.replica_stats()["replicas"] == 2)
        nodes = {node_of(asyncio.run(pool(["x"]))[0][0]) for _ in range(2)}  # idle replicas alternate
        assert nodes == {head, spare.node_id}
    cluster.remove_node(spare)


async def test_a_lost_batch_with_no_replica_left_to_retry_it_fails_clearly(
    cluster: Cluster, gate: Any
) -> None:
    worker = cluster.add_node(num_cpus=1, resources={"lone": 1})
    options = {"num_cpus": 0, "resources": {"lone": 1}}
    with RayPool(scale_models.NodeTagger, gate, actor_options=options, max_retries=1) as pool:
        # The retry waits as long as a replacement may take to start; shortened once this one has.
        pool.start_timeout = 3
        call = asyncio.ensure_future(pool(["hold", "x"]))
        await asyncio.wait_for(gate.wait_held.remote(1), 60)
        cluster.remove_node(worker, allow_graceful=False)
        message = r"replica 0 of NodeTagger its node was lost .* batch of 2 .* within 3 s"
        with pytest.raises(ReplicaDiedError, match=message):
            await asyncio.wait_for(call, 60)
        assert pool.replica_stats()["replicas"] == 0
