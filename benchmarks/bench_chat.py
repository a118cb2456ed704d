"""The chat benchmark: streaming answers of long-tailed lengths, unbatched vs static vs continuous batching.

``C`` closed-loop streaming clients (each asks its next question when its answer ended) talk to one carpool
app over the queue protocol (``POST /queue/join`` + one ``GET /queue/data`` SSE stream per client), from a
separate load process. Answer lengths are drawn with a fixed seed from an exponential spread (mean 64
tokens, at least 4, at most 512), like real chat traffic. Each endpoint streams one token per decode step:

- ``unbatched``: a generator per request, one at a time (``concurrency_limit=1``: one accelerator);
- ``static``: today's batched generator (``batch=True``): a batch runs until its longest member ends;
- ``continuous``: a ``Stepwise`` function: requests join between steps and leave as they finish.

The step is GPU-like and synthetic (``--fixed-ms`` + ``--per-item-ms`` per item in the running set, a
sleep that releases the GIL like a kernel launch), or, with ``--model``, a real causal LM's decode step on
the CPU (see ``examples/chat_model.py``). Reports tokens/s, time to first token (TTFT) and inter-token
latency p50/p99 per mode, as JSON, a markdown table and a plot.

    python -m benchmarks.bench_chat --quick
    carpool bench chat --concurrency 64 --batch-size 32 --json bench-results/chat.json \
        --plot docs/bench_chat.png
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import random
import sys
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as `python benchmarks/bench_chat.py`: make `benchmarks` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._common import markdown_table, percentile, save_two_panel_plot, serving, write_json

MODES = ("unbatched", "static", "continuous")
MEAN_TOKENS, MIN_TOKENS, MAX_TOKENS = 64, 4, 512


def answer_lengths(count: int, seed: int, mean: float = MEAN_TOKENS) -> list[int]:
    """Long-tailed answer lengths: exponential with ``mean``, clipped to [MIN_TOKENS, MAX_TOKENS]."""
    rng = random.Random(seed)
    return [min(MAX_TOKENS, max(MIN_TOKENS, round(rng.expovariate(1.0 / mean)))) for _ in range(count)]


def ideal_tokens_per_second(batch_size: int, fixed: float, per_item: float) -> float:
    """Work-conserving ideal: the running set always full, one token per item per step."""
    return batch_size / (fixed + per_item * batch_size)


# -- the served functions (synthetic accelerator) --------------------------------------------------------


class SyntheticAccelerator:
    """One device: a step over ``n`` items costs ``fixed + per_item * n`` seconds; steps never overlap."""

    def __init__(self, fixed: float, per_item: float) -> None:
        self.fixed, self.per_item = fixed, per_item
        self._lock = threading.Lock()

    def step(self, n: int) -> None:
        with self._lock:
            time.sleep(self.fixed + self.per_item * n)


TOKEN = "x"  # one character per token: the client counts tokens by the length of the text so far


def synthetic_app(device: SyntheticAccelerator, batch_size: int) -> Any:
    import carpool as cp
    from carpool.core import FINISHED, Done, Stepwise

    def unbatched(length: float) -> Iterator[str]:
        for i in range(int(length)):
            device.step(1)
            yield TOKEN * (i + 1)

    def static(lengths: list[float]) -> Iterator[list[Any]]:
        active = [int(n) for n in lengths]  # targets of the events not finished yet, in batch order
        for i in range(max(active)):
            device.step(sum(1 for n in active if n > i))  # only unfinished items cost, to be fair to it
            yield [[TOKEN * (i + 1) if n > i else FINISHED for n in active]]
            active = [n for n in active if n > i]  # FINISHED events leave the next steps' lists

    def join(lengths: list[float]) -> list[list[int]]:
        return [[int(n), 0] for n in lengths]

    def step(states: list[list[int]]) -> list[Any]:
        device.step(len(states))
        outputs: list[Any] = []
        for state in states:
            state[1] += 1
            text = TOKEN * state[1]
            outputs.append(Done(text) if state[1] >= state[0] else text)
        return outputs

    with cp.Blocks() as demo:
        length, answer = cp.Number(), cp.Textbox()
        cp.Button().click(unbatched, length, answer, api_name="unbatched", concurrency_limit=1)
        cp.Button().click(static, length, answer, api_name="static", batch=True, max_batch_size=batch_size)
        cp.Button().click(
            Stepwise(join, step, name="continuous"),
            length,
            answer,
            api_name="continuous",
            batch=True,
            max_batch_size=batch_size,
        )
    return demo


# -- the load process ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoadPlan:
    url: str
    api_name: str
    lengths: tuple[int, ...]  # request i asks for lengths[i % len]
    concurrency: int
    warmup: float  # seconds not measured
    seconds: float  # seconds measured


@dataclass(frozen=True)
class ModeResult:
    mode: str
    tokens: int
    tokens_per_second: float
    requests: int
    errors: int
    ttft_p50_ms: float
    ttft_p99_ms: float
    itl_p50_ms: float
    itl_p99_ms: float


class _Sse:
    """A minimal HTTP/1.1 client for the queue protocol: JSON POSTs and one chunked SSE stream."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, host: str) -> None:
        self.reader, self.writer, self.host = reader, writer, host
        self.buffer = b""

    @classmethod
    async def open(cls, url: str) -> _Sse:
        host_port = url.split("//", 1)[1].split("/", 1)[0]
        host, port = host_port.rsplit(":", 1)
        reader, writer = await asyncio.open_connection(host, int(port))
        return cls(reader, writer, host_port)

    async def post_json(self, path: str, payload: Any) -> Any:
        body = json.dumps(payload).encode()
        request = (
            f"POST {path} HTTP/1.1\r\nHost: {self.host}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
        self.writer.write(request)
        try:
            status, headers = await self._head()
        except ConnectionError:  # the server closed the idle keep-alive connection: reconnect once
            self.close()
            self.reader, self.writer = await asyncio.open_connection(*self.host.rsplit(":", 1))
            self.writer.write(request)
            status, headers = await self._head()
        data = await self.reader.readexactly(int(headers[b"content-length"]))
        if status != 200:
            raise RuntimeError(f"HTTP {status}: {data[:200]!r}")
        return json.loads(data)

    async def open_stream(self, path: str) -> None:
        self.writer.write(
            f"GET {path} HTTP/1.1\r\nHost: {self.host}\r\nAccept: text/event-stream\r\n\r\n".encode()
        )
        status, _ = await self._head()
        if status != 200:
            raise RuntimeError(f"HTTP {status} for the event stream")

    async def next_message(self) -> dict[str, Any]:
        while b"\n\n" not in self.buffer:
            size = int((await self.reader.readline()).strip(), 16)
            chunk = await self.reader.readexactly(size + 2)
            self.buffer += chunk[:-2]
        frame, self.buffer = self.buffer.split(b"\n\n", 1)
        for line in frame.split(b"\n"):
            if line.startswith(b"data: "):
                return json.loads(line[6:])  # type: ignore[no-any-return]
        return {}  # a heartbeat or comment

    async def _head(self) -> tuple[int, dict[bytes, bytes]]:
        line = await self.reader.readline()
        if not line:
            raise ConnectionError("the server closed the connection")
        status = int(line.split()[1])
        headers: dict[bytes, bytes] = {}
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            headers[name.strip().lower()] = value.strip()
        return status, headers

    def close(self) -> None:
        self.writer.close()


async def _client(plan: LoadPlan, tickets: Iterator[int], t0: float, out: dict[str, list[Any]]) -> None:
    session = uuid.uuid4().hex[:12]
    joins, stream = await _Sse.open(plan.url), await _Sse.open(plan.url)
    await stream.open_stream(f"/queue/data?session_hash={session}")
    start, end = t0 + plan.warmup, t0 + plan.warmup + plan.seconds
    try:
        for i in tickets:
            if time.perf_counter() >= end:
                return
            sent = time.perf_counter()
            body = {
                "data": [plan.lengths[i % len(plan.lengths)]],
                "api_name": plan.api_name,
                "session_hash": session,
            }
            await joins.post_json("/queue/join", body)
            seen, last = 0, sent
            gaps: list[float] = []
            ttft: float | None = None
            while True:
                left = end - time.perf_counter()
                if left <= 0:
                    return  # the window closed mid-answer: leave (the server cancels on disconnect)
                try:
                    message = await asyncio.wait_for(stream.next_message(), left)
                except TimeoutError:
                    if ttft is not None and start <= sent + ttft:
                        out["ttft"].append(ttft)  # its first token came in the window; the answer did not end
                        out["gaps"].extend(gaps)
                    return
                kind = message.get("msg")
                if kind not in ("process_generating", "process_completed"):
                    continue
                if message.get("status") in ("failed", "cancelled"):
                    out["errors"].append(message.get("error"))
                    break
                now = time.perf_counter()
                length = len(message["output"]["data"][0] or "")
                if length > seen:
                    if start <= now < end:
                        out["tokens"].append(length - seen)
                    if ttft is None:
                        ttft = now - sent
                    else:
                        gaps.append(now - last)
                    seen, last = length, now
                if kind == "process_completed":
                    break
            # an answer counts when its first token came in the window (also if it was asked before)
            if ttft is not None and start <= sent + ttft < end:
                out["ttft"].append(ttft)
                out["gaps"].extend(gaps)
    finally:
        joins.close()
        stream.close()


async def _drive(plan: LoadPlan) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {"tokens": [], "ttft": [], "gaps": [], "errors": []}
    tickets = iter(range(10**9))
    t0 = time.perf_counter()
    await asyncio.gather(*(_client(plan, tickets, t0, out) for _ in range(plan.concurrency)))
    out["tokens"] = [sum(out["tokens"])]
    return out


def _load_main(plan: LoadPlan, conn: Any) -> None:
    try:
        conn.send(("done", asyncio.run(_drive(plan))))
    except Exception as exc:  # reported to the parent, which raises it
        conn.send(("crashed", f"{type(exc).__name__}: {exc}"))


def run_load(plan: LoadPlan) -> dict[str, list[Any]]:
    """Run ``plan`` from a separate process (the clients' CPU never shares the server's GIL)."""
    ctx = multiprocessing.get_context("spawn")
    parent, child = ctx.Pipe()
    process = ctx.Process(target=_load_main, args=(plan, child), daemon=True)
    process.start()
    try:
        if not parent.poll(plan.warmup + plan.seconds + 120):
            raise TimeoutError(f"the load on {plan.api_name} did not finish")
        kind, payload = parent.recv()
    finally:
        process.join(timeout=10)
        if process.is_alive():
            process.terminate()
    if kind != "done":
        raise RuntimeError(f"the load process failed: {payload}")
    return payload  # type: ignore[no-any-return]


def summarize(mode: str, raw: dict[str, list[Any]], seconds: float) -> ModeResult:
    ms = 1000.0
    tokens = int(raw["tokens"][0])
    return ModeResult(
        mode=mode,
        tokens=tokens,
        tokens_per_second=tokens / seconds,
        requests=len(raw["ttft"]),
        errors=len(raw["errors"]),
        ttft_p50_ms=percentile(raw["ttft"], 50) * ms,
        ttft_p99_ms=percentile(raw["ttft"], 99) * ms,
        itl_p50_ms=percentile(raw["gaps"], 50) * ms,
        itl_p99_ms=percentile(raw["gaps"], 99) * ms,
    )


# -- the run ---------------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--concurrency", type=int, default=64, help="C: concurrent streaming clients")
    parser.add_argument("--batch-size", type=int, default=32, help="B: max_batch_size (running-set size)")
    parser.add_argument("--modes", default=",".join(MODES))
    parser.add_argument("--seconds", type=float, default=30.0, help="measured seconds per mode")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds per mode before measuring")
    parser.add_argument("--fixed-ms", type=float, default=20.0)
    parser.add_argument("--per-item-ms", type=float, default=0.5)
    parser.add_argument("--mean-tokens", type=float, default=MEAN_TOKENS)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--model", action="store_true", help="a real causal LM on the CPU, not the synthetic step"
    )
    parser.add_argument("--quick", action="store_true", help="a few seconds per mode (smoke run)")
    parser.add_argument("--json", help="write the results here")
    parser.add_argument("--markdown", help="write the table here")
    parser.add_argument("--plot", help="write a PNG plot here")
    args = parser.parse_args(argv)
    if args.quick:
        args.seconds, args.warmup = min(args.seconds, 2.0), min(args.warmup, 0.5)
    return args


