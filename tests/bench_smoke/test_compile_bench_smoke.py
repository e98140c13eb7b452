"""The compile benchmark's quick mode runs and its gradient check holds (no timing is asserted)."""

from __future__ import annotations

import pytest

pytest.importorskip("micrograd")

from benchmarks import bench_compile


def test_quick_mode_runs_and_prints_the_ratios(capsys: pytest.CaptureFixture[str]) -> None:
    result = bench_compile.main(["--quick"])
    text = capsys.readouterr().out
    assert "this ÷ floats" in text and "trace + generate + compile" in text
    assert set(result["moons_s"]) == {"compiled", "per-sample", "floats", "eager", "micrograd"}
    assert set(result["digits_s"]) == {"compiled", "floats", "eager"}
    assert text.count("(target") == 8 and "a single call with 337 parameters" in text
    assert result["grad_diff"] <= 1e-15  # the whole step's gradients: compiled vs eager, to rounding
    assert all(m > 0 for m in result["memory"].values())
