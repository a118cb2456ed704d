"""The queue benchmark: text, image, audio and video functions under concurrent clients, batched or not.

A carpool app serves one endpoint per (payload kind, max batch size): ``text_b1`` is unbatched,
``image_b16`` is ``batch=True, max_batch_size=16``, and so on. A separate load process runs ``concurrency``
closed-loop ``carpool.AsyncClient`` s against each endpoint in turn over the real protocol: files go up
through ``POST /upload`` and come back as file outputs the client downloads.

Every function pays a simulated accelerator cost of ``fixed + per_item * n`` seconds per call (a sleep,
which releases the GIL like a GPU kernel would) on top of real vectorised numpy work on its payloads. That
cost grows sublinearly with the batch (per item it falls), so a bigger ``max_batch_size`` must never be
slower: the run ends with exit code 1 if throughput drops by more than ``--tolerance`` from one batch size
to the next bigger one (the seed's benchmark once measured max_batch_size=20 slower than 4).

``--conversion-workers 0,2`` measures the same endpoints on one fresh server per value of
``launch(conversion_workers=)``, interleaved in one run, so the table shows what worker processes for
media conversion buy on this machine (``auto``, the default, is what an app gets without asking).

    python -m benchmarks.bench_queue --quick
    carpool bench queue --json bench-results/queue.json --plot docs/bench_queue.png
    carpool bench queue --kinds image,audio,video --batch-sizes 16 --conversion-workers 0,2
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import os
import sys
import tempfile
import time
import wave
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image as PILImage

if __package__ in (None, ""):  # run as `python benchmarks/bench_queue.py`: make `benchmarks` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import itertools
import math

from benchmarks._common import (
    FileArg,
    LoadProcess,
    LoadSpec,
    ProgressBar,
    Summary,
    markdown_table,
    save_two_panel_plot,
    serving,
    write_json,
)

KINDS = ("text", "image", "audio", "video")
UNBATCHED = 1  # in --batch-sizes, 1 means batch=False (one call per request)

# Payload sizes: what a user of each kind of app typically sends.
TEXT_WORDS = 180  # ~1 KB of text
IMAGE_SIDE = 256  # 256x256 RGB PNG with texture, ~150 KB
AUDIO_SECONDS, AUDIO_RATE = 3, 16_000  # 3 s of 16 kHz mono int16 WAV, ~96 KB
VIDEO_BYTES = 1_000_000  # a 1 MB clip


@dataclass(frozen=True)
class CostModel:
    """Seconds a call of ``n`` samples costs the simulated accelerator: ``fixed + per_item * n``."""

    fixed: float
    per_item: float

    def pay(self, n: int) -> None:
        time.sleep(self.fixed + self.per_item * n)


# -- the batched functions: one list per input in, one list per output out -------------------------


def reverse_words(texts: list[str], *, cost: CostModel) -> list[list[str]]:
    cost.pay(len(texts))
    return [[" ".join(reversed(t.split())) for t in texts]]


def invert_images(images: list[np.ndarray], *, cost: CostModel) -> list[list[np.ndarray]]:
    cost.pay(len(images))
    out: list[np.ndarray] = [np.empty(0)] * len(images)
    for indices in _group_by_shape(images):
        # one vectorised operation over every image of this shape in the batch
        stacked = 255 - np.stack([images[i] for i in indices])
        for i, img in zip(indices, stacked, strict=True):
            out[i] = img
    return [out]


def halve_gain(clips: list[tuple[int, np.ndarray]], *, cost: CostModel) -> list[list[tuple[int, np.ndarray]]]:
    cost.pay(len(clips))
    longest = max(len(a) for _, a in clips)
    # zero-pad to one matrix so the gain is one numpy operation for the whole batch
    padded = np.zeros((len(clips), longest), dtype=np.int16)
    for row, (_, samples) in zip(padded, clips, strict=True):
        row[: len(samples)] = samples.reshape(len(samples), -1)[:, 0]
    scaled = (padded // 2).astype(np.int16)
    return [[(sr, scaled[i, : len(a)]) for i, (sr, a) in enumerate(clips)]]


def checksum_videos(paths: list[str], *, cost: CostModel) -> list[list[str]]:
    cost.pay(len(paths))
    for path in paths:  # read every clip as the model would; the clip itself comes back as a file output
        hashlib.blake2b(Path(path).read_bytes(), digest_size=8).hexdigest()
    return [list(paths)]


def _group_by_shape(arrays: Sequence[np.ndarray]) -> list[list[int]]:
    groups: dict[tuple[int, ...], list[int]] = {}
    for i, a in enumerate(arrays):
        groups.setdefault(a.shape, []).append(i)
    return list(groups.values())


BATCHED_FUNCTIONS: dict[str, Callable[..., list[list[Any]]]] = {
    "text": reverse_words,
    "image": invert_images,
    "audio": halve_gain,
    "video": checksum_videos,
}


def bind(kind: str, cost: CostModel, batched: bool) -> Callable[..., Any]:
    """The function an endpoint of ``kind`` runs: the batched one, or a one-sample wrapper of it."""
    batched_fn = BATCHED_FUNCTIONS[kind]

    def run_batch(items: list[Any]) -> list[list[Any]]:
        return batched_fn(items, cost=cost)

    def run_one(item: Any) -> Any:
        return batched_fn([item], cost=cost)[0][0]

    fn = run_batch if batched else run_one
    fn.__name__ = fn.__qualname__ = f"{batched_fn.__name__}{'' if batched else '_one'}"
    return fn


# -- the app --------------------------------------------------------------------------------------


def endpoint_name(kind: str, batch_size: int) -> str:
    return f"{kind}_b{batch_size}"


def _components(cp: Any, kind: str) -> tuple[Any, Any]:
    if kind == "text":
        return cp.Textbox(label="text"), cp.Textbox(label="result")
    if kind == "image":
        return cp.Image(type="numpy", label="image"), cp.Image(type="numpy", label="result")
    if kind == "audio":
        return cp.Audio(type="numpy", label="audio"), cp.Audio(type="numpy", label="result")
    return cp.Video(label="video"), cp.Video(label="result")


def build_app(kinds: Sequence[str], batch_sizes: Sequence[int], cost: CostModel) -> Any:
    import carpool as cp

    with cp.Blocks(title="carpool queue benchmark") as demo:
        for kind in kinds:
            with cp.Tab(kind):
                source, result = _components(cp, kind)
                run = cp.Button("Run")
                for b in batch_sizes:
                    options: dict[str, Any] = {"batch": True, "max_batch_size": b} if b != UNBATCHED else {}
                    run.click(
                        bind(kind, cost, b != UNBATCHED),
                        source,
                        result,
                        **options,
                        api_name=endpoint_name(kind, b),
                    )
    return demo


# -- payloads -------------------------------------------------------------------------------------


def make_payloads(folder: Path, seed: int = 0, image_side: int = IMAGE_SIDE) -> dict[str, tuple[Any, ...]]:
    """One input per kind, written to ``folder``: realistic sizes, deterministic content."""
    rng = np.random.default_rng(seed)
    words = rng.choice(["batch", "queue", "model", "request", "latency", "carpool", "token"], TEXT_WORDS)

    gradient = np.linspace(0, 200, image_side, dtype=np.float32)
    texture = rng.integers(0, 56, (image_side, image_side, 3))
    image = (gradient[None, :, None] + texture).astype(np.uint8)
    PILImage.fromarray(image).save(folder / "image.png")

    t = np.arange(AUDIO_SECONDS * AUDIO_RATE) / AUDIO_RATE
    tone = (0.5 * np.sin(2 * np.pi * 440 * t) * 32767).astype(np.int16)
    with wave.open(str(folder / "audio.wav"), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(AUDIO_RATE)
        w.writeframes(tone.tobytes())

    # No codec is a dependency, so the clip is an ISO-BMFF-shaped blob: the queue only moves its bytes.
    (folder / "video.mp4").write_bytes(
        b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + rng.bytes(VIDEO_BYTES)
    )
    return {
        "text": (" ".join(words),),
        "image": (FileArg(str(folder / "image.png")),),
        "audio": (FileArg(str(folder / "audio.wav")),),
        "video": (FileArg(str(folder / "video.mp4")),),
    }


# -- running and checking -------------------------------------------------------------------------


Workers = int | str  # a launch(conversion_workers=) value: a count or "auto"


@dataclass(frozen=True)
class Row:
    kind: str
    batch_size: int
    summary: Summary
    workers: Workers = "auto"

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "max_batch_size": self.batch_size,
            "conversion_workers": self.workers,
            **self.summary.as_dict(),
        }


def run_all(args: argparse.Namespace) -> list[Row]:
    """Every (workers, kind, batch size) ``--repeat`` times, interleaved; each keeps its best run.

    On a shared machine other processes only ever slow a run down, so the best of a few interleaved runs
    is the closest estimate of what the server can do, and noise cannot pass for a regression. Each
    round starts a fresh server per ``--conversion-workers`` value, so the values share the machine's
    good and bad spells alike.
    """
    cost = CostModel(args.fixed_ms / 1000.0, args.per_item_ms / 1000.0)
    demo = build_app(args.kinds, args.batch_sizes, cost)
    best: dict[tuple[Workers, str, int], Summary] = {}
    with tempfile.TemporaryDirectory(prefix="carpool-bench-") as tmp:
        payloads = make_payloads(Path(tmp), image_side=args.image_side)
        with LoadProcess() as load:
            for round_ in range(1, args.repeat + 1):
                # every other round runs the batch sizes (and servers) backwards, so a slow spell of the
                # machine does not always land on the same configuration
                forwards = round_ % 2 == 1
                order = args.batch_sizes if forwards else args.batch_sizes[::-1]
                for workers in args.conversion_workers if forwards else args.conversion_workers[::-1]:
                    launch_options = {"conversion_workers": workers}
                    with serving(demo, launch_options=launch_options, default_concurrency_limit=1) as url:
                        for kind in args.kinds:
                            for b in order:
                                label = f"{round_}/{args.repeat}" + _workers_label(workers, args)
                                summary = _measure(demo, load, url, kind, b, payloads[kind], args, label)
                                previous = best.get((workers, kind, b))
                                if previous is None or summary.throughput > previous.throughput:
                                    best[(workers, kind, b)] = summary
    return [
        Row(kind, b, best[(workers, kind, b)], workers)
        for workers in args.conversion_workers
        for kind in args.kinds
        for b in args.batch_sizes
    ]


def _workers_label(workers: Workers, args: argparse.Namespace) -> str:
    return f" workers={workers}" if len(args.conversion_workers) > 1 else ""


def _measure(
    demo: Any,
    load: LoadProcess,
    url: str,
    kind: str,
    b: int,
    payload: tuple[Any, ...],
    args: argparse.Namespace,
    round_: str,
) -> Summary:
    name = endpoint_name(kind, b)
    if args.warmup:  # on its own, so the CPU counted below is the measured requests' only
        load.run(LoadSpec(url, name, (payload,), args.concurrency, args.warmup))
    before = _cpu_seconds(demo)
    spec = LoadSpec(url, name, (payload,), args.concurrency, args.requests)
    result = load.run(spec, ProgressBar(args.requests, f"[{round_}] {kind} {_label(b)}"))
    server, workers = (after - start for after, start in zip(_cpu_seconds(demo), before, strict=True))
    if result.errors:
        print(f"  {result.errors} errors, first: {result.first_error}", file=sys.stderr)
    summary = Summary.of(result)
    per_request = 1000.0 / max(1, summary.requests)
    extra = {"server_cpu_ms": server * per_request, "worker_cpu_ms": workers * per_request}
    return dataclasses.replace(summary, extra=extra)


def _cpu_seconds(demo: Any) -> tuple[float, float]:
    """CPU seconds used so far by this process (the server: the load runs elsewhere) and by the
    server's conversion workers."""
    pool = demo.server.app.state.carpool.files.conversions
    pids = pool.worker_pids() if pool is not None else []
    return time.process_time(), sum(_process_cpu(pid) for pid in pids)