def build_app(args: argparse.Namespace) -> tuple[Any, float | None]:
    if args.model:
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "examples"))
        from chat_model import model_installed

        if not model_installed():
            raise SystemExit("--model needs the model extra: pip install 'carpool[model]'")
        from benchmarks._chat_model import model_app

        return model_app(args.batch_size), None
    device = SyntheticAccelerator(args.fixed_ms / 1000.0, args.per_item_ms / 1000.0)
    return synthetic_app(device, args.batch_size), ideal_tokens_per_second(
        args.batch_size, device.fixed, device.per_item
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    modes = [m for m in args.modes.split(",") if m]
    unknown = set(modes) - set(MODES)
    if unknown:
        raise SystemExit(f"unknown mode(s) {sorted(unknown)}; choose from {MODES}")
    lengths = tuple(answer_lengths(4096, args.seed, args.mean_tokens))
    demo, ideal = build_app(args)
    results: list[ModeResult] = []
    with serving(demo) as url:
        for mode in modes:
            plan = LoadPlan(url, mode, lengths, args.concurrency, args.warmup, args.seconds)
            result = summarize(mode, run_load(plan), args.seconds)
            results.append(result)
            print(
                f"{mode:<11} {result.tokens_per_second:8.1f} tok/s  TTFT p50 {result.ttft_p50_ms:7.1f} ms",
                file=sys.stderr,
            )
    report(args, results, ideal)
    return 0


def report(args: argparse.Namespace, results: list[ModeResult], ideal: float | None) -> None:
    by_mode = {r.mode: r for r in results}
    headers = [
        "mode",
        "tokens/s",
        "TTFT p50 ms",
        "TTFT p99 ms",
        "ITL p50 ms",
        "ITL p99 ms",
        "requests",
        "errors",
    ]
    rows = [
        [
            r.mode,
            f"{r.tokens_per_second:.1f}",
            f"{r.ttft_p50_ms:.1f}",
            f"{r.ttft_p99_ms:.1f}",
            f"{r.itl_p50_ms:.1f}",
            f"{r.itl_p99_ms:.1f}",
            str(r.requests),
            str(r.errors),
        ]
        for r in results
    ]
    table = markdown_table(headers, rows)
    ratios: dict[str, float] = {}
    if "continuous" in by_mode:
        cont = by_mode["continuous"]
        if ideal:
            ratios["continuous / ideal"] = cont.tokens_per_second / ideal
        for other in ("static", "unbatched"):
            if other in by_mode and by_mode[other].tokens_per_second > 0:
                ratios[f"continuous / {other} tokens/s"] = (
                    cont.tokens_per_second / by_mode[other].tokens_per_second
                )
        if "static" in by_mode and by_mode["static"].ttft_p50_ms > 0:
            ratios["continuous / static TTFT p50"] = cont.ttft_p50_ms / by_mode["static"].ttft_p50_ms
    lines = [table, ""] + [f"- {name}: {value:.2f}" for name, value in ratios.items()]
    if ideal:
        lines.append(f"- ideal (running set always full): {ideal:.1f} tokens/s")
    text = "\n".join(lines)
    print(text)
    settings = {
        k: getattr(args, k)
        for k in (
            "concurrency",
            "batch_size",
            "seconds",
            "warmup",
            "fixed_ms",
            "per_item_ms",
            "mean_tokens",
            "seed",
            "model",
        )
    }
    if args.json:
        write_json(
            args.json,
            {"settings": settings, "results": [asdict(r) for r in results], "ratios": ratios, "ideal": ideal},
        )
    if args.markdown:
        Path(args.markdown).write_text(text + "\n")
    if args.plot:
        names = [r.mode for r in results]
        save_two_panel_plot(
            args.plot,
            f"chat streaming, C={args.concurrency}, B={args.batch_size}",
            "mode",
            names,
            [
                ("tokens/s", {"throughput": [r.tokens_per_second for r in results]}),
                (
                    "TTFT ms",
                    {"p50": [r.ttft_p50_ms for r in results], "p99": [r.ttft_p99_ms for r in results]},
                ),
            ],
        )


if __name__ == "__main__":
    raise SystemExit(main())
