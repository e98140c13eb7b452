"""numerical_grad and gradcheck: they pass on every built-in op, and fail, naming the row, on broken ones.

Derivatives are stated as formulas (and some checked against sympy), never copied from the code.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
from autograd import Op, Value, no_grad, ops
from autograd.checking.gradcheck import gradcheck
from autograd.checking.numerical import (
    GradcheckError,
    GradRow,
    close,
    fmt,
    format_report,
    numerical_grad,
)
from tests.support import op_cases
from tests.support.op_cases import CASES, EACH_CASE, Case, away_from_zero, floats, missing_cases, missing_oracles

SETTINGS = settings(max_examples=20, deadline=None)


def test_every_builtin_op_has_a_case() -> None:
    """A new op in autograd.ops without a case (and an oracle) in tests/op_cases.py fails this test."""
    defined = {name for name, v in vars(ops).items() if isinstance(v, Op)}
    covered = {name for name, v in vars(ops).items() if isinstance(v, Op) and any(v is c.op for c in CASES)}
    assert covered == defined == {name for name, v in vars(ops).items() if any(v is t for t in ops.TABLE)}
    assert missing_cases() == [] and missing_oracles() == []
    assert any(c.op is ops.POW_C for c in CASES)  # x ** n


@EACH_CASE
@SETTINGS
@given(data=st.data())
def test_gradcheck_passes_on_every_builtin_op_with_a_wide_margin(case: Case, data: st.DataObject) -> None:
    """Every row ok, and at eps = 1e-6 the error is under 1% of the allowance atol + rtol·|n|."""
    op, f = case.op, case.build
    xs = [data.draw(s) for s in case.strategies()]
    assert f(*[Value(x) for x in xs]).operation is op  # the case really exercises this op
    report = gradcheck(f, xs)
    assert report and all(r.status == "ok" for r in report.rows)
    for row in report.rows:
        assert row.abs_err <= 0.01 * (1e-5 + 1e-3 * abs(row.reference))


@SETTINGS
@given(a=floats(-3.0, 3.0), b=floats(-3.0, 3.0), c=floats(0.2, 3.0))
def test_gradcheck_passes_on_a_composite_expression(a: float, b: float, c: float) -> None:
    def f(x: Value, y: Value, z: Value) -> Value:
        h = autograd.dot([x, y], [z, 0.5], -0.25).tanh()
        return (h * z.log() + (x * y).sigmoid() / z) ** 2

    assert gradcheck(f, [a, b, c])


# ---------------------------------------------------------------------------------------------
# numerical_grad against sympy and by hand.

X, Y = sp.symbols("x y")
SYMPY_CASES = [
    sp.exp(X) * sp.sin(Y) / X + sp.sqrt(Y),
    sp.tanh(X * Y) - sp.log(Y) * X**3,
    (X**2 + Y**2) ** sp.Rational(3, 2) / (1 + sp.exp(-X)),
]
VALUE_FUNCS = op_cases.value_functions()  # every Value method of the table, by name


@pytest.mark.parametrize("expr", SYMPY_CASES, ids=str)
@SETTINGS
@given(x=away_from_zero(0.3, 3.0), y=floats(0.3, 3.0))
def test_numerical_and_analytic_grads_match_sympy(expr: Any, x: float, y: float) -> None:
    f = sp.lambdify((X, Y), expr, modules=[VALUE_FUNCS])
    want = [float(sp.diff(expr, s).subs({X: x, Y: y})) for s in (X, Y)]
    num = numerical_grad(f, [x, y])
    report = gradcheck(f, [x, y])
    for w, n, row in zip(want, num, report.rows, strict=True):
        assert math.isclose(n, w, rel_tol=1e-7, abs_tol=1e-8)
        assert math.isclose(row.analytic, w, rel_tol=1e-12, abs_tol=1e-12)


def test_numerical_grad_by_hand() -> None:
    # f = x²y: ∂f/∂x = 2xy = 12, ∂f/∂y = x² = 9 at (3, 2)
    gx, gy = numerical_grad(lambda x, y: x * x * y, [3.0, 2.0])
    assert math.isclose(gx, 12.0, rel_tol=1e-9) and math.isclose(gy, 9.0, rel_tol=1e-9)


def test_numerical_grad_step_scales_with_the_input() -> None:
    # f = x² at x = 1e8: f′ = 2e8. An absolute step of 1e-6 would lose it to rounding
    # (ε·f/h ≈ 2e6, 1% of f′); a step of 1e-6·|x| = 100 keeps it (central differences are exact on x²).
    (g,) = numerical_grad(lambda x: x * x, [1e8])
    assert math.isclose(g, 2e8, rel_tol=1e-9)


def test_numerical_grad_builds_no_graph_and_leaves_inputs_alone() -> None:
    seen: list[bool] = []

    def f(x: Value) -> Value:
        seen.append(autograd.is_grad_enabled())
        return x * 3.0

    x = Value(2.0, "x")
    x.grad = 7.0
    assert numerical_grad(f, [x]) == pytest.approx([3.0], rel=1e-9)
    assert seen and not any(seen)
    assert (x.data, x.grad) == (2.0, 7.0)


def test_numerical_grad_accepts_a_float_function_and_a_single_input() -> None:
    assert numerical_grad(math.sin, 0.5) == pytest.approx([math.cos(0.5)], rel=1e-9)


def test_numerical_grad_cuts_the_step_near_a_domain_edge() -> None:
    # log at 5e-7 with h = 1e-6: x − h < 0. The step is cut until x ± h is inside, then 100×
    # more: the result is 1/x to about (h/x)² instead of the one-sided ln(3)/1e-6 ≈ 1.1e6.
    (g,) = numerical_grad(lambda x: x.log(), [5e-7])
    assert math.isclose(g, 1 / 5e-7, rel_tol=1e-5)
    # √x at 1e-12: f′ = 1/(2√x) = 5e5
    row = gradcheck(lambda x: x.sqrt(), [1e-12]).rows[0]
    assert math.isclose(row.reference, 5e5, rel_tol=1e-6) and "step cut to" in row.note


def test_numerical_grad_is_one_sided_at_a_domain_edge() -> None:
    # √x at 0: no step fits inside; forward difference √h/h = 1/√h = 1000 for h = 1e-6
    (g,) = numerical_grad(lambda x: x.sqrt(), [0.0])
    assert math.isclose(g, 1000.0, rel_tol=1e-9)
    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda x: x.sqrt(), [0.0])
    assert "one-sided: f is undefined at x − h" in str(info.value)
    assert "the edge of its domain" in str(info.value) and info.value.node is None
    assert "at the edge of f's domain" in str(info.value).splitlines()[0]


# ---------------------------------------------------------------------------------------------
# Broken operations: the right row fails, and the node is named with expected and recorded values.

BAD_SIGN = Op("bad_sin", math.sin, lambda x, y, c: -math.cos(x))  # should be +cos x
AT_OUTPUT = Op("bad_tanh", math.tanh, lambda x, y, c: 1.0 - x * x)  # should be 1 − y², y = tanh x
NO_FACTOR = Op("sin_sq", lambda x: math.sin(x * x), lambda x, y, c: math.cos(x * x))  # should be 2x·cos x²


@pytest.mark.parametrize(
    ("op", "right", "wrong"),
    [
        (BAD_SIGN, lambda x: math.cos(x), lambda x: -math.cos(x)),
        (AT_OUTPUT, lambda x: 1.0 - math.tanh(x) ** 2, lambda x: 1.0 - x * x),
        (NO_FACTOR, lambda x: 2 * x * math.cos(x * x), lambda x: math.cos(x * x)),
    ],
    ids=["wrong-sign", "derivative-at-output", "missing-factor"],
)
def test_a_broken_op_fails_on_its_row_and_is_named(op: Op, right: Callable[[float], float],
                                                   wrong: Callable[[float], float]) -> None:
    x0, y0 = 0.7, -1.3
    # f = op(x)·y + y²: ∂f/∂x = op′(x)·y (broken), ∂f/∂y = op(x) + 2y (fine)
    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda x, y: op(x) * y + y * y, [x0, y0])
    err = info.value
    assert [r.name for r in err.rows] == ["x", "y"]
    assert [r.status for r in err.rows] == ["FAIL", "ok"]
    assert err.rows[0].analytic == pytest.approx(wrong(x0) * y0, rel=1e-12)
    assert err.rows[0].reference == pytest.approx(right(x0) * y0, rel=1e-6)
    text = str(err)
    assert "1 of 2 inputs disagree" in text
    assert f"First wrong node (2 of 6, counting from the inputs): {op.name} at x=0.7" in text
    assert "its local derivative disagrees with central differences" in text
    assert f"∂/∂x: expected {fmt(right(x0))}, recorded {fmt(wrong(x0))}" in text
    assert err.node is not None and err.node.node.operation is op


def test_the_table_shows_every_column() -> None:
    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda x: BAD_SIGN(x), [0.5])
    lines = str(info.value).splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("input"))
    assert lines[header].split() == ["input", "value", "analytic", "numerical", "abs", "err", "rel", "err", "status"]
    a, n = -math.cos(0.5), math.cos(0.5)
    assert lines[header + 2].split() == ["x", "0.5", fmt(a), fmt(n), f"{abs(a - n):.2g}", f"{abs(a - n) / n:.2g}",
                                         "FAIL"]


def test_check_nodes_false_names_no_node() -> None:
    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda x: BAD_SIGN(x), [0.5], check_nodes=False)
    assert "First wrong node" not in str(info.value) and info.value.node is None


def test_an_input_used_outside_the_graph_is_explained() -> None:
    # f = x·x with one factor taken through .data: backward sees x·3, ∂f/∂x = 2x = 6 numerically
    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda x: x * x.data, [3.0])
    assert info.value.rows[0].analytic == 3.0
    assert "used through .data (math.* on x.data, say), outside the graph" in " ".join(str(info.value).split())


def test_gradcheck_error_is_an_assertion_error() -> None:
    assert issubclass(GradcheckError, AssertionError)
    with pytest.raises(AssertionError):
        gradcheck(lambda x: BAD_SIGN(x), [1.0])


# ---------------------------------------------------------------------------------------------
# Kinks.


@pytest.mark.parametrize(
    ("f", "name"),
    [(lambda x: x.relu(), "ReLU"), (lambda x: x.leaky_relu(0.1), "leaky_relu(0.1)"),
     (lambda x: x.abs() + x.relu(), "abs at x=0, ReLU")],
    ids=["relu", "leaky_relu", "abs+relu"],
)
def test_a_kink_at_the_input_is_reported_not_failed(f: Callable[..., Value], name: str) -> None:
    report = gradcheck(f, [0.0])
    (row,) = report.rows
    assert row.status == "kink" and report.kinks == [row]
    assert f"of {name} at x=0" in row.note
    with pytest.raises(GradcheckError, match="kink"):
        gradcheck(f, [0.0], fail_on_kink=True)


def test_a_kink_is_a_kink_even_where_the_numbers_agree() -> None:
    # |x| at 0: analytic 0 (convention), numerical (|h| − |−h|)/2h = 0, yet the one-sided slopes are −1 and 1
    row = gradcheck(lambda x: x.abs(), [0.0]).rows[0]
    assert row.status == "kink" and "abs at x=0" in row.note
    with pytest.raises(GradcheckError, match="kink"):
        gradcheck(lambda x: x.abs(), [0.0], fail_on_kink=True)


def test_a_kink_deep_in_the_graph_marks_only_the_inputs_it_depends_on() -> None:
    # f = relu(x·y) + x at (0, 3): ∂f/∂x jumps (1 or 1 + y), ∂f/∂y = 0 on both sides
    report = gradcheck(lambda x, y: (x * y).relu() + x, [0.0, 3.0])
    assert [r.status for r in report.rows] == ["kink", "ok"]
    assert "at the kink of ReLU at (x * y)=0" in report.rows[0].note


def test_a_step_crossing_a_kink_is_a_kink() -> None:
    # relu at 1e-8 with h = 1e-6: relu′ = 1, but the step reaches −1e-6 where relu′ = 0
    report = gradcheck(lambda x: x.relu(), [1e-8])
    assert report.rows[0].status == "kink"
    assert "the step ±1e-06 crosses the kink of ReLU at x=1e-08" in report.rows[0].note


def test_an_undeclared_kink_fails_with_a_hint() -> None:
    # a kink made with Python control flow is no op's kink: it fails, with the one-sided hint
    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda x: x * 2.0 if x.data > 0 else x * 0.5, [1e-8])
    assert info.value.rows[0].status == "FAIL"
    assert "one-sided differences disagree" in info.value.rows[0].note


# ---------------------------------------------------------------------------------------------
# Inputs, names, results, errors.


def test_row_names_come_from_labels_then_parameters_then_positions() -> None:
    report = gradcheck(lambda a, *rest: a * rest[0] * rest[1], [Value(1.0, "w"), 2.0, 3.0])
    assert [r.name for r in report.rows] == ["w", "#1", "#2"]
    assert [r.name for r in gradcheck(lambda a, b: a * b, [1.0, 2.0]).rows] == ["a", "b"]
    assert [r.name for r in gradcheck(lambda a, b: a * b, [Value(1.0, "z"), Value(2.0, "z")]).rows] == ["z", "z (#1)"]


def test_gradcheck_leaves_the_callers_values_alone_and_reports() -> None:
    x = Value(0.5, "x")
    x.grad = 4.0
    report = gradcheck(lambda x: x.tanh() * 3.0, [x])
    assert (x.data, x.grad) == (0.5, 4.0)
    # ∂(3 tanh x)/∂x = 3(1 − tanh² x)
    assert report.rows[0].analytic == pytest.approx(3 * (1 - math.tanh(0.5) ** 2), rel=1e-12)
    assert "x      0.5" in str(report) and bool(report)


def test_close_and_errors_of_a_row() -> None:
    assert close(1.0, 1.0 + 1e-4, 1e-5, 1e-3) and not close(1.0, 1.1, 1e-5, 1e-3)
    assert close(math.inf, math.inf, 0, 0) and not close(math.nan, math.nan, 1, 1)
    row = GradRow("x", 1.0, 2.0, 0.0, "FAIL")
    assert (row.abs_err, row.rel_err) == (2.0, math.inf)
    assert format_report([row], reference="expected").splitlines()[0].split()[3] == "expected"


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: gradcheck(lambda x: x, ["a"]), TypeError, "gradcheck: inputs[0] must be a real number or a Value"),
        (lambda: gradcheck(lambda x: x, [True]), TypeError, "inputs[0]"),
        (lambda: gradcheck(lambda x: x, [math.nan]), ValueError, "finite points"),
        (lambda: gradcheck(lambda x: x, []), ValueError, "at least one input"),
        (lambda: gradcheck(lambda x: x, [1.0], eps=0.0), ValueError, "eps must be a positive number"),
        (lambda: gradcheck(lambda x: x, [1.0], atol=-1.0), ValueError, "atol must be a number >= 0"),
        (lambda: gradcheck(3.0, [1.0]), TypeError, "f must be a function"),  # type: ignore[arg-type]
        (lambda: gradcheck(lambda x: math.sin(x), [1.0]), TypeError, "outside the graph"),
        (lambda: numerical_grad(lambda x: "s", [1.0]), TypeError, "must return a Value"),
        (lambda: numerical_grad(lambda x: x, "ab"), TypeError, "list of numbers"),
    ],
)
def test_bad_arguments_get_clear_errors(call: Callable[[], Any], error: type[Exception], words: str) -> None:
    with pytest.raises(error, match=words.replace("[", r"\[").replace("]", r"\]")):
        call()


def test_gradcheck_inside_no_grad_says_so() -> None:
    with no_grad(), pytest.raises(RuntimeError, match="inside no_grad"):
        gradcheck(lambda x: x * 2.0, [1.0])
