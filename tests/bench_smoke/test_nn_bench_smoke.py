"""The moons benchmark's quick mode runs, and its gradient check holds (no timing is asserted)."""

from __future__ import annotations

import pytest

pytest.importorskip("micrograd")

from benchmarks import bench_moons


def test_quick_mode_runs_and_gradients_match_micrograd(capsys: pytest.CaptureFixture[str]) -> None:
    result = bench_moons.main(["--quick"])
    text = capsys.readouterr().out
    assert "micrograd ÷ this" in text and "largest gradient difference" in text
    assert set(result["loop_s"]) == set(result["single_s"]) == {"micrograd", "demo code", "nn API", "floats"}
    assert all(d <= 1e-12 for d in result["grad_diff"].values())
    assert result["nodes"]["nn API"] < result["nodes"]["micrograd"] / 5  # one node per neuron's z
    accs = result["accuracy"]
    assert accs["nn API"] == accs["micrograd"] == accs["floats"]  # same weights, same gradients, same steps
