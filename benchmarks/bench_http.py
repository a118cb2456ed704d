"""carpool over HTTP vs a bare Starlette + uvicorn route with a minimal batcher, side by side.

    python benchmarks/bench_http.py            # full run, a table on stdout
    python benchmarks/bench_http.py --quick    # fewer requests (a smoke run)
    python benchmarks/bench_http.py --json out.json

Each server runs in its own process; the load comes from a third process (closed-loop asyncio
clients, each sending its next ``POST /api/predict`` as soon as the last one returned), so neither server
shares its GIL with the load. Scenarios (issue 3's targets):

- trivial fn, B=16, C=64: carpool's req/s relative to the bare server's (target >= 0.8x);
- trivial fn, C=1: median latency (target <= 1.5 ms);
- GPU-like fn (50 ms + 1 ms/item), B=16, C=64: achieved / ideal throughput (target >= 0.95);
- GPU-like fn, B=C=64, carpool with batch_timeout="auto": achieved / ideal (target >= 0.9).

The bare server is what a careful engineer writes in an afternoon: one asyncio queue, a worker that
takes every waiting request (up to B) the moment the previous batch ends and runs the function in a
thread. It never waits to fill a batch.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing
import socket
import statistics
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as `python benchmarks/bench_http.py`: make `benchmarks` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._common import RawConnection, machine_info, markdown_table, percentile

GPU_FIXED, GPU_PER_ITEM = 0.050, 0.001


# -- the functions ----------------------------------------------------------------------------------


def trivial(texts: list[str]) -> list[list[str]]:
    return [texts]


def gpu_like(texts: list[str]) -> list[list[str]]:
    time.sleep(GPU_FIXED + GPU_PER_ITEM * len(texts))  # a kernel launch plus work per item
    return [texts]


FUNCTIONS = {"trivial": trivial, "gpu": gpu_like}


def ideal_throughput(batch_size: int) -> float:
    return batch_size / (GPU_FIXED + GPU_PER_ITEM * batch_size)


# -- the servers (each in its own process) ----------------------------------------------------------


def _free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


def serve_carpool(fn_name: str, batch_size: int, batch_timeout: Any, conn: Connection) -> None:
    from carpool.app import Blocks
    from carpool.components import Button, Textbox
    from carpool.server import launch

    with Blocks() as demo:
        box, out = Textbox(), Textbox()
        Button("Go").click(
            FUNCTIONS[fn_name], box, out, batch=True, max_batch_size=batch_size,
            batch_timeout=batch_timeout, api_name="predict",
        )  # fmt: skip
    server = launch(demo, server_name="127.0.0.1", server_port=0, prevent_thread_lock=True, quiet=True)
    conn.send(server.local_url)
    conn.recv()  # until the benchmark says stop
    server.close(timeout=10)


def serve_bare(fn_name: str, batch_size: int, batch_timeout: Any, conn: Connection) -> None:
    import uvicorn
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    fn = FUNCTIONS[fn_name]
    waiting: asyncio.Queue[tuple[str, asyncio.Future[str]]] = asyncio.Queue()

    async def batcher() -> None:
        loop = asyncio.get_running_loop()
        while True:
            batch = [await waiting.get()]
            while len(batch) < batch_size and not waiting.empty():
                batch.append(waiting.get_nowait())
            outputs = await loop.run_in_executor(None, fn, [text for text, _ in batch])
            for (_, future), output in zip(batch, outputs[0], strict=True):
                future.set_result(output)

    async def predict(request: Request) -> JSONResponse:
        body = await request.json()
        future: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        waiting.put_nowait((body["data"][0], future))
        return JSONResponse({"data": [await future]})

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        task = asyncio.create_task(batcher())
        yield
        task.cancel()

    app = Starlette(routes=[Route("/api/predict", predict, methods=["POST"])], lifespan=lifespan)
    sock = _free_socket()
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    conn.send(f"http://127.0.0.1:{sock.getsockname()[1]}/")
    server.run(sockets=[sock])  # stopped by terminate()


SERVERS = {"carpool": serve_carpool, "bare": serve_bare}


# -- the load (its own process) ---------------------------------------------------------------------


def run_load(url: str, concurrency: int, requests: int, warmup: int, client: str, conn: Connection) -> None:
    conn.send(asyncio.run(_load(url, concurrency, requests, warmup, client)))


class _HttpxConnection:
    """The same POST through httpx: what a typical Python load generator costs (it caps both servers)."""

    def __init__(self, client: Any) -> None:
        self.client = client

    async def post(self, path: str, body: bytes) -> tuple[int, bytes]:
        response = await self.client.post(path, content=body, headers={"content-type": "application/json"})
        return int(response.status_code), response.content

    def close(self) -> None:
        pass  # the shared httpx client is closed with the event loop


async def _connections(url: str, concurrency: int, client: str) -> list[Any]:
    if client == "httpx":
        import httpx

        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        shared = httpx.AsyncClient(base_url=url, limits=limits, timeout=60)
        return [_HttpxConnection(shared)] * concurrency
    # A hand-rolled HTTP/1.1 client: the point is to measure servers, and a general client would make
    # the load process the bottleneck on a small machine.
    return [await RawConnection.open(url) for _ in range(concurrency)]


async def _load(url: str, concurrency: int, requests: int, warmup: int, client: str) -> dict[str, Any]:
    connections = await _connections(url, concurrency, client)

    async def worker(connection: Any, count: int, latencies: list[float], errors: list[int]) -> None:
        for i in range(count):
            body = json.dumps({"data": [f"sample-{i}"]}).encode()
            started = time.perf_counter()
            status, _ = await connection.post("/api/predict", body)
            if status == 200:
                latencies.append(time.perf_counter() - started)
            else:
                errors.append(status)

    async def phase(total: int) -> tuple[list[float], list[int], float]:
        latencies: list[float] = []
        errors: list[int] = []
        share = [total // concurrency + (1 if i < total % concurrency else 0) for i in range(concurrency)]
        started = time.perf_counter()
        await asyncio.gather(
            *(worker(c, n, latencies, errors) for c, n in zip(connections, share, strict=True))
        )
        return latencies, errors, time.perf_counter() - started

    await phase(warmup)
    latencies, errors, wall = await phase(requests)
    for connection in connections:
        connection.close()
    return {"latencies": latencies, "errors": len(errors), "wall": wall}


# -- one measurement --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    name: str
    fn: str
    batch_size: int
    concurrency: int
    requests: int
    batch_timeout: Any = 0.0


@dataclass(frozen=True)
class Result:
    scenario: str
    server: str
    requests: int
    errors: int
    throughput: float
    p50_ms: float
    p99_ms: float
    ideal: float | None


def measure(scenario: Scenario, server_name: str, warmup: int, client: str) -> Result:
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    timeout = scenario.batch_timeout if server_name == "carpool" else 0.0
    server = context.Process(
        target=SERVERS[server_name], args=(scenario.fn, scenario.batch_size, timeout, child), daemon=True
    )
    server.start()
    try:
        if not parent.poll(120):
            raise RuntimeError(f"{server_name} server did not start")
        url = parent.recv()
        load_parent, load_child = context.Pipe()
        args = (url, scenario.concurrency, scenario.requests, warmup, client, load_child)
        load = context.Process(target=run_load, args=args, daemon=True)
        load.start()
        if not load_parent.poll(600):
            raise RuntimeError("the load process did not finish")
        outcome = load_parent.recv()
        load.join(10)
    finally:
        parent.send("stop")
        server.join(15)
        if server.is_alive():
            server.terminate()
            server.join(5)
    ms = [x * 1000 for x in outcome["latencies"]]
    ideal = ideal_throughput(scenario.batch_size) if scenario.fn == "gpu" else None
    return Result(
        scenario=scenario.name,
        server=server_name,
        requests=len(ms),
        errors=outcome["errors"],
        throughput=len(ms) / outcome["wall"],
        p50_ms=statistics.median(ms) if ms else float("nan"),
        p99_ms=percentile(ms, 99),
        ideal=ideal,
    )


def scenarios(quick: bool) -> list[Scenario]:
    scale = 0.25 if quick else 1.0
    return [
        Scenario("trivial B=16 C=64", "trivial", 16, 64, int(8000 * scale)),
        Scenario("trivial C=1", "trivial", 16, 1, int(2000 * scale)),
        Scenario("gpu-like B=16 C=64", "gpu", 16, 64, int(2400 * scale)),
        Scenario("gpu-like B=64 C=64 auto", "gpu", 64, 64, int(4000 * scale), batch_timeout="auto"),
    ]


def _row(result: Result, baseline: Result | None) -> list[str]:
    ratio = f"{result.throughput / baseline.throughput:.2f}x" if baseline and baseline is not result else ""
    of_ideal = f"{result.throughput / result.ideal:.2f}" if result.ideal else ""
    return [
        result.scenario, result.server, f"{result.throughput:,.0f}", ratio, of_ideal,
        f"{result.p50_ms:.2f}", f"{result.p99_ms:.2f}", str(result.errors),
    ]  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="a quarter of the requests")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    parser.add_argument("--only", choices=["carpool", "bare"], help="measure one server only")
    parser.add_argument(
        "--client", choices=["raw", "httpx"], default="raw",
        help="load generator: raw asyncio HTTP/1.1 (default; cheap) or httpx (caps both servers)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    results: list[Result] = []
    rows: list[list[str]] = []
    for scenario in scenarios(args.quick):
        warmup = max(scenario.concurrency * 4, scenario.requests // 10)
        measured = {}
        for name in [args.only] if args.only else ["bare", "carpool"]:
            print(f"... {scenario.name}: {name}", file=sys.stderr, flush=True)
            measured[name] = measure(scenario, name, warmup, args.client)
            results.append(measured[name])
        for result in measured.values():
            rows.append(_row(result, measured.get("bare")))
    headers = ["scenario", "server", "req/s", "vs bare", "of ideal", "p50 ms", "p99 ms", "errors"]
    print(markdown_table(headers, rows))
    if args.json:
        payload = {"machine": machine_info(), "client": args.client, "results": [asdict(r) for r in results]}
        Path(args.json).write_text(json.dumps(payload, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
