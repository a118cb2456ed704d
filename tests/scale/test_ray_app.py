"""A carpool app whose batched function is a RayPool, driven over real HTTP by carpool clients."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

ray = pytest.importorskip("ray", reason="carpool.scale needs Ray: pip install 'carpool[ray]'")

from scale_models import Tagger, parse  # noqa: E402

from carpool.app import Interface  # noqa: E402
from carpool.client import Client  # noqa: E402
from carpool.components import Textbox  # noqa: E402
from carpool.exceptions import AppError  # noqa: E402
from carpool.scale import RayPool  # noqa: E402
from carpool.server import RunningServer  # noqa: E402


def tagger_app(pool: RayPool) -> Interface:
    return Interface(
        pool,
        Textbox(label="word"),
        Textbox(label="tagged"),
        batch=True,
        max_batch_size=16,
        concurrency_limit=pool.recommended_concurrency,
    )


@pytest.fixture
def client(ray_cluster: None, serve: Callable[..., RunningServer]) -> Iterator[Client]:
    with RayPool(Tagger, num_replicas=2) as pool:
        url = serve(tagger_app(pool), show_error=True).local_url
        with Client(url) as tagger_client:
            yield tagger_client


def test_concurrent_requests_are_batched_and_spread_over_both_replicas(
    gate: Any, serve: Callable[..., RunningServer]
) -> None:
    with RayPool(Tagger, gate, num_replicas=2) as pool, Client(serve(tagger_app(pool)).local_url) as client:
        first = client.submit("hold-a")
        ray.get(gate.wait_held.remote(1), timeout=30)
        second = client.submit("hold-b")  # the second concurrency slot: the other replica
        ray.get(gate.wait_held.remote(2), timeout=30)
        waiting = [client.submit(f"w{i}") for i in range(6)]  # both slots busy: these queue up
        ray.get(gate.open.remote(), timeout=30)
        held = [parse(job.result(30)) for job in (first, second)]
        batched = [parse(job.result(30)) for job in waiting]
    assert held[0][1] != held[1][1]  # two replicas, two processes
    assert [size for _, _, size in held] == [1, 1]
    assert [(word, size) for word, _, size in batched] == [(f"w{i}", 6) for i in range(6)]
    assert {pid for _, pid, _ in batched} <= {held[0][1], held[1][1]}


def test_an_exception_item_fails_only_its_own_sample(client: Client) -> None:
    results = client.predict_batch(["ok", "bad", "fine"])
    assert [parse(results[0])[::2], parse(results[2])[::2]] == [("ok", 3), ("fine", 3)]
    assert isinstance(results[1], AppError)
    assert results[1].message == "bad word: bad"


def test_an_exception_raised_by_the_replica_is_split_retried_until_the_bad_sample_is_alone(
    client: Client,
) -> None:
    results = client.predict_batch(["a", "boom", "c", "d"])
    assert isinstance(results[1], AppError)
    assert results[1].message == "ValueError: boom in a batch of 1"  # its own type, isolated
    assert [parse(results[i])[::2] for i in (0, 2, 3)] == [("a", 1), ("c", 2), ("d", 2)]


def test_a_crashed_replica_fails_its_request_clearly_and_later_requests_succeed(client: Client) -> None:
    with pytest.raises(AppError, match=r"ReplicaDiedError: replica \d of Tagger died"):
        client.predict("crash")
    results = client.predict_batch(["x", "crash", "y"])  # split-retry isolates the crashing sample
    assert isinstance(results[1], AppError)
    assert "died" in results[1].message
    assert [parse(results[0])[0], parse(results[2])[0]] == ["x", "y"]
    assert parse(client.predict("after"))[0] == "after"
