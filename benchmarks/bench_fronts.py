"""How batches fragment when N carpool fronts share one replica, and what ``batch_timeout="auto"`` wins back.

    carpool bench fronts                          # fronts 1, 2, 3 x batch_timeout 0 / auto
    carpool bench fronts --quick                  # fewer requests (a smoke run)
    carpool bench fronts --json bench-results/fronts.json

Each point runs ``carpool run benchmarks/_fronts_app.py --workers N`` for real: N front processes behind
HAProxy, all sending their batches to ONE shared RayPool replica, a GPU-like model (50 ms + 1 ms per
item, B = 32). The load is fixed: C closed-loop clients in a separate process, each sending its next
``POST /api/predict`` through the balancer as soon as its last one returned (raw keep-alive HTTP/1.1,
no cookies, no session: the balancer spreads the calls round robin, as it would for API clients).

Each front forms batches from its own share of the load, so with N fronts a batch can hold about C/N
requests: the replica runs more, smaller batches and its fixed 50 ms is paid more often. "of ideal" is
the throughput over ``n / (0.050 + 0.001 n)`` with ``n = min(B, C)``; "front batch" is the mean size of
the batches the fronts formed (every front's ``carpool_batch_size`` histogram), "model batch" the mean
size of the model's calls (the replica's own count), both in the measured phase. "merged": the pool
has ``merge_batches=B``, so the replica runs the batches that wait for it (from all fronts) merged,
up to B samples a call. Needs haproxy (scripts/install-haproxy) and Ray.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import multiprocessing
import os
import re
import sys
import time
import uuid
from dataclasses import asdict, dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as `python benchmarks/bench_fronts.py`: make `benchmarks` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx

from benchmarks._common import (
    LoadProcess,
    LoadResult,
    LoadSpec,
    RawConnection,
    Summary,
    _closed_loop,
    markdown_table,
    write_json,
)

APP = Path(__file__).with_name("_fronts_app.py")
FIXED, PER_ITEM = 0.050, 0.001
_HISTOGRAM = re.compile(r"^carpool_batch_size_(sum|count)\{[^}]*\} ([0-9.e+-]+)$", re.MULTILINE)


@dataclass
class Point:
    fronts: int
    clients_kind: str  # "spread": calls go round robin; "sticky": each client keeps its front's cookie
    merged: bool  # RayPool(merge_batches=B): the replica merges the batches waiting for it
    batch_timeout: str
    batch_size: int
    concurrency: int
    throughput: float
    of_ideal: float
    mean_batch: float  # the fronts' batches
    model_batch: float  # the model's calls (merged batches count once)
    p50_ms: float
    p99_ms: float
    errors: int


def ideal(batch_size: int, concurrency: int) -> float:
    n = min(batch_size, concurrency)
    return n / (FIXED + PER_ITEM * n)


def batch_totals(ports: list[int]) -> tuple[float, float]:
    """(samples, batches) over every front's batch-size histogram."""
    samples = batches = 0.0
    for port in ports:
        text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
        for kind, value in _HISTOGRAM.findall(text):
            if kind == "sum":
                samples += float(value)
            else:
                batches += float(value)
    return samples, batches


async def _sticky_run(url: str, fronts: int, clients: int, requests: int) -> LoadResult:
    connections = []
    for index in range(clients):  # client i stays on front i mod N: an even split, as cookies give
        connection = await RawConnection.open(url)
        # the balancer's cookie: a client that stays on one front, as a browser (or any client that
        # keeps cookies) does
        connection.extra_headers = f"Cookie: carpool_front=front{index % fronts}\r\n"
        connections.append(connection)
    try:
        calls = [functools.partial(c.call, "/api/predict") for c in connections]
        return await _closed_loop(calls, (("x",),), requests, None)
    finally:
        for connection in connections:
            connection.close()


def _sticky_child(url: str, fronts: int, clients: int, requests: int, conn: Connection) -> None:
    conn.send(asyncio.run(_sticky_run(url, fronts, clients, requests)))


def sticky_load(url: str, fronts: int, clients: int, requests: int) -> LoadResult:
    """Closed-loop sticky clients, in a process of their own (not the benchmark's, not a server's)."""
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    process = context.Process(target=_sticky_child, args=(url, fronts, clients, requests, child), daemon=True)
    process.start()
    try:
        if not parent.poll(600):
            raise TimeoutError("the sticky load did not finish in 600 s")
        result: LoadResult = parent.recv()
        return result
    finally:
        process.join(10)


def model_totals() -> tuple[float, float]:
    """(samples, model calls) of the shared replica."""
    import ray

    replica = ray.get_actor("gpu-like-0", namespace=os.environ["CARPOOL_RAY_NAMESPACE"])
    stats: Any = ray.get(replica.stats.remote(), timeout=30)
    return float(stats["samples"]), float(stats["model_calls"])


