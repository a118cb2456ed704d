"""carpool over HTTP against bare Starlette + uvicorn batchers, side by side in one run.

    carpool bench http                      # every point, a table on stdout
    carpool bench http --quick              # fewer requests, one round (a smoke run, ~3 minutes on 2 cores)
    carpool bench http --json bench-results/http.json --plot docs/bench_http.png

Every point starts fresh servers, each in its own process; the load comes from another process
(closed-loop asyncio clients on raw keep-alive HTTP/1.1 connections, each sending its next
``POST /api/predict`` as soon as its last one returned), so no server shares its GIL or event loop with
the load. The servers:

- ``bare``: what a careful engineer writes in an afternoon: one asyncio queue, a worker that takes every
  waiting request (up to B) the moment the previous batch ends and runs the function in a thread;
- ``bare-full``: the same, but it holds every batch until ``min(B, C)`` requests wait -- it is told the
  number of clients, an oracle no real server has: the ceiling of what waiting can buy;
- ``carpool t=0`` and ``carpool auto``: carpool with ``batch_timeout=0`` and ``batch_timeout="auto"``.

The functions: ``trivial`` (returns its input: the per-request cost of the server) and ``gpu`` (50 ms +
1 ms per item, a sleep that releases the GIL as a kernel would). "of ideal" is the throughput over
``n / (0.050 + 0.001 n)`` with ``n = min(B, C)``: back-to-back full batches with no gap between them.
"server CPU" is the server process's CPU time (all threads) over the measured requests, per request.
``mean batch`` counts the function's calls in the measured phase.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing
import resource
import socket
import statistics
import sys
import threading
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import asdict, dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as `python benchmarks/bench_http.py`: make `benchmarks` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._common import RawConnection, machine_info, markdown_table, percentile

GPU_FIXED, GPU_PER_ITEM = 0.050, 0.001
_FULL_HOLD_LIMIT = 2.0  # bare-full gives up holding after this (seconds): never reached in a whole round


# -- the functions (counted in the server process: calls are batches) -------------------------------


class _Calls:
    batches = 0
    items = 0


def _counted(texts: list[str]) -> None:
    _Calls.batches += 1
    _Calls.items += len(texts)


def trivial(texts: list[str]) -> list[list[str]]:
    _counted(texts)
    return [texts]


def gpu_like(texts: list[str]) -> list[list[str]]:
    _counted(texts)
    time.sleep(GPU_FIXED + GPU_PER_ITEM * len(texts))  # a kernel launch plus work per item
    return [texts]


FUNCTIONS = {"trivial": trivial, "gpu": gpu_like}


def ideal_throughput(batch_size: int, concurrency: int) -> float:
    n = min(batch_size, concurrency)
    return n / (GPU_FIXED + GPU_PER_ITEM * n)


# -- the servers (each in its own process) ----------------------------------------------------------


@dataclass(frozen=True)
class ServerSpec:
    """What one server process runs: ``kind`` is carpool or bare; ``fill`` > 1 makes bare hold batches."""

    kind: str
    fn: str
    batch_size: int
    batch_timeout: Any = 0.0
    fill: int = 1


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)  # every thread of this process
    return usage.ru_utime + usage.ru_stime


def _answer_probes(conn: Connection, stop: Callable[[], None]) -> None:
    """The server process's side of the pipe: report CPU and batch counts until told to stop."""
    while (message := conn.recv()) != "stop":
        assert message == "probe"
        conn.send((_cpu_seconds(), _Calls.batches, _Calls.items))
    stop()


def _free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


def serve(spec: ServerSpec, conn: Connection) -> None:
    (serve_carpool if spec.kind == "carpool" else serve_bare)(spec, conn)


def serve_carpool(spec: ServerSpec, conn: Connection) -> None:
    from carpool.app import Blocks
    from carpool.components import Button, Textbox
    from carpool.server import launch

    with Blocks() as demo:
        box, out = Textbox(), Textbox()
        Button("Go").click(
            FUNCTIONS[spec.fn], box, out, batch=True, max_batch_size=spec.batch_size,
            batch_timeout=spec.batch_timeout, api_name="predict",
        )  # fmt: skip
    server = launch(demo, server_name="127.0.0.1", server_port=0, prevent_thread_lock=True, quiet=True)
    conn.send(server.local_url)
    _answer_probes(conn, lambda: server.close(timeout=10))


