"""The digits benchmark's quick mode runs, and our gradients equal the hand-written floats' (no timing asserted)."""

from __future__ import annotations

import pytest

from benchmarks import bench_digits


def test_quick_mode_runs_and_agrees_with_the_floats(capsys: pytest.CaptureFixture[str]) -> None:
    result = bench_digits.main(["--quick"])
    text = capsys.readouterr().out
    assert "÷ floats" in text and "nn eager epoch takes" in text and "(target ≤ 2)" in text
    assert set(result["epoch_s"]) == {"nn eager", "nn, pixel leaves", "floats"}
    assert result["grad_diff"] <= 1e-12
    assert result["loss"]["nn eager"] == pytest.approx(result["loss"]["floats"], rel=1e-12)
    assert result["ratio"] > 0
