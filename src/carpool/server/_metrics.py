"""``GET /metrics``: Prometheus metrics of one app, and the structured per-batch log line.

Histograms are fed per batch by the engine's ``on_batch`` hook (cheap: one call per batch, not per
event). Counters and gauges are read from ``engine.stats()`` when scraped, so the hot path pays nothing
for them. Each app has its own ``CollectorRegistry``: two apps in one process never mix their numbers.
"""

from __future__ import annotations

import bisect
import logging
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector

from carpool.core import BatchRecord

__all__ = ["CONTENT_TYPE", "Metrics"]

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
logger = logging.getLogger("carpool.batch")

BATCH_SIZE_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512)
SECONDS_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
EVENT_OUTCOMES = ("completed", "failed", "cancelled", "rejected", "expired")


class _EngineStatsCollector(Collector):
    """Counters and gauges straight from the engine's own bookkeeping, read at scrape time."""

    def __init__(self) -> None:
        self.read_stats: Callable[[], Any] | None = None

    def collect(self) -> Iterator[Metric]:
        events = CounterMetricFamily(
            "carpool_events", "Events that ended, by outcome", labels=["endpoint", "outcome"]
        )
        depth = GaugeMetricFamily("carpool_queue_depth", "Events waiting to run", labels=["endpoint"])
        in_flight = GaugeMetricFamily("carpool_in_flight", "Events running now", labels=["endpoint"])
        stuck = GaugeMetricFamily(
            "carpool_stuck_threads",
            "Threads of the endpoint's concurrency group held by sync calls given up at their time_limit",
            labels=["endpoint"],
        )
        cap = GaugeMetricFamily(
            "carpool_batch_cap",
            "Largest batch the endpoint's next call may take (lowered by out-of-memory errors)",
            labels=["endpoint"],
        )
        oom = CounterMetricFamily(
            "carpool_out_of_memory", "Batched calls that ran out of memory", labels=["endpoint"]
        )
        steps = {  # continuous batching (Stepwise listeners); zero elsewhere
            "steps": CounterMetricFamily("carpool_steps", "Steps run", labels=["endpoint"]),
            "joins": CounterMetricFamily(
                "carpool_step_joins", "Items that joined a running set", labels=["endpoint"]
            ),
            "leaves": CounterMetricFamily(
                "carpool_step_leaves", "Items that left a running set", labels=["endpoint"]
            ),
        }
        stats = self.read_stats() if self.read_stats is not None else None
        for endpoint, listener in _listener_stats(stats):
            for outcome in EVENT_OUTCOMES:
                events.add_metric([endpoint, outcome], float(getattr(listener, outcome, 0)))
            depth.add_metric([endpoint], float(listener.waiting))
            in_flight.add_metric([endpoint], float(listener.in_flight))
            stuck.add_metric([endpoint], float(getattr(listener, "stuck_threads", 0)))
            cap.add_metric([endpoint], float(getattr(listener, "batch_cap", 1)))
            oom.add_metric([endpoint], float(getattr(listener, "out_of_memory", 0)))
            for field, family in steps.items():
                family.add_metric([endpoint], float(getattr(listener, field, 0)))
        yield events
        yield depth
        yield in_flight
        yield stuck
        yield cap
        yield oom
        yield from steps.values()


class _BatchObservedHistogram(Collector):
    """A histogram fed a batch of observations at a time (each event's queue wait, once per batch).

    ``prometheus_client``'s ``Histogram.observe`` takes a lock and walks the buckets for every value;
    sixteen of them per batch were a measurable share of a fast request's cost. Here a batch's values
    cost one bisect each and nothing else; the cumulative counts are built only when scraped.
    """

    def __init__(self, name: str, documentation: str, buckets: tuple[float, ...]) -> None:
        self._name, self._documentation = name, documentation
        self._bounds = buckets
        self._counts: dict[str, list[int]] = {}  # per endpoint: observations per bucket, +Inf last
        self._sums: dict[str, float] = {}

    def observe_many(self, endpoint: str, values: Iterable[float]) -> None:
        counts = self._counts.get(endpoint)
        if counts is None:
            counts = self._counts[endpoint] = [0] * (len(self._bounds) + 1)
            self._sums[endpoint] = 0.0
        total = 0.0
        for value in values:
            counts[bisect.bisect_left(self._bounds, value)] += 1  # le: a value on a bound counts in it
            total += value
        self._sums[endpoint] += total

    def collect(self) -> Iterator[Metric]:
        family = HistogramMetricFamily(self._name, self._documentation, labels=["endpoint"])
        for endpoint, counts in sorted(self._counts.items()):
            cumulative, buckets = 0, []
            for bound, count in zip((*self._bounds, float("inf")), counts, strict=True):
                cumulative += count
                buckets.append((_bound_label(bound), float(cumulative)))
            family.add_metric([endpoint], buckets, self._sums[endpoint])
        yield family


