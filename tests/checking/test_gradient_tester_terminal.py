"""Failures that read in a terminal: ≤ 100 columns, ``autograd.GradcheckError``, the worst row first.

``pytest -q``, ``-rf`` and ``--tb=line`` show only a failure's first line, so that line must name
the worst input, its numbers and the verdict; long tables show failing rows first and summarise.
"""

from __future__ import annotations

import math
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import autograd
from autograd import Op, Value, check_graph, gradcheck, gradgradcheck
from autograd.checking import GradcheckError
from autograd.testing import assert_grad, assert_jacobian

ROOT = Path(__file__).resolve().parents[2]
BAD_SIN = Op("bad_sin", math.sin, lambda x, y, c: -math.cos(x))
LONG = "a_rather_long_label_that_a_tester_gave_this_input_" * 2


def failure(call: Callable[[], Any]) -> GradcheckError:
    with pytest.raises(GradcheckError) as info:
        call()
    return info.value


FAILURES: list[Callable[[], Any]] = [
    lambda: gradcheck(lambda x, y: BAD_SIN(x) * y, [0.7, -1.3]),
    lambda: gradcheck(lambda x, y: BAD_SIN(x) * y, [0.7, -1.3], modes=("rev", "fwd")),
    lambda: gradcheck(lambda x: BAD_SIN(x), [Value(0.5, LONG)]),
    lambda: gradcheck(lambda *xs: autograd.sum([BAD_SIN(x) for x in xs]), [0.1 * i for i in range(200)]),
    lambda: gradcheck(lambda *xs: autograd.sum([BAD_SIN(x) for x in xs]), [0.1 * i for i in range(200)],
                      fast_mode=True),
    lambda: assert_grad(lambda x, w: x * BAD_SIN(w), [2.0, 0.5], expected=[math.sin(0.5), 2 * math.cos(0.5)],
                        symbolic=True),
    lambda: assert_jacobian(lambda x: [x * 2.0, BAD_SIN(x)], [0.3], expected=[[2.0], [math.cos(0.3)]]),
    lambda: gradgradcheck(lambda x: x.sqrt() * Op("flat", lambda t: t, lambda x, y, c: 1.0)(x).data, [0.0]),
    lambda: check_graph(BAD_SIN(Value(0.3, LONG)) * autograd.dot([Value(1.0)] * 9, [Value(2.0)] * 9, 0.5)),
    lambda: gradcheck(lambda x: (x * x).sqrt(), [0.0]),
]


@pytest.mark.parametrize("call", FAILURES, ids=[str(i) for i in range(len(FAILURES))])
def test_every_line_fits_in_100_columns(call: Callable[[], Any]) -> None:
    text = str(failure(call))
    too_long = [line for line in text.splitlines() if len(line) > 100]
    assert not too_long, too_long


def test_the_class_shows_as_autograd_gradcheck_error() -> None:
    assert GradcheckError.__module__ == "autograd" and autograd.GradcheckError is GradcheckError
    assert issubclass(GradcheckError, AssertionError)


def test_the_first_line_names_the_worst_input_its_numbers_and_the_verdict() -> None:
    # f = bad_sin(x)·y + bad_sin(z)·10: both x and z wrong; z's error is 10× larger, so it leads
    err = failure(lambda: gradcheck(lambda x, y, z: BAD_SIN(x) * y + BAD_SIN(z) * 10.0, [0.7, -1.3, 0.2]))
    first = str(err).splitlines()[0]
    a, n = -10 * math.cos(0.2), 10 * math.cos(0.2)
    assert first.startswith(f"gradcheck: FAIL z: analytic {a:.6g}, numerical {n:.6g}")
    assert first.endswith("first wrong node: bad_sin")


def test_a_long_table_shows_failing_rows_first_and_summarises_the_rest() -> None:
    # 200 inputs, the bad op only at input 150: today's 210 lines become about 30
    def f(*xs: Value) -> Value:
        return autograd.sum([BAD_SIN(x) if i == 150 else x.sin() for i, x in enumerate(xs)])

    err = failure(lambda: gradcheck(f, [0.01 * i for i in range(200)]))
    lines = str(err).splitlines()
    assert len(lines) < 45 and len(err.rows) == 200
    header = next(i for i, line in enumerate(lines) if line.startswith("input"))
    assert lines[header + 2].split()[0] == "#150" and lines[header + 2].split()[-1] == "FAIL"
    assert any(line.startswith("… 180 more rows not shown: 180 ok") for line in lines)


def test_counts_agree_between_summary_and_node_message() -> None:
    x = Value(0.3, "x")
    err = failure(lambda: check_graph(BAD_SIN(x) + 1.0))
    text = str(err)
    assert "1 of the 2 operations (3 nodes) has a wrong backward step" in text
    assert "First wrong node (2 of 3, counting from the inputs)" in text


def test_pytest_quiet_and_line_tracebacks_show_the_verdict(tmp_path: Path) -> None:
    (tmp_path / "test_user.py").write_text(textwrap.dedent("""
        import math
        from autograd import Op
        from autograd.testing import assert_grad

        def test_cube():
            # y = x³: y′ = 3x² (the paper said 2x²)
            assert_grad(lambda x: x ** 3, [2.0], expected=[2 * 2.0 ** 2])

        def test_engine():
            bad = Op("bad_sin", math.sin, lambda x, y, c: -math.cos(x))
            assert_grad(lambda x: bad(x), [0.5], expected=[math.cos(0.5)])
    """))
    for flags in (["-q", "-rf"], ["-q", "--tb=line"]):
        run = subprocess.run([sys.executable, "-m", "pytest", *flags, "-p", "no:cacheprovider", str(tmp_path)],
                             capture_output=True, text=True, cwd=ROOT, timeout=120,
                             env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
        out = run.stdout
        assert run.returncode == 1 and "2 failed" in out, out
        assert "autograd.GradcheckError: assert_grad: FAIL x: analytic 12, expected 8" in out, out
        assert "re-check the derivation" in out and "backward() is wrong" in out, out
        assert "autograd.checking" not in out  # the class is shown by its public name


@pytest.mark.parametrize("label", ["a\nb\tc", "\x1b[31mred", "\ud800", "<script>x</script>", "é" * 150, "'\"`"])
def test_hostile_labels_keep_one_row_per_line_and_100_columns(label: str) -> None:
    for call in (lambda: gradcheck(lambda x: BAD_SIN(x), [Value(0.5, label)]),
                 lambda: check_graph(BAD_SIN(Value(0.5, label))),
                 lambda: assert_grad(lambda x: BAD_SIN(x), [Value(0.5, label)], expected=[math.cos(0.5)])):
        text = str(failure(call))
        assert all(len(line) <= 100 for line in text.splitlines())
        assert "\x1b" not in text and "\t" not in text


def test_an_overflowing_f_blames_no_node() -> None:
    # x·2 at 1e308 is ∞ at x ± h: central differences are NaN, the * node is not wrong
    err = failure(lambda: gradcheck(lambda x: x * 2.0, [1e308]))
    assert err.node is None and "f is NaN or ±∞ within the step" in " ".join(str(err).split())
