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