def serve_bare(spec: ServerSpec, conn: Connection) -> None:
    import uvicorn
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    fn = FUNCTIONS[spec.fn]
    waiting: asyncio.Queue[tuple[str, asyncio.Future[str]]] = asyncio.Queue()
    enough = asyncio.Event()  # bare-full: a request arrived

    async def batcher() -> None:
        loop = asyncio.get_running_loop()
        while True:
            while spec.fill > 1 and waiting.qsize() < spec.fill:  # bare-full: hold the batch until it is full
                enough.clear()
                try:  # a safety net only: every phase is a whole number of rounds of C requests
                    await asyncio.wait_for(enough.wait(), _FULL_HOLD_LIMIT)
                except TimeoutError:
                    break
            batch = [await waiting.get()]
            while len(batch) < spec.batch_size and not waiting.empty():
                batch.append(waiting.get_nowait())
            outputs = await loop.run_in_executor(None, fn, [text for text, _ in batch])
            for (_, future), output in zip(batch, outputs[0], strict=True):
                future.set_result(output)

    async def predict(request: Request) -> JSONResponse:
        body = await request.json()
        future: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        waiting.put_nowait((body["data"][0], future))
        if spec.fill > 1:
            enough.set()
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

    def stop() -> None:
        server.should_exit = True

    threading.Thread(target=_answer_probes, args=(conn, stop), daemon=True).start()
    server.run(sockets=[sock])


# -- the load (its own process) ---------------------------------------------------------------------


def run_load(url: str, concurrency: int, requests: int, warmup: int, conn: Connection) -> None:
    """Warm up, tell the parent (which probes the server), wait for "go", measure, send the result."""
    conn.send(asyncio.run(_load(url, concurrency, requests, warmup, conn)))


async def _load(url: str, concurrency: int, requests: int, warmup: int, conn: Connection) -> dict[str, Any]:
    # A hand-rolled HTTP/1.1 client: the point is to measure servers, and a general client would make
    # the load process the bottleneck on a small machine.
    connections = [await RawConnection.open(url) for _ in range(concurrency)]

    async def worker(
        connection: RawConnection, count: int, latencies: list[float], errors: list[int]
    ) -> None:
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
    conn.send("warm")
    conn.recv()  # "go": the parent has read the server's counters
    cpu_started = time.process_time()
    latencies, errors, wall = await phase(requests)
    client_cpu = time.process_time() - cpu_started
    for connection in connections:
        connection.close()
    return {"latencies": latencies, "errors": len(errors), "wall": wall, "client_cpu": client_cpu}


# -- one measurement --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    name: str
    fn: str
    batch_size: int
    concurrency: int
    requests: int
    servers: tuple[str, ...]


@dataclass(frozen=True)
class Result:
    scenario: str
    server: str
    batch_size: int
    concurrency: int
    requests: int
    errors: int
    throughput: float
    p50_ms: float
    p99_ms: float
    mean_batch: float
    server_cpu_ms: float  # per request
    client_cpu_ms: float  # per request
    ideal: float | None
    of_ideal: float | None = field(default=None)


def server_spec(server: str, scenario: Scenario) -> ServerSpec:
    b = scenario.batch_size
    specs = {
        "bare": ServerSpec("bare", scenario.fn, b),
        "bare-full": ServerSpec("bare", scenario.fn, b, fill=min(b, scenario.concurrency)),
        "carpool t=0": ServerSpec("carpool", scenario.fn, b, 0.0),
        "carpool auto": ServerSpec("carpool", scenario.fn, b, "auto"),
    }
    return specs[server]


def _expect(conn: Connection, seconds: float, what: str) -> Any:
    if not conn.poll(seconds):
        raise RuntimeError(f"{what} did not answer within {seconds:.0f}s")
    return conn.recv()