def _process_cpu(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:  # not Linux, or the worker just exited
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def find_regressions(rows: Sequence[Row], tolerance: float) -> list[str]:
    """Each place where a bigger max batch size had lower throughput than the next smaller one."""
    problems = []
    for workers, kind in dict.fromkeys((r.workers, r.kind) for r in rows):
        same = (r for r in rows if r.kind == kind and r.workers == workers)
        ordered = sorted(same, key=lambda r: r.batch_size)
        for smaller, bigger in itertools.pairwise(ordered):
            floor = smaller.summary.throughput * (1.0 - tolerance)
            if not bigger.summary.throughput >= floor:  # `not >=` also catches a nan throughput
                problems.append(
                    f"{kind}: {_label(bigger.batch_size)} gave {bigger.summary.throughput:.1f} req/s, "
                    f"below {1 - tolerance:.2f} x {smaller.summary.throughput:.1f} req/s "
                    f"at {_label(smaller.batch_size)}"
                )
    return problems


def _label(batch_size: int) -> str:
    return "unbatched" if batch_size == UNBATCHED else f"max_batch_size={batch_size}"


def render_table(rows: Sequence[Row]) -> str:
    """One line per (function, batching[, workers]); with several worker counts, each line's throughput
    is also given against the first count's, same function and batching."""
    several = len({r.workers for r in rows}) > 1
    base = {(r.workers, r.kind): r.summary.throughput for r in rows if r.batch_size == UNBATCHED}
    first = {(r.kind, r.batch_size): r.summary.throughput for r in rows if r.workers == rows[0].workers}
    headers = [
        "function",
        "batching",
        *(["conversion workers"] if several else []),
        "mean ms",
        "p50 ms",
        "p99 ms",
        "req/s",
        "vs unbatched",
        *([f"vs workers={rows[0].workers}"] if several else []),
        "server CPU ms",
        "worker CPU ms",
        "client CPU ms",
        "errors",
    ]
    body = []
    for r in rows:
        s = r.summary
        unbatched = base.get((r.workers, r.kind))
        speedup = f"{s.throughput / unbatched:.2f}x" if unbatched else "-"
        reference = first.get((r.kind, r.batch_size))
        gain = f"{s.throughput / reference:.2f}x" if reference else "-"
        body.append(
            [
                r.kind,
                _label(r.batch_size),
                *([str(r.workers)] if several else []),
                f"{s.mean_ms:.1f}",
                f"{s.p50_ms:.1f}",
                f"{s.p99_ms:.1f}",
                f"{s.throughput:.1f}",
                speedup,
                *([gain] if several else []),
                f"{s.extra.get('server_cpu_ms', math.nan):.1f}",
                f"{s.extra.get('worker_cpu_ms', math.nan):.1f}",
                f"{s.client_cpu_ms:.1f}",
                str(s.errors),
            ]
        )
    return markdown_table(headers, body)


def plot(rows: Sequence[Row], path: str, args: argparse.Namespace) -> None:
    ticks = [_label(b).replace("max_batch_size=", "") for b in args.batch_sizes]
    several = len(args.conversion_workers) > 1

    def series(workers: Workers, kind: str) -> str:
        return f"{kind}, workers={workers}" if several else kind

    by_kind = {
        series(w, k): [r.summary for r in rows if r.kind == k and r.workers == w]
        for w in args.conversion_workers
        for k in args.kinds
    }
    save_two_panel_plot(
        path,
        f"carpool queue: {args.concurrency} concurrent clients, cost {args.fixed_ms:g} ms + "
        f"{args.per_item_ms:g} ms/item",
        "max_batch_size",
        ticks,
        [
            ("mean latency (ms)", {k: [s.mean_ms for s in v] for k, v in by_kind.items()}),
            ("throughput (req/s)", {k: [s.throughput for s in v] for k, v in by_kind.items()}),
        ],
    )


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="carpool bench queue", description=__doc__.split("\n\n")[0])
    p.add_argument(
        "--kinds", type=_csv(str), default=list(KINDS), help="comma list of text,image,audio,video"
    )
    p.add_argument("--batch-sizes", type=_csv(int), default=[1, 4, 16, 64], help="1 = unbatched")
    p.add_argument(
        "--conversion-workers",
        type=_csv(_workers),
        default=["auto"],
        help="comma list of launch(conversion_workers=) values, one server each (e.g. 0,2)",
    )
    p.add_argument(
        "--image-side", type=int, default=IMAGE_SIDE, help="the image payload's width and height (px)"
    )
    p.add_argument("--concurrency", "-c", type=int, default=64, help="concurrent clients")
    p.add_argument("--requests", "-n", type=int, default=320, help="measured requests per endpoint")
    p.add_argument("--warmup", type=int, default=16, help="unmeasured requests per endpoint first")
    p.add_argument("--repeat", type=int, default=3, help="interleaved runs per endpoint; the best counts")
    p.add_argument("--fixed-ms", type=float, default=25.0, help="simulated cost per call")
    p.add_argument("--per-item-ms", type=float, default=1.0, help="simulated cost per sample")
    p.add_argument("--tolerance", type=float, default=0.2, help="allowed throughput drop for a bigger batch")
    p.add_argument("--no-check", action="store_true", help="report only; never fail on a regression")
    p.add_argument("--quick", action="store_true", help="a short run: fewer clients and requests")
    p.add_argument("--json", metavar="PATH", help="write the results as JSON")
    p.add_argument("--markdown", metavar="PATH", help="write the table as markdown")
    p.add_argument("--plot", metavar="PATH", help="write a PNG of latency and throughput vs batch size")
    args = p.parse_args(argv)
    if args.quick:
        args.concurrency, args.requests, args.warmup = min(args.concurrency, 16), min(args.requests, 64), 4
        args.repeat = min(args.repeat, 2)
    unknown = set(args.kinds) - set(KINDS)
    if unknown:
        p.error(f"unknown kinds: {', '.join(sorted(unknown))}")
    args.batch_sizes = sorted(set(args.batch_sizes))
    return args


def _workers(text: str) -> Workers:
    return text if text == "auto" else int(text)


def _csv(convert: Callable[[str], Any]) -> Callable[[str], list[Any]]:
    return lambda text: [convert(part.strip()) for part in text.split(",") if part.strip()]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    rows = run_all(args)
    table = render_table(rows)
    print(table)
    if args.markdown:
        Path(args.markdown).parent.mkdir(parents=True, exist_ok=True)
        Path(args.markdown).write_text(table + "\n")
    problems = [] if args.no_check else find_regressions(rows, args.tolerance)
    if args.json:
        settings = {k: v for k, v in vars(args).items() if k not in ("json", "markdown", "plot")}
        write_json(
            args.json,
            {
                "benchmark": "queue",
                "settings": settings,
                "results": [r.as_dict() for r in rows],
                "regressions": problems,
            },
        )
    if args.plot:
        plot(rows, args.plot, args)
    failed = sum(r.summary.errors for r in rows)
    for problem in problems:
        print(f"REGRESSION {problem}", file=sys.stderr)
    if failed:
        print(f"{failed} requests failed", file=sys.stderr)
    return 1 if problems or failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
