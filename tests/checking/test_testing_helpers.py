"""assert_grad and assert_gradcheck: hand-derived expectations, reports when wrong, no set-up needed."""

from __future__ import annotations

import math
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from autograd import Op, Value
from autograd.checking import GradcheckError, fmt
from autograd.testing import assert_grad, assert_gradcheck

ROOT = Path(__file__).resolve().parents[2]


def test_assert_grad_passes_on_a_right_derivation() -> None:
    # y = x·sin w:  ∂y/∂x = sin w,  ∂y/∂w = x·cos w
    report = assert_grad(lambda x, w: x * w.sin(), [2.0, 0.5], expected=[math.sin(0.5), 2.0 * math.cos(0.5)])
    assert report and [r.name for r in report.rows] == ["x", "w"]
    assert "expected" in str(report).splitlines()[0]
    assert assert_grad(lambda x, w: x * w.sin(), [2.0, 0.5], expected=lambda x, w: [math.sin(w), x * math.cos(w)])
    # one input: a single number; y = eˣ²: y′ = 2x·eˣ²
    assert assert_grad(lambda x: (x * x).exp(), 0.3, expected=2 * 0.3 * math.exp(0.09))


def test_assert_grad_tolerances_are_tight() -> None:
    # y = x²: y′ = 2x = 6 at 3. A relative slip of 1e-6 fails; rounding (1e-12) does not.
    with pytest.raises(GradcheckError):
        assert_grad(lambda x: x * x, [3.0], expected=[6.0 * (1 + 1e-6)])
    assert assert_grad(lambda x: x * x, [3.0], expected=[6.0 * (1 + 1e-12)])
    assert assert_grad(lambda x: x * x, [3.0], expected=[6.1], rtol=0.1)


def test_a_wrong_derivation_is_blamed_on_paper() -> None:
    # y = x·sin w; the "paper" forgot the factor x in ∂y/∂w
    with pytest.raises(GradcheckError) as info:
        assert_grad(lambda x, w: x * w.sin(), [2.0, 0.5], expected=lambda x, w: [math.sin(w), math.cos(w)])
    err = info.value
    assert [r.status for r in err.rows] == ["ok", "FAIL"]
    text = str(err)
    assert "assert_grad: 1 of 2 gradients differ from the expected ones" in text
    right, paper = 2.0 * math.cos(0.5), math.cos(0.5)
    lines = text.splitlines()
    i = next(i for i, line in enumerate(lines) if line.startswith("w "))
    assert lines[i].split()[:3] == ["w", "0.5", fmt(right)] and lines[i].split()[3] == fmt(paper)
    assert f"numerical {fmt(right)} agrees with analytic: re-check the derivation" in lines[i + 1]  # its note
    assert "First wrong node" not in text


def test_a_wrong_backward_is_blamed_on_the_code_and_the_node_named() -> None:
    bad_sin = Op("bad_sin", math.sin, lambda x, y, c: -math.cos(x))  # sin′ = +cos
    with pytest.raises(GradcheckError) as info:
        assert_grad(lambda x, w: x * bad_sin(w), [2.0, 0.5], expected=lambda x, w: [math.sin(w), x * math.cos(w)])
    text = str(info.value)
    assert "agrees with expected: backward() is wrong" in text
    assert "First wrong node (3 of 4, counting from the inputs): bad_sin at w=0.5" in text
    assert f"∂/∂w: expected {fmt(math.cos(0.5))}, recorded {fmt(-math.cos(0.5))}" in text


@pytest.mark.parametrize(
    ("expected", "error", "words"),
    [
        ([1.0], ValueError, "expected has 1 value"),
        ("ab", TypeError, "expected must be a list of numbers"),
        ([1.0, "b"], TypeError, r"expected\[1\] must be a number"),
        (lambda x, y: None, TypeError, "expected must be a list"),
    ],
)
def test_assert_grad_bad_expectations(expected: object, error: type[Exception], words: str) -> None:
    with pytest.raises(error, match=words):
        assert_grad(lambda x, y: x * y, [1.0, 2.0], expected=expected)


def test_assert_gradcheck_takes_the_inputs_as_arguments() -> None:
    assert assert_gradcheck(lambda x, y: (x * y).tanh(), 0.5, Value(-1.0, "y"))
    with pytest.raises(AssertionError, match="gradcheck: 1 of 1 inputs disagree"):
        assert_gradcheck(lambda x: Op("neg_exp", math.exp, lambda x, y, c: -y)(x), 0.5)


def test_usable_from_any_test_file_without_set_up(tmp_path: Path) -> None:
    """A plain test file imports the helper; pytest shows the table, and hides the helper's frames."""
    (tmp_path / "test_user.py").write_text(textwrap.dedent("""
        from autograd.testing import assert_grad

        def test_square():
            # y = x³: y′ = 3x² (the user wrote 2x²)
            assert_grad(lambda x: x ** 3, [2.0], expected=[2 * 2.0 ** 2])
    """))
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
                         capture_output=True, text=True, cwd=ROOT, timeout=120,
                         env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert run.returncode == 1, run.stdout + run.stderr
    out = run.stdout
    assert "1 failed" in out and "GradcheckError" in out
    assert "numerical 12 agrees with analytic: re-check the derivation" in out
    assert "def assert_grad" not in out  # __tracebackhide__: the report, not the helper's source
