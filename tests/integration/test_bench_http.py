"""benchmarks/bench_http.py: whole rounds, interleaved best-of, the hold-until-full batcher, verdicts."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    sys.path.insert(0, str(ROOT))
    try:
        return importlib.import_module("benchmarks.bench_http")
    finally:
        sys.path.remove(str(ROOT))


@pytest.mark.parametrize("quick", [True, False])
def test_every_point_is_whole_rounds_of_its_clients(bench: ModuleType, quick: bool) -> None:
    for scenario in bench.scenarios(quick):
        assert scenario.requests % scenario.concurrency == 0, scenario.name


def test_each_server_keeps_its_fastest_round_and_rounds_alternate_order(
    bench: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    order: list[str] = []
    speeds = {"a": iter([10.0, 30.0, 20.0]), "b": iter([5.0, 1.0, 7.0])}

    def fake_measure(scenario: Any, name: str, warmup: int) -> Any:
        order.append(name)
        return bench.Result(
            scenario.name, name, 4, 4, 16, 0, next(speeds[name]), 1.0, 2.0, 4.0, 0.1, 0.1, None
        )

    monkeypatch.setattr(bench, "measure", fake_measure)
    scenario = bench.Scenario("s", "trivial", 4, 4, 16, ("a", "b"))
    best = bench.measure_point(scenario, ["a", "b"], rounds=3)
    assert order == ["a", "b", "b", "a", "a", "b"]
    assert best["a"].throughput == 30.0 and best["b"].throughput == 7.0


def test_the_hold_until_full_batcher_sends_full_batches_and_never_hangs(bench: ModuleType) -> None:
    scenario = bench.Scenario("gpu B=4 C=4", "gpu", 4, 4, 16, ("bare-full",))
    result = bench.measure(scenario, "bare-full", warmup=8)
    assert result.errors == 0 and result.requests == 16
    assert result.mean_batch == 4.0  # every call held until all 4 clients' requests waited
    assert result.of_ideal is not None and 0 < result.of_ideal <= 1.05


def test_the_verdict_names_the_targets(bench: ModuleType) -> None:
    def result(scenario: str, server: str, throughput: float, of_ideal: float | None, p50: float) -> Any:
        return bench.Result(
            scenario, server, 16, 16, 100, 0, throughput, p50, p50, 16.0, 0.3, 0.1, 1.0, of_ideal
        )

    lines = bench.verdict(
        [
            result("gpu B=16 C=16", "bare-full", 200, 0.85, 70),
            result("gpu B=16 C=16", "carpool t=0", 120, 0.5, 120),
            result("gpu B=16 C=16", "carpool auto", 180, 0.75, 80),
            result("trivial C=1", "bare", 800, None, 0.6),
            result("trivial C=1", "carpool t=0", 700, None, 0.8),
            result("trivial C=1", "carpool auto", 700, None, 0.9),
        ]
    )
    assert "gpu B=16 C=16: auto/t=0 throughput 1.50x" in lines
    assert any("0.75 of ideal" in line and "bare-full 0.85" in line for line in lines)
    assert any(line.startswith("trivial C=1: auto p50 +0.10 ms") for line in lines)
