"""``python -m autograd check "EXPR" --set … --expect "d/dw=…"``: backward, your formula, central differences.

In process through ``autograd.cli.check.main`` and, for the module entry point and exit codes, as
a subprocess. Hostile formulas must be refused by the ``ast`` whitelist, never evaluated.
"""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import pytest

from autograd.cli.check import main

ROOT = Path(__file__).resolve().parents[2]
NEURON = ["tanh(x*w + b)", "--set", "x=1.5", "--set", "w=-0.5", "--set", "b=0.1"]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def rows(out: str) -> dict[str, list[str]]:
    return {line.split()[0]: line.split()[1:] for line in out.splitlines() if line.startswith("d/d")}


def test_a_right_formula_passes_and_every_variable_gets_a_row(capsys: pytest.CaptureFixture[str]) -> None:
    # y = tanh(z), z = x·w + b: ∂y/∂w = (1 − y²)·x
    code, out, _ = run(capsys, *NEURON, "--expect", "d/dw = x*(1 - tanh(x*w + b)**2)")
    assert code == 0 and "all gradients agree" in out
    y = math.tanh(1.5 * -0.5 + 0.1)
    got = rows(out)
    assert list(got) == ["d/dx", "d/dw", "d/db"]
    assert float(got["d/dw"][0]) == pytest.approx((1 - y * y) * 1.5, rel=1e-5)
    assert got["d/dw"][-1] == "ok" and got["d/dx"][1] == "–"  # no formula given for x


def test_a_wrong_formula_fails_and_blames_the_paper(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, *NEURON, "--expect", "d/dx = w*(1 - tanh(x*w + b))")  # forgot the square
    assert code == 1 and rows(out)["d/dx"][-1] == "FAIL"
    assert "agrees with analytic: re-check the derivation" in out and "1 of 3 gradients FAILED" in out


def test_kinks_are_reported(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "relu(x) + abs(y)", "--set", "x=0", "--set", "y=0")
    assert code == 0 and [r[-1] for r in rows(out).values()] == ["kink", "kink"]
    assert "2 at kinks" in out


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["x**3", "--set", "x=2", "--expect", "d/dx = __import__('os').system('id')"], "attribute access is"),
        (["x**3", "--set", "x=2", "--expect", "d/dx = x.__class__"], "attribute access"),
        (["x**3", "--set", "x=2", "--expect", "d/dy = 1"], "'y' is not a variable"),
        (["x**3", "--set", "x=2", "--expect", "dx = 1"], "expected d/dNAME=FORMULA"),
        (["x**3", "--set", "x=2", "--expect", "d/dx = z"], "uses z"),
        (["x**3", "--set", "x=2", "--expect", "d/dx=1", "--expect", "d/dx=2"], "given twice"),
        (["x**3"], "no value for x"),
        (["2**3"], "no variables"),
        (["log(x)", "--set", "x=-1"], "log is only defined"),
        (["x", "--set", "x=1", "--eps", "0"], "--eps"),
        (["x", "--set", "x=1", "--rtol", "nan"], "--rtol"),
        (["x", "--set", "x=1", "--expect", "d/dx = '\\ud800'"], "strings are not allowed"),
    ],
)
def test_bad_input_is_refused_with_status_2(capsys: pytest.CaptureFixture[str], argv: list[str],
                                            words: str) -> None:
    code, _, err = run(capsys, *argv)
    assert code == 2 and words in err, err


def test_the_module_entry_point(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "autograd", "check", "x**3", "--set", "x=2", "--expect",
                           "d/dx = 2*x**2"], capture_output=True, text=True, cwd=ROOT, timeout=120,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 1 and "Traceback" not in done.stderr
    # y = x³: y′ = 3x² = 12 at 2, the formula 2x² = 8
    assert "d/dx      12        8         12" in done.stdout and "re-check the derivation" in done.stdout


def test_a_domain_edge_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    # √z at 0: backward gives +∞, central differences can only be one-sided (√h/h = 1000)
    code, out, _ = run(capsys, "sqrt(z)", "--set", "z=0")
    assert code == 1 and rows(out)["d/dz"][:3] == ["inf", "–", "1000"]
    assert "one-sided: f is undefined at x − h" in out


@pytest.mark.parametrize(("expr", "formula"), [("abs(x)", "5"), ("relu(x)", "7"), ("relu(x)", "1")])
def test_a_formula_at_a_kink_that_is_not_the_convention_fails(capsys: pytest.CaptureFixture[str], expr: str,
                                                             formula: str) -> None:
    """At x = 0 abs′ and relu′ are conventions (0, as PyTorch); a formula giving 5, 7 or relu's other
    one-sided slope 1 used to be shown as 'kink' with exit status 0. assert_grad fails them too."""
    code, out, _ = run(capsys, expr, "--set", "x=0", "--expect", f"d/dx = {formula}")
    assert code == 1 and rows(out)["d/dx"][-1] == "FAIL"
    assert f"the op's convention is 0, not {formula}" in out
    assert max(len(line) for line in out.splitlines()) <= 100
    code, out, _ = run(capsys, expr, "--set", "x=0", "--expect", "d/dx = 0")  # the convention itself
    assert code == 0 and rows(out)["d/dx"][-1] == "kink"


@pytest.mark.parametrize(("x", "slope"), [("1e-7", 1.0), ("-1e-7", 0.0)])
def test_a_step_that_crosses_a_kink_does_not_fail_a_right_gradient(capsys: pytest.CaptureFixture[str], x: str,
                                                                   slope: float) -> None:
    """relu at ±1e-7: the step ±1e-6 crosses 0, so central differences give 0.55 or 0.45; backward()'s
    1 or 0 is relu's slope on its own side. It used to FAIL (status 1), where gradcheck says 'kink'."""
    code, out, _ = run(capsys, "relu(x)", "--set", f"x={x}")
    assert code == 0 and rows(out)["d/dx"][0] == f"{slope:g}" and rows(out)["d/dx"][-1] == "kink"
    assert "crosses the kink of ReLU" in out