def measure(scenario: Scenario, server_name: str, warmup: int) -> Result:
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    spec = server_spec(server_name, scenario)
    server = context.Process(target=serve, args=(spec, child), daemon=True)
    server.start()
    try:
        url = _expect(parent, 120, f"the {server_name} server")
        load_parent, load_child = context.Pipe()
        args = (url, scenario.concurrency, scenario.requests, warmup, load_child)
        load = context.Process(target=run_load, args=args, daemon=True)
        load.start()
        _expect(load_parent, 600, "the load process (warm-up)")
        parent.send("probe")
        cpu_before, batches_before, items_before = _expect(parent, 30, "the server (probe)")
        load_parent.send("go")
        outcome = _expect(load_parent, 600, "the load process")
        parent.send("probe")
        cpu_after, batches_after, items_after = _expect(parent, 30, "the server (probe)")
        load.join(10)
    finally:
        with contextlib.suppress(OSError):
            parent.send("stop")
        server.join(15)
        if server.is_alive():
            server.terminate()
            server.join(5)
    ms = [x * 1000 for x in outcome["latencies"]]
    done = max(len(ms), 1)
    batches = batches_after - batches_before
    ideal = ideal_throughput(scenario.batch_size, scenario.concurrency) if scenario.fn == "gpu" else None
    throughput = len(ms) / outcome["wall"]
    return Result(
        scenario=scenario.name,
        server=server_name,
        batch_size=scenario.batch_size,
        concurrency=scenario.concurrency,
        requests=len(ms),
        errors=outcome["errors"],
        throughput=throughput,
        p50_ms=statistics.median(ms) if ms else float("nan"),
        p99_ms=percentile(ms, 99),
        mean_batch=(items_after - items_before) / batches if batches else float("nan"),
        server_cpu_ms=1000 * (cpu_after - cpu_before) / done,
        client_cpu_ms=1000 * outcome["client_cpu"] / done,
        ideal=ideal,
        of_ideal=throughput / ideal if ideal else None,
    )


def measure_point(scenario: Scenario, servers: Sequence[str], rounds: int) -> dict[str, Result]:
    """Each server ``rounds`` times, interleaved (reversed every other round); the best run of each.

    Other processes on a shared machine can only slow a run down, so the fastest is the least
    disturbed; interleaving gives every server the same share of a noisy spell.
    """
    c = scenario.concurrency
    warmup = max(6, scenario.requests // 8 // c) * c  # whole rounds, as the measured phase
    best: dict[str, Result] = {}
    for round_ in range(rounds):
        for name in servers if round_ % 2 == 0 else list(reversed(servers)):
            print(f"... {scenario.name}: {name} (round {round_ + 1}/{rounds})", file=sys.stderr, flush=True)
            result = measure(scenario, name, warmup)
            if name not in best or result.throughput > best[name].throughput:
                best[name] = result
    return {name: best[name] for name in servers}


_ALL = ("bare", "bare-full", "carpool t=0", "carpool auto")
_NO_FULL = ("bare", "carpool t=0", "carpool auto")


def scenarios(quick: bool) -> list[Scenario]:
    scale = 0.3 if quick else 1.0

    def n(count: int, concurrency: int) -> int:  # whole rounds: every client sends as many requests
        return max(round(count * scale / concurrency), 8) * concurrency

    return [
        Scenario("trivial B=16 C=64", "trivial", 16, 64, n(16000, 64), _NO_FULL),
        Scenario("trivial C=1", "trivial", 16, 1, n(3000, 1), _NO_FULL),
        Scenario("gpu B=16 C=16", "gpu", 16, 16, n(2400, 16), _ALL),
        Scenario("gpu B=64 C=64", "gpu", 64, 64, n(5000, 64), _ALL),
        Scenario("gpu B=64 C=16", "gpu", 64, 16, n(2400, 16), _ALL),
        Scenario("gpu C=1 (idle)", "gpu", 16, 1, n(100, 1), _NO_FULL),
    ]


def _row(result: Result, baseline: Result | None) -> list[str]:
    ratio = f"{result.throughput / baseline.throughput:.2f}x" if baseline and baseline is not result else ""
    of_ideal = f"{result.of_ideal:.2f}" if result.of_ideal is not None else ""
    return [
        result.scenario, result.server, f"{result.throughput:,.0f}", ratio, of_ideal,
        f"{result.mean_batch:.1f}", f"{result.p50_ms:.2f}", f"{result.p99_ms:.2f}",
        f"{result.server_cpu_ms:.3f}", str(result.errors),
    ]  # fmt: skip


def verdict(results: Sequence[Result]) -> list[str]:
    """Does "auto" qualify as the default (never worse than 0, <= 1 ms extra at idle)? And the targets."""
    by = {(r.scenario, r.server): r for r in results}
    lines = []
    for scenario in sorted({r.scenario for r in results}, key=[r.scenario for r in results].index):
        zero, auto = by.get((scenario, "carpool t=0")), by.get((scenario, "carpool auto"))
        full, bare = by.get((scenario, "bare-full")), by.get((scenario, "bare"))
        if zero is None or auto is None:
            continue
        if scenario.endswith("(idle)") or scenario.startswith("trivial C=1"):
            lines.append(f"{scenario}: auto p50 {auto.p50_ms - zero.p50_ms:+.2f} ms vs t=0 (limit +1 ms)")
        else:
            lines.append(f"{scenario}: auto/t=0 throughput {auto.throughput / zero.throughput:.2f}x")
        if auto.of_ideal is not None:
            target = f"{auto.of_ideal:.2f} of ideal (>= 0.9"
            if full is not None and full.of_ideal is not None:
                target += f", or >= {full.of_ideal - 0.05:.2f}: bare-full {full.of_ideal:.2f} - 0.05"
            lines.append(f"  auto: {target})")
        if bare is not None and scenario.startswith("trivial"):
            lines.append(
                f"  vs bare: t=0 {zero.throughput / bare.throughput:.2f}x, auto "
                f"{auto.throughput / bare.throughput:.2f}x; p50 t=0 {zero.p50_ms - bare.p50_ms:+.2f} ms"
            )
    return lines


def save_plot(path: str, results: Sequence[Result]) -> None:
    try:
        import matplotlib
    except ImportError as exc:  # matplotlib is in the `bench` extra, not a core dependency
        raise SystemExit("--plot needs matplotlib: pip install 'carpool[bench]'") from exc
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.4))
    _bars(left, [r for r in results if r.of_ideal is not None and r.concurrency > 1], "of_ideal")
    left.set_ylabel("throughput / ideal")
    left.set_title("GPU-like fn (50 ms + 1 ms/item)")
    left.axhline(0.9, color="grey", linestyle=":", linewidth=1)
    _bars(right, [r for r in results if r.scenario.startswith("trivial")], "server_cpu_ms")
    right.set_ylabel("server CPU ms per request")
    right.set_title("trivial fn")
    fig.tight_layout()
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(target, dpi=110)
    plt.close(fig)