def _bound_label(bound: float) -> str:
    return "+Inf" if bound == float("inf") else repr(float(bound))


class _PoolCollector(Collector):
    """Replica counts of listeners whose function is a replica pool (anything with ``replica_stats``)."""

    def __init__(self) -> None:
        self.pools: dict[str, Callable[[], dict[str, int]]] = {}

    def collect(self) -> Iterator[Metric]:
        families = {
            "replicas": GaugeMetricFamily("carpool_replicas", "Live replicas", labels=["endpoint"]),
            "running": GaugeMetricFamily(
                "carpool_replica_batches_running", "Batches running on replicas", labels=["endpoint"]
            ),
            "waiting": GaugeMetricFamily(
                "carpool_replica_batches_waiting", "Batches waiting for a replica", labels=["endpoint"]
            ),
        }
        for endpoint, read in sorted(self.pools.items()):
            for name, value in read().items():
                if name in families:
                    families[name].add_metric([endpoint], float(value))
        yield from families.values()


def _listener_stats(stats: Any) -> list[tuple[str, Any]]:
    if stats is None:
        return []
    return sorted(stats.listeners.items())


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.batch_size = Histogram(
            "carpool_batch_size", "Events per batch", ["endpoint"],
            buckets=BATCH_SIZE_BUCKETS, registry=self.registry,
        )  # fmt: skip
        self.queue_wait = _BatchObservedHistogram(
            "carpool_queue_wait_seconds", "Seconds an event waited before its batch started", SECONDS_BUCKETS
        )
        self.registry.register(self.queue_wait)
        self.run_time = Histogram(
            "carpool_run_seconds", "Seconds one batch ran", ["endpoint"],
            buckets=SECONDS_BUCKETS, registry=self.registry,
        )  # fmt: skip
        self.dispatches = Counter(
            "carpool_batches", "Batches started, by why they were dispatched (full/timeout/idle/auto)",
            ["endpoint", "reason"], registry=self.registry,
        )  # fmt: skip
        # Continuous batching (a Stepwise listener): one record per step instead of per batch.
        self.running_set = Histogram(
            "carpool_running_set_size", "Items in the running set of one step (continuous batching)",
            ["endpoint"], buckets=BATCH_SIZE_BUCKETS, registry=self.registry,
        )  # fmt: skip
        self.step_time = Histogram(
            "carpool_step_seconds", "Seconds one step of a continuously batched function ran",
            ["endpoint"], buckets=SECONDS_BUCKETS, registry=self.registry,
        )  # fmt: skip
        self._stats = _EngineStatsCollector()
        self.registry.register(self._stats)
        self._pools = _PoolCollector()
        self.registry.register(self._pools)

    def bind_pools(self, fns: dict[str, Any]) -> None:
        """Report replica counts for each listener (by id) whose function has ``replica_stats()``."""
        self._pools.pools = {
            endpoint: fn.replica_stats
            for endpoint, fn in fns.items()
            if callable(getattr(fn, "replica_stats", None))
        }

    def bind(self, read_stats: Callable[[], Any] | None) -> None:
        """Read counters and gauges from ``read_stats`` (the running engine's ``stats``), or stop."""
        self._stats.read_stats = read_stats

    def record_batch(self, record: BatchRecord) -> None:
        """The engine's ``on_batch`` hook: one call per dispatched batch (or per step)."""
        endpoint = record.listener_id
        if record.reason == "step":
            self._record_step(record)
            return
        self.batch_size.labels(endpoint).observe(record.size)
        self.queue_wait.observe_many(endpoint, record.waits)
        self.run_time.labels(endpoint).observe(record.run_time)
        self.dispatches.labels(endpoint, record.reason).inc()
        if logger.isEnabledFor(logging.DEBUG):
            max_wait = max(record.waits, default=0.0)
            logger.debug(
                "batch endpoint=%s size=%d padded=%d reason=%s max_wait=%.4f run_time=%.4f",
                endpoint, record.size, record.padded_size, record.reason, max_wait, record.run_time,
            )  # fmt: skip

    def _record_step(self, record: BatchRecord) -> None:
        endpoint = record.listener_id
        self.running_set.labels(endpoint).observe(record.size)
        self.step_time.labels(endpoint).observe(record.run_time)
        self.queue_wait.observe_many(endpoint, record.waits)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)
