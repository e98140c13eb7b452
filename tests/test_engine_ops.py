"""Every operation, one at a time: forward against Python's float arithmetic, and its derivative.

Each derivative is written out below as a formula (the way one checks a gradient by hand) and the
engine's gradient is compared with it at several points, with a central difference of the engine's
own forward, and with sympy's symbolic derivative of the same expression.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import sympy

import autograd
from autograd import Value
from autograd.engine import constant_of

S = sympy.Symbol("s", real=True)
S2 = sympy.Symbol("t", real=True)


def sigmoid_ref(x: float) -> float:
    """The textbook 1 / (1 + e^-x); the engine may use the equal form e^x / (1 + e^x) for x < 0."""
    return 1.0 / (1.0 + math.exp(-x))


def sign(x: float) -> float:
    return 1.0 if x > 0 else (-1.0 if x < 0 else 0.0)


@dataclass(frozen=True)
class Unary:
    """y = f(x) for one node x: the engine's op, the same forward on floats, sympy's f, and f′ by hand."""

    name: str
    engine: Callable[[Any], Any]
    floats: Callable[[float], float]
    sym: Callable[[Any], Any]
    deriv: Callable[[float], float]
    points: tuple[float, ...]
    ulps: int = 0  # 0: the forward must be bit-identical to ``floats``

    def __str__(self) -> str:
        return self.name


def generic(name: str, f: Callable[[Any], Any], deriv: Callable[[float], float], points: tuple[float, ...]) -> Unary:
    """An expression written with operators only works unchanged on Values, floats and sympy."""
    return Unary(name, f, f, f, deriv, points)


def leaky(slope: float) -> Unary:
    return Unary(
        f"leaky_relu({slope})",
        (lambda v: v.leaky_relu(slope)) if slope != 0.01 else (lambda v: v.leaky_relu()),
        lambda x: x if x > 0 else slope * x,
        lambda s: sympy.Piecewise((s, s > 0), (slope * s, True)),
        lambda x: 1.0 if x > 0 else slope,
        (-2.5, -0.3, 0.7, 3.0),
    )


EVERYWHERE = (-2.5, -0.7, 0.3, 1.9)
POSITIVE = (0.2, 0.9, 2.5, 7.0)

UNARY = [
    # a node with a number, the number on either side: y = x + c, c + x, x − c, c − x, ...
    generic("x + 2.5", lambda x: x + 2.5, lambda x: 1.0, EVERYWHERE),
    generic("2.5 + x", lambda x: 2.5 + x, lambda x: 1.0, EVERYWHERE),
    generic("x + 3 (int)", lambda x: x + 3, lambda x: 1.0, EVERYWHERE),
    generic("x - 2.5", lambda x: x - 2.5, lambda x: 1.0, EVERYWHERE),
    generic("2 - x", lambda x: 2 - x, lambda x: -1.0, EVERYWHERE),
    generic("x * 3", lambda x: x * 3, lambda x: 3.0, EVERYWHERE),
    generic("-1.5 * x", lambda x: -1.5 * x, lambda x: -1.5, EVERYWHERE),
    generic("x / 3", lambda x: x / 3, lambda x: 1.0 / 3.0, EVERYWHERE),
    generic("x / 0.1", lambda x: x / 0.1, lambda x: 1.0 / 0.1, EVERYWHERE),
    generic("1 / x", lambda x: 1 / x, lambda x: -1.0 / x**2, EVERYWHERE),
    generic("-3 / x", lambda x: -3 / x, lambda x: 3.0 / x**2, EVERYWHERE),
    generic("x ** 2", lambda x: x**2, lambda x: 2.0 * x, EVERYWHERE),
    generic("x ** 3", lambda x: x**3, lambda x: 3.0 * x**2, EVERYWHERE),
    generic("x ** -2", lambda x: x**-2, lambda x: -2.0 * x**-3, EVERYWHERE),
    generic("x ** 0.5", lambda x: x**0.5, lambda x: 0.5 * x**-0.5, POSITIVE),
    generic("x ** 2.5", lambda x: x**2.5, lambda x: 2.5 * x**1.5, POSITIVE),
    generic("x ** 1", lambda x: x**1, lambda x: 1.0, EVERYWHERE),
    generic("x ** 0", lambda x: x**0, lambda x: 0.0, EVERYWHERE),
    generic("2 ** x", lambda x: 2**x, lambda x: 2.0**x * math.log(2.0), EVERYWHERE),
    generic("0.5 ** x", lambda x: 0.5**x, lambda x: 0.5**x * math.log(0.5), EVERYWHERE),
    generic("-x", lambda x: -x, lambda x: -1.0, EVERYWHERE),
    # functions of one node: y = f(z), f′(z)
    Unary("exp", lambda v: v.exp(), math.exp, sympy.exp, math.exp, EVERYWHERE),
    Unary("log", lambda v: v.log(), math.log, sympy.log, lambda x: 1.0 / x, POSITIVE),
    Unary("tanh", lambda v: v.tanh(), math.tanh, sympy.tanh, lambda x: 1.0 - math.tanh(x) ** 2, EVERYWHERE),
    Unary(
        "sigmoid",
        lambda v: v.sigmoid(),
        sigmoid_ref,
        lambda s: 1 / (1 + sympy.exp(-s)),
        lambda x: sigmoid_ref(x) * (1.0 - sigmoid_ref(x)),
        (-30.0, *EVERYWHERE, 30.0),
        ulps=2,
    ),
    Unary("relu", lambda v: v.relu(), lambda x: max(0.0, x), lambda s: sympy.Max(0, s),
          lambda x: 1.0 if x > 0 else 0.0, EVERYWHERE),
    leaky(0.01),
    leaky(0.2),
    Unary("abs", lambda v: v.abs(), math.fabs, sympy.Abs, sign, EVERYWHERE),
    Unary("abs()", abs, math.fabs, sympy.Abs, sign, EVERYWHERE),
    Unary("sqrt", lambda v: v.sqrt(), math.sqrt, sympy.sqrt, lambda x: 0.5 / math.sqrt(x), POSITIVE),
    Unary("sin", lambda v: v.sin(), math.sin, sympy.sin, math.cos, EVERYWHERE),
    Unary("cos", lambda v: v.cos(), math.cos, sympy.cos, lambda x: -math.sin(x), EVERYWHERE),
]

UNARY_AT = [pytest.param(case, x, id=f"{case}@{x}") for case in UNARY for x in case.points]


def close(a: float, b: float, rel: float = 1e-12, abs_: float = 1e-12) -> bool:
    return math.isclose(a, b, rel_tol=rel, abs_tol=abs_)


def central_difference(f: Callable[[float], float], x: float) -> float:
    h = 1e-6 * max(1.0, abs(x))
    return (f(x + h) - f(x - h)) / (2.0 * h)


def grad_of(case: Unary, x: float) -> tuple[Value, Value]:
    v = Value(x)
    y = case.engine(v)
    y.backward()
    return v, y


@pytest.mark.parametrize(("case", "x"), UNARY_AT)
def test_forward_matches_python_floats(case: Unary, x: float) -> None:
    y = case.engine(Value(x))
    assert isinstance(y, Value)
    assert type(y.data) is float
    expected = case.floats(x)
    if case.ulps == 0:
        assert y.data == expected, f"{case}: {y.data!r} != {expected!r}"
    else:
        assert abs(y.data - expected) <= case.ulps * math.ulp(expected)


@pytest.mark.parametrize(("case", "x"), UNARY_AT)
def test_gradient_matches_the_formula(case: Unary, x: float) -> None:
    v, _ = grad_of(case, x)
    assert type(v.grad) is float
    assert close(v.grad, case.deriv(x)), f"{case} at {x}: {v.grad!r} vs {case.deriv(x)!r}"


@pytest.mark.parametrize(("case", "x"), UNARY_AT)
def test_gradient_matches_central_difference(case: Unary, x: float) -> None:
    v, _ = grad_of(case, x)
    numeric = central_difference(lambda t: case.engine(Value(t)).data, x)
    assert math.isclose(v.grad, numeric, rel_tol=1e-6, abs_tol=1e-7), f"{case} at {x}: {v.grad} vs {numeric}"


@pytest.mark.parametrize(("case", "x"), UNARY_AT)
def test_gradient_matches_sympy(case: Unary, x: float) -> None:
    v, y = grad_of(case, x)
    expr = case.sym(S)
    assert close(y.data, float(expr.subs(S, x)), rel=1e-14)
    assert close(v.grad, float(sympy.diff(expr, S).subs(S, x)))


# ---------------------------------------------------------------------------------------------
# Two nodes: y = f(a, b) with both partial derivatives by hand.


@dataclass(frozen=True)
class Binary:
    name: str
    f: Callable[[Any, Any], Any]  # written with operators: works on Values, floats and sympy
    partials: Callable[[float, float], tuple[float, float]]
    points: tuple[tuple[float, float], ...]

    def __str__(self) -> str:
        return self.name


MIXED = ((-2.5, 1.5), (0.7, -0.4), (3.0, 2.0), (-1.1, -0.6))
POSITIVE_BASE = ((0.5, 1.5), (2.0, -0.7), (3.0, 2.0), (1.3, 0.0))

BINARY = [
    Binary("a + b", lambda a, b: a + b, lambda a, b: (1.0, 1.0), MIXED),
    Binary("a - b", lambda a, b: a - b, lambda a, b: (1.0, -1.0), MIXED),
    Binary("a * b", lambda a, b: a * b, lambda a, b: (b, a), MIXED),
    Binary("a / b", lambda a, b: a / b, lambda a, b: (1.0 / b, -a / b**2), MIXED),
    Binary("a ** b", lambda a, b: a**b, lambda a, b: (b * a ** (b - 1.0), a**b * math.log(a)), POSITIVE_BASE),
]

BINARY_AT = [pytest.param(case, a, b, id=f"{case}@{a},{b}") for case in BINARY for a, b in case.points]


@pytest.mark.parametrize(("case", "a", "b"), BINARY_AT)
def test_binary_forward_matches_python_floats(case: Binary, a: float, b: float) -> None:
    y = case.f(Value(a), Value(b))
    assert type(y.data) is float
    assert y.data == case.f(a, b)


@pytest.mark.parametrize(("case", "a", "b"), BINARY_AT)
def test_binary_gradients_formula_central_difference_and_sympy(case: Binary, a: float, b: float) -> None:
    va, vb = Value(a), Value(b)
    case.f(va, vb).backward()
    da, db = case.partials(a, b)
    assert close(va.grad, da) and close(vb.grad, db), (va.grad, vb.grad, da, db)

    assert math.isclose(va.grad, central_difference(lambda t: case.f(Value(t), Value(b)).data, a), rel_tol=1e-6)
    assert math.isclose(vb.grad, central_difference(lambda t: case.f(Value(a), Value(t)).data, b),
                        rel_tol=1e-6, abs_tol=1e-9)

    expr = case.f(S, S2)
    at = {S: a, S2: b}
    assert close(va.grad, float(sympy.diff(expr, S).subs(at)))
    assert close(vb.grad, float(sympy.diff(expr, S2).subs(at)))


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