def measure(
    fronts: int, kind: str, merged: bool, timeout: str, args: argparse.Namespace, load: LoadProcess
) -> Point:
    from carpool._fronts import Fronts

    os.environ.update(
        BENCH_BATCH_TIMEOUT=timeout,
        BENCH_MAX_BATCH=str(args.batch),
        BENCH_MERGE=str(args.batch) if merged else "",
        CARPOOL_RAY_NAMESPACE=f"bench-fronts-{uuid.uuid4().hex[:8]}",  # a fresh replica per point
    )
    servers = Fronts(str(APP), fronts, port=0, show_error=True)
    url = servers.start()
    try:
        samples = (("x",),)

        def run(requests: int) -> LoadResult:
            if kind == "sticky":
                return sticky_load(url, fronts, args.clients, requests)
            return load.run(LoadSpec(url, "predict", samples, args.clients, requests, client="raw"))

        run(args.warmup)  # warm-up: the replica starts, "auto" learns the model's cost
        before, model_before = batch_totals(servers.front_ports), model_totals()
        result = run(args.requests)
        after, model_after = batch_totals(servers.front_ports), model_totals()
    finally:
        servers.stop()
        _kill_replica()
    summary = Summary.of(result)
    batches, calls = after[1] - before[1], model_after[1] - model_before[1]
    throughput = summary.throughput
    return Point(
        fronts, kind, merged, timeout, args.batch, args.clients, round(throughput, 1),
        round(throughput / ideal(args.batch, args.clients), 3),
        round((after[0] - before[0]) / batches, 1) if batches else float("nan"),
        round((model_after[0] - model_before[0]) / calls, 1) if calls else float("nan"),
        round(summary.p50_ms, 1), round(summary.p99_ms, 1), summary.errors,
    )  # fmt: skip


def _kill_replica() -> None:
    import ray

    try:
        ray.kill(ray.get_actor("gpu-like-0", namespace=os.environ["CARPOOL_RAY_NAMESPACE"]))
    except ValueError:
        pass  # never started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer requests")
    parser.add_argument("--fronts", default="1,2,3", help="front counts to measure (default 1,2,3)")
    parser.add_argument("--clients", type=int, default=32, help="closed-loop clients (default 32)")
    parser.add_argument("--batch", type=int, default=32, help="max_batch_size (default 32)")
    parser.add_argument("--json", type=Path, default=None, help="write the results here")
    args = parser.parse_args(argv)
    args.requests, args.warmup = (600, 200) if args.quick else (2000, 400)
    from carpool._fronts import find_haproxy

    try:
        find_haproxy()
    except SystemExit as missing:  # `carpool bench all` on a machine without the balancer
        print(f"bench_fronts skipped: {missing}", file=sys.stderr)
        return 0

    import ray

    # One local Ray for every point; each point's fronts join it through RAY_ADDRESS.
    ray.init(include_dashboard=False, log_to_driver=False)
    os.environ["RAY_ADDRESS"] = ray.get_runtime_context().gcs_address
    points: list[Point] = []
    try:
        with LoadProcess() as load:
            for fronts in (int(n) for n in args.fronts.split(",")):
                for kind, merged in variants(fronts):
                    for timeout in ("0", "auto"):
                        started = time.monotonic()
                        points.append(measure(fronts, kind, merged, timeout, args, load))
                        print(f"{points[-1]} ({time.monotonic() - started:.0f} s)", file=sys.stderr)
    finally:
        ray.shutdown()
    if args.json is not None:
        payload: dict[str, Any] = {"points": [asdict(p) for p in points], "requests": args.requests}
        print(f"wrote {write_json(args.json, payload)}", file=sys.stderr)
    print(table(points))
    return 0 if all(p.errors == 0 for p in points) else 1


def variants(fronts: int) -> list[tuple[str, bool]]:
    """One front: spread calls only (nothing to stick to, nothing to merge); more: each way."""
    if fronts == 1:
        return [("spread", False)]
    return [(kind, merged) for merged in (False, True) for kind in ("spread", "sticky")]


def table(points: list[Point]) -> str:
    rows = [
        [
            *(str(p.fronts), p.clients_kind if p.fronts > 1 else "-", "yes" if p.merged else "no"),
            *(p.batch_timeout, str(p.batch_size), str(p.concurrency), f"{p.throughput:.1f}"),
            *(f"{p.of_ideal:.2f}", f"{p.mean_batch:.1f}", f"{p.model_batch:.1f}"),
            *(f"{p.p50_ms:.0f}", f"{p.p99_ms:.0f}", str(p.errors)),
        ]
        for p in points
    ]
    headers = [
        "fronts",
        "clients",
        "merged",
        "batch_timeout",
        "B",
        "C",
        "req/s",
        "of ideal",
        "front batch",
        "model batch",
        "p50 ms",
        "p99 ms",
        "errors",
    ]
    return markdown_table(headers, rows)


if __name__ == "__main__":
    raise SystemExit(main())
