"""The engine benchmark runs (``--quick``) and prints its ratios; its helpers do what they say.

No timing is asserted here: speed is measured by running the benchmark, not by tests.
"""

from __future__ import annotations

import gc
import re
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.bench_engine import deepest, tree_sum
from benchmarks.common import fmt, fmt_ratio, interleave, ratio

ROOT = Path(__file__).resolve().parents[2]


def test_quick_engine_benchmark_prints_a_table_and_ratios() -> None:
    done = subprocess.run([sys.executable, "-m", "benchmarks.bench_engine", "--quick"], cwd=ROOT,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    assert "gc enabled: True" in out
    for engine in ("deltagrad", "micrograd", "floats"):
        assert re.search(rf"^\| {engine} +\| [0-9.]+ +\| [0-9.]+ +\|$", out, re.MULTILINE), engine
    assert re.search(r"forward ops: [0-9.]+× faster;  backward per node: [0-9.]+× faster", out)
    assert re.search(r"bytes per node: 0\.[0-9]+ of micrograd's", out)
    assert len(re.findall(r"\(target [≥≤] [0-9.]+\) not judged", out)) == 3  # never met/MISSED on a smoke run
    assert "MISSED" not in out and " met" not in out
    assert "x.grad = 1.0001^N" in out and "WRONG" not in out
    assert re.search(r"\| micrograd +\| [0-9,]+ +\| – +\| RecursionError at N = [0-9,]+", out)


def test_interleave_runs_in_turns_and_takes_medians() -> None:
    calls: list[str] = []
    samples = {"a": iter([5.0, 1.0, 3.0, 2.0]), "b": iter([10.0, 30.0, 20.0, 40.0])}

    def runner(name: str) -> dict[str, float]:
        calls.append(name)
        return {"t": next(samples[name])}

    result = interleave({"a": lambda: runner("a"), "b": lambda: runner("b")}, repeats=3, warmup=1)
    assert calls == ["a", "b"] * 4
    assert result == {"a": {"t": 2.0}, "b": {"t": 30.0}}  # medians of rounds 2-4; round 1 was warm-up


def test_interleave_refuses_to_run_with_the_collector_off() -> None:
    gc.disable()
    try:
        with pytest.raises(RuntimeError, match="garbage collector on"):
            interleave({"a": dict}, repeats=1)
    finally:
        gc.enable()


def test_deepest_bisects_to_the_last_n_that_works() -> None:
    assert deepest(lambda n: n <= 493, 5000) == 493
    assert deepest(lambda n: True, 5000) == 5000
    assert deepest(lambda n: False, 5000) == 0


def test_tree_sum_adds_everything_once() -> None:
    for n in (1, 2, 7, 64, 1001):
        assert tree_sum(list(range(1, n + 1))) == n * (n + 1) // 2


def test_formatting() -> None:
    assert fmt(0.000123456) == "0.000123" and fmt(None) == "–" and fmt(123456.7) == "123,457"
    assert fmt_ratio(8.04) == "8.0×" and ratio(1.0, 0.0) == float("inf") and ratio(6.0, 3.0) == 2.0


def test_quick_anomaly_benchmark_prints_its_ratios() -> None:
    done = subprocess.run([sys.executable, "-m", "benchmarks.bench_anomaly", "--quick"], cwd=ROOT,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    for setting in ("off", "anomaly", "hook elsewhere", "micrograd", "floats"):
        assert re.search(rf"^\| {setting} +\| [0-9.]+ +\| [0-9.]+ +\|$", out, re.MULTILINE), setting
    assert re.search(r"anomaly on vs off: forward [0-9.]+× slower, backward [0-9.]+× slower", out)
    assert re.search(r"hooked backward path \(a hook elsewhere\) vs off: backward [0-9.]+× slower", out)


def test_check_target_judges_only_full_runs() -> None:
    from benchmarks.common import check_target

    assert check_target("speed-up", 3.0, 8.0, at_least=True).endswith("MISSED")
    assert check_target("speed-up", 9.0, 8.0, at_least=True).endswith(" met")
    assert check_target("bytes", 0.3, 0.2, at_least=False).endswith("MISSED")
    quick = check_target("speed-up", 3.0, 8.0, at_least=True, judged=False)
    assert "not judged" in quick and "MISSED" not in quick and " met" not in quick