def _bars(ax: Any, results: Sequence[Result], metric: str) -> None:
    scenarios_ = list(dict.fromkeys(r.scenario for r in results))
    servers = list(dict.fromkeys(r.server for r in results))
    width = 0.8 / max(len(servers), 1)
    for i, server in enumerate(servers):
        values = {r.scenario: getattr(r, metric) for r in results if r.server == server}
        xs = [j + i * width for j, s in enumerate(scenarios_) if s in values]
        ax.bar(xs, [values[s] for s in scenarios_ if s in values], width, label=server)
    ax.set_xticks([j + 0.4 - width / 2 for j in range(len(scenarios_))], scenarios_, fontsize="small")
    ax.grid(axis="y", alpha=0.3)
    top = max((getattr(r, metric) for r in results), default=1.0)
    ax.set_ylim(0, top * 1.3)  # room above the bars for the legend
    ax.legend(fontsize="small", ncol=2, loc="upper left")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="under a third of the requests")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    parser.add_argument("--plot", metavar="PATH", help="also draw of-ideal and CPU per request (PNG)")
    parser.add_argument("--only", metavar="NAME", help="scenarios whose name contains NAME")
    parser.add_argument("--servers", metavar="A,B", help=f"a subset of: {', '.join(_ALL)}")
    parser.add_argument(
        "--rounds", type=int, metavar="N", help="runs of each point, interleaved; the best is kept "
        "(default: 1 with --quick, else 2)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    wanted = set(args.servers.split(",")) if args.servers else set(_ALL)
    rounds = args.rounds or (1 if args.quick else 2)
    results: list[Result] = []
    rows: list[list[str]] = []
    for scenario in scenarios(args.quick):
        if args.only and args.only not in scenario.name:
            continue
        measured = measure_point(scenario, [s for s in scenario.servers if s in wanted], rounds)
        results.extend(measured.values())
        rows.extend(_row(result, measured.get("bare")) for result in measured.values())
    headers = [
        "scenario", "server", "req/s", "vs bare", "of ideal", "mean batch", "p50 ms", "p99 ms",
        "server CPU ms/req", "errors",
    ]  # fmt: skip
    print(markdown_table(headers, rows))
    print("\n".join(verdict(results)))
    if args.json:
        payload = {"machine": machine_info(), "results": [asdict(r) for r in results]}
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(payload, indent=2) + "\n")
    if args.plot:
        save_plot(args.plot, results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
