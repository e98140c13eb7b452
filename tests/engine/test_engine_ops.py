"""Every operation, one at a time: forward against Python's float arithmetic, and its derivative.

Every op of the table is built from Values in the ways listed in ``tests/op_cases.py``, whose
oracles write each forward with ``math`` and each derivative as a formula (the way one checks a
gradient by hand); the engine's gradient is compared with it at every sample point, with a central
difference of the engine's own forward, and with sympy's symbolic derivative of the same expression.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest
import sympy

import autograd
from autograd import Value
from autograd.graph import constant_of
from tests.support.numeric import central_partials, close
from tests.support.op_cases import Case, at_points, missing_cases, missing_oracles

SYMBOLS = sympy.symbols("s t u v w", real=True)
EACH_POINT = pytest.mark.parametrize(("case", "point"), [pytest.param(c, p, id=f"{c}@{p}") for c, p in at_points()])


def grads_of(case: Case, point: tuple[float, ...]) -> tuple[list[Value], Value]:
    xs = [Value(x) for x in point]
    y = case.build(*xs)
    y.backward()
    return xs, y


def test_every_table_op_has_a_case_and_an_oracle() -> None:
    assert missing_oracles() == [] and missing_cases() == []


@EACH_POINT
def test_forward_matches_python_floats(case: Case, point: tuple[float, ...]) -> None:
    y = case.build(*[Value(x) for x in point])
    assert isinstance(y, Value) and y.operation is case.op
    assert type(y.data) is float
    expected = case.f(*point)
    if case.oracle.ulps == 0:
        assert y.data == expected, f"{case}: {y.data!r} != {expected!r}"
    else:
        assert abs(y.data - expected) <= case.oracle.ulps * math.ulp(expected)


@EACH_POINT
def test_gradient_matches_the_formula(case: Case, point: tuple[float, ...]) -> None:
    xs, _ = grads_of(case, point)
    for v, want in zip(xs, case.d1(*point), strict=True):
        assert type(v.grad) is float
        assert close(v.grad, want), f"{case} at {point}: {v.grad!r} vs {want!r}"


@EACH_POINT
def test_gradient_matches_central_difference(case: Case, point: tuple[float, ...]) -> None:
    xs, _ = grads_of(case, point)
    numeric = central_partials(lambda p: case.build(*[Value(t) for t in p]).data, point)
    for i, (v, n) in enumerate(zip(xs, numeric, strict=True)):
        abs_tol = 1e-7 if case.n == 1 else (0.0 if i == 0 else 1e-9)  # as the one- and two-input lists had
        assert math.isclose(v.grad, n, rel_tol=1e-6, abs_tol=abs_tol), f"{case} at {point}: {v.grad} vs {n}"


@EACH_POINT
def test_gradient_matches_sympy(case: Case, point: tuple[float, ...]) -> None:
    xs, y = grads_of(case, point)
    syms = SYMBOLS[: case.n]
    expr = case.sym(*syms)
    at = dict(zip(syms, point, strict=True))
    assert close(y.data, float(expr.subs(at)), rel=1e-14)
    for v, s in zip(xs, syms, strict=True):
        assert close(v.grad, float(sympy.diff(expr, s).subs(at)))


def test_same_node_on_both_sides_adds_both_partials() -> None:
    """y = x·x: ∂y/∂x = x + x = 2x; y = x / x: 1/x − x/x² = 0; y = x ** x: x·x^(x−1) + x^x·ln x."""
    for x in (0.5, 1.7, 3.0):
        v = Value(x)
        (v * v).backward()
        assert v.grad == 2.0 * x
        v = Value(x)
        (v / v).backward()
        assert close(v.grad, 0.0)
        v = Value(x)
        (v**v).backward()
        assert close(v.grad, x**x * (1.0 + math.log(x)))


def test_integer_exponent_of_a_negative_base() -> None:
    """y = xⁿ for x < 0 and integer n is real: ∂y/∂x = n·xⁿ⁻¹ (as a Value exponent too, for ∂/∂x)."""
    for n in (2, 3, -1, -2):
        v = Value(-2.0)
        (v**n).backward()
        assert close(v.grad, n * (-2.0) ** (n - 1))
        v, e = Value(-2.0), Value(float(n))
        y = v**e
        assert y.data == (-2.0) ** n
        y.backward()
        assert close(v.grad, n * (-2.0) ** (n - 1))
        assert math.isnan(e.grad)  # ∂y/∂n = xⁿ·ln x has no real value for x < 0 (documented: NaN)


# ---------------------------------------------------------------------------------------------
# Many nodes in one: autograd.sum and autograd.dot.


def test_sum_of_many_is_one_node_with_unit_partials() -> None:
    """y = Σ x_i;  ∂y/∂x_i = 1 for each i (twice for an input that appears twice)."""
    floats = [0.1, -2.5, 3.25, 1e-3, 7.0]
    xs = [Value(x) for x in floats]
    y = autograd.sum([*xs, xs[0], 4])
    expected = 0.0
    for x in [*floats, floats[0], 4.0]:
        expected += x
    assert y.data == expected
    assert len(y._prev) == 7 and y._op == "sum"
    y.backward()
    assert [x.grad for x in xs] == [2.0, 1.0, 1.0, 1.0, 1.0]
    syms = sympy.symbols("x0:5", real=True)
    expr = sum([*syms, syms[0]]) + 4
    for node, s in zip(xs, syms, strict=True):
        assert node.grad == float(sympy.diff(expr, s))


def test_sum_of_nothing_is_zero() -> None:
    assert autograd.sum([]).data == 0.0


def test_dot_matches_the_neuron_formula() -> None:
    """y = Σ w_i x_i + b;  ∂y/∂w_i = x_i, ∂y/∂x_i = w_i, ∂y/∂b = 1 (summed from b, in input order)."""
    wf, xf, bf = [0.3, -1.2, 2.5], [1.5, 0.25, -0.75], 0.1
    ws, xs, b = [Value(w) for w in wf], [Value(x) for x in xf], Value(bf)
    y = autograd.dot(ws, xs, b)
    expected = bf
    for w, x in zip(wf, xf, strict=True):
        expected += w * x
    assert y.data == expected
    y.backward()
    assert [w.grad for w in ws] == xf
    assert [x.grad for x in xs] == wf
    assert b.grad == 1.0
    w_s, x_s, b_s = sympy.symbols("w0:3", real=True), sympy.symbols("x0:3", real=True), sympy.Symbol("b")
    expr = sum(w * x for w, x in zip(w_s, x_s, strict=True)) + b_s
    at = {**dict(zip(w_s, wf, strict=True)), **dict(zip(x_s, xf, strict=True)), b_s: bf}
    for v, s in [*zip(ws, w_s, strict=True), *zip(xs, x_s, strict=True), (b, b_s)]:
        assert close(v.grad, float(sympy.diff(expr, s).subs(at)))
    h = 1e-6
    numeric = (autograd.dot([wf[0] + h, *wf[1:]], xf, bf).data - autograd.dot([wf[0] - h, *wf[1:]], xf, bf).data)
    assert math.isclose(ws[0].grad, numeric / (2 * h), rel_tol=1e-6)


def test_dot_with_numbers_and_default_bias() -> None:
    x = Value(2.0)
    y = autograd.dot([3, -1.5], [x, 4.0])
    assert y.data == 0.0 + 3.0 * 2.0 + -1.5 * 4.0
    y.backward()
    assert x.grad == 3.0


def test_dot_rejects_lengths_that_differ() -> None:
    with pytest.raises(ValueError, match=r"dot: .*same length.* 2 and 1"):
        autograd.dot([1.0, 2.0], [Value(1.0)])


# ---------------------------------------------------------------------------------------------
# Kinks (as PyTorch), stability, and how a number mixed in is recorded.


@pytest.mark.parametrize(
    ("f", "expected"),
    [
        (lambda v: v.relu(), 0.0),
        (lambda v: v.abs(), 0.0),
        (lambda v: v.leaky_relu(), 0.01),
        (lambda v: v.leaky_relu(0.3), 0.3),
    ],
    ids=["relu", "abs", "leaky_relu", "leaky_relu(0.3)"],
)
def test_derivative_at_the_kink_follows_pytorch(f: Callable[[Value], Value], expected: float) -> None:
    v = Value(0.0)
    y = f(v)
    assert y.data == 0.0
    y.backward()
    assert v.grad == expected


def test_sqrt_and_fractional_power_at_zero_have_infinite_slope() -> None:
    for f in (lambda v: v.sqrt(), lambda v: v**0.5):
        v = Value(0.0)
        f(v).backward()
        assert v.grad == math.inf


@pytest.mark.parametrize("z", [1000.0, -1000.0, 750.0, -750.0])
def test_sigmoid_and_tanh_are_stable_far_out(z: float) -> None:
    """sigmoid(±1000) = 1 or 0 and tanh(±1000) = ±1, with f′ = 0 there and no OverflowError."""
    for f, limit in ((lambda v: v.sigmoid(), 1.0 if z > 0 else 0.0), (lambda v: v.tanh(), math.copysign(1.0, z))):
        v = Value(z)
        y = f(v)
        assert math.isfinite(y.data) and y.data == limit
        y.backward()
        assert v.grad == 0.0


def test_sigmoid_keeps_precision_for_large_negative_inputs() -> None:
    """sigmoid(−40) = 1/(1 + e⁴⁰) ≈ 4.25e-18 to full relative precision (1 − sigmoid(40) would be 0)."""
    v = Value(-40.0)
    y = v.sigmoid()
    exact = sympy.N(1 / (1 + sympy.exp(40)), 30)
    assert close(y.data, float(exact), rel=1e-14, abs_=0.0)
    y.backward()
    assert close(v.grad, float(exact * (1 - exact)), rel=1e-14, abs_=0.0)


def test_exp_overflow_names_the_op_and_the_input() -> None:
    with pytest.raises(OverflowError, match=r"exp.*1000\.0"):
        Value(1000.0).exp()
    assert Value(709.0).exp().data == math.exp(709.0)


@pytest.mark.parametrize(
    ("make", "label"),
    [
        (lambda x: x * 2, "* 2"),
        (lambda x: 2 * x, "* 2"),
        (lambda x: x + 0.5, "+ 0.5"),
        (lambda x: x - 3, "- 3"),
        (lambda x: 2 - x, "2 -"),
        (lambda x: x / 4, "/ 4"),
        (lambda x: 1 / x, "1 /"),
        (lambda x: 2**x, "2 **"),
        (lambda x: x**3, "**3"),
        (lambda x: x.leaky_relu(0.1), "leaky_relu(0.1)"),
    ],
)
def test_a_number_mixed_in_is_not_a_node_but_shows_in_the_label(make: Callable[[Value], Value], label: str) -> None:
    x = Value(1.5)
    y = make(x)
    assert y._prev == (x,)
    assert y.operation is not None and y.operation.describe(constant_of(y)) == label
