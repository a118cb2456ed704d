"""The queue-wait histogram is fed a batch's waits at once; it must read exactly like Prometheus's own."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Histogram, generate_latest

from carpool.server._metrics import SECONDS_BUCKETS, _BatchObservedHistogram


def _exposition(registry: CollectorRegistry) -> list[str]:
    return [line for line in generate_latest(registry).decode().splitlines() if "_created" not in line]


def test_a_batch_fed_histogram_exposes_what_prometheus_histogram_does() -> None:
    batches = {"a": [[0.0, 0.001, 0.0011], [0.5, 3.0]], "b": [[100.0, 0.05, 0.0025]], "c": [[]]}
    reference, ours = CollectorRegistry(), CollectorRegistry()
    histogram = Histogram(
        "carpool_queue_wait_seconds", "waits", ["endpoint"], buckets=SECONDS_BUCKETS, registry=reference
    )
    batched = _BatchObservedHistogram("carpool_queue_wait_seconds", "waits", SECONDS_BUCKETS)
    ours.register(batched)
    for endpoint, waits in batches.items():
        for batch in waits:
            for wait in batch:
                histogram.labels(endpoint).observe(wait)
            batched.observe_many(endpoint, batch)
        if not any(waits):  # an endpoint seen only with empty batches: Prometheus has no child for it
            histogram.labels(endpoint)
    assert _exposition(ours) == _exposition(reference)
    assert 'carpool_queue_wait_seconds_bucket{endpoint="a",le="0.001"} 2.0' in _exposition(ours)
