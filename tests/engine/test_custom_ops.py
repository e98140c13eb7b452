"""User-defined operations with ``@op``: they record nodes like the built-ins and pass (or fail) the checks."""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import Op, Value, ops
from autograd.checking import GradcheckError, gradcheck
from autograd.checking.nodes import check_graph
from autograd.custom import CustomOp, cos, exp, log, op, sigmoid, sin, sqrt, tanh
from autograd.graph import MissingDerivativeError

SETTINGS = settings(max_examples=25, deadline=None)
floats = st.floats(-8.0, 8.0, allow_nan=False)


@op("softplus")
def softplus(x: float) -> float:
    """y = ln(1 + eˣ), without overflow."""
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


@softplus.derivative  # type: ignore[no-redef]  # the decorator returns the op, so the name stays bound to it
def softplus(x: Any, y: Any) -> Any:
    return 1.0 - exp(-y)  # f′(z) = σ(z) = 1 − e^{−y}, since e^{−y} = 1/(1 + eᶻ)


@op(derivative=lambda x: 3.0 * x * x)
def cube(x: float) -> float:
    return x * x * x


@op("hypot", derivative=lambda a, b, y: (a / y, b / y))  # ∂√(a²+b²)/∂a = a/y
def hypot(a: float, b: float) -> float:
    return math.hypot(a, b)


@op(derivative=lambda a, b, c, y: (b, a, 1.0))  # y = ab + c
def fma(a: float, b: float, c: float) -> float:
    return a * b + c


@op(derivative=lambda xs, y: [exp(x - y) for x in xs])  # ∂ log Σ eˣʲ / ∂xᵢ = e^{xᵢ − y}
def logsumexp(*xs: float) -> float:
    m = max(xs)
    return m + math.log(sum(math.exp(x - m) for x in xs))


@op("hinge", derivative=lambda x: -1.0 if x < 1.0 else 0.0, kink=lambda x: x == 1.0)
def hinge(x: float) -> float:
    """y = max(0, 1 − x)."""
    return max(0.0, 1.0 - x)


def test_softplus_derivative_matches_sympy() -> None:
    z = sp.symbols("z")
    f = sp.log(1 + sp.exp(z))
    # the formula used above, 1 − e^{−f}, equals sympy's f′
    assert sp.simplify(sp.diff(f, z) - (1 - sp.exp(-f))) == 0
    for z0 in (-3.0, 0.0, 0.5, 4.0):
        x = Value(z0, "x")
        y = softplus(x)
        y.backward()
        assert y.data == pytest.approx(float(f.subs(z, z0)), rel=1e-14)
        assert x.grad == pytest.approx(float(sp.diff(f, z).subs(z, z0)), rel=1e-12)


def test_a_custom_op_records_one_node_like_a_builtin() -> None:
    x = Value(0.5, "x")
    y = softplus(x)
    assert isinstance(softplus, Op) and isinstance(softplus, CustomOp)
    assert y.operation is softplus and y._op == "softplus" and y._prev == (x,)
    assert softplus.doc == "y = ln(1 + eˣ), without overflow." and softplus.describe() == "softplus"
    assert softplus(2.0).data == pytest.approx(math.log1p(math.exp(2.0)))  # numbers become constant leaves
    assert (cube.name, cube.arity, fma.arity, logsumexp.arity) == ("cube", 1, 0, 0)


def test_a_custom_op_can_be_drawn() -> None:
    from autograd.drawing.draw import draw_dot

    assert "softplus" in draw_dot(softplus(Value(0.5, "x")) * 2.0).source


@SETTINGS
@given(a=floats, b=floats, c=floats)
def test_custom_ops_pass_gradcheck_and_check_graph(a: float, b: float, c: float) -> None:
    assert gradcheck(lambda x: softplus(x * 2.0), [a])
    assert gradcheck(lambda x: cube(x), [a])
    assert gradcheck(lambda x, y, z: fma(x, y, z).tanh(), [a, b, c])
    assert gradcheck(lambda x, y, z: logsumexp(x, y, z), [a, b, c])
    if abs(a) + abs(b) > 0.1:
        assert gradcheck(lambda x, y: hypot(x, y), [a, b])
    xs = [Value(t, n) for t, n in ((a, "a"), (b, "b"), (c, "c"))]
    assert check_graph(logsumexp(*xs) + fma(*xs) * softplus(xs[0]))


def test_logsumexp_gradient_is_softmax() -> None:
    # ∂ log Σ eˣʲ / ∂xᵢ = softmax(x)ᵢ
    xs = [Value(t) for t in (1.0, 2.0, -0.5)]
    logsumexp(*xs).backward()
    total = sum(math.exp(v.data) for v in xs)
    assert [v.grad for v in xs] == pytest.approx([math.exp(v.data) / total for v in xs], rel=1e-12)


def test_a_declared_kink_is_reported_as_a_kink() -> None:
    report = gradcheck(lambda x: hinge(x), [1.0])
    assert report.rows[0].status == "kink" and "hinge at x=1" in report.rows[0].note
    assert gradcheck(lambda x: hinge(x), [0.5]).rows[0].status == "ok"


def test_the_derivative_also_works_on_values_for_second_derivatives() -> None:
    # softplus″(z) = σ′(z) = σ(z)(1 − σ(z)); differentiate the derivative, written once, on Values
    z0 = 0.7
    x = Value(z0, "x")
    d = softplus.deriv(x, softplus(x), None)
    assert isinstance(d, Value)
    d.backward()
    s = 1.0 / (1.0 + math.exp(-z0))
    assert d.data == pytest.approx(s, rel=1e-12)
    assert x.grad == pytest.approx(s * (1.0 - s), rel=1e-9)


def test_dual_math_works_on_floats_and_values() -> None:
    for fn, ref in ((exp, math.exp), (log, math.log), (sqrt, math.sqrt), (tanh, math.tanh), (sin, math.sin),
                    (cos, math.cos), (sigmoid, lambda t: 1.0 / (1.0 + math.exp(-t)))):
        assert isinstance(fn(0.3), float) and fn(0.3) == pytest.approx(ref(0.3), rel=1e-15)
        v = fn(Value(0.3))
        assert isinstance(v, Value) and v.data == pytest.approx(ref(0.3), rel=1e-15) and v._prev
    assert exp(1) == pytest.approx(math.e)  # ints work too


@pytest.mark.parametrize("entry", [ops.EXP, ops.LOG, ops.SQRT, ops.TANH, ops.SIGMOID, ops.SIN, ops.COS],
                         ids=lambda e: e.name)
def test_op_on_is_the_forward_for_a_number_and_the_tables_node_for_a_value(entry: Op) -> None:
    assert entry.on(0.7) == entry.forward(0.7) and type(entry.on(0.7)) is float
    assert entry.on(Fraction(7, 10)) == entry.forward(0.7)  # any real number, as a float
    v = entry.on(Value(0.7, "x"))
    assert v.operation is entry and v._prev[0].label == "x" and v.data == entry.forward(0.7)


def test_a_broken_custom_op_is_named_by_the_checks() -> None:
    @op("bad_softplus", derivative=lambda x, y: 1.0 - exp(-x))  # at the input, should be at y
    def bad_softplus(x: float) -> float:
        return math.log1p(math.exp(x))

    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda x: bad_softplus(x) * 2.0, [0.5])
    assert "First wrong node (2 of 3, counting from the inputs): bad_softplus at x=0.5" in str(info.value)
    s = 1.0 / (1.0 + math.exp(-0.5))  # σ(0.5), the right local derivative
    assert info.value.node.expected[0] == pytest.approx(s, rel=1e-7)
    assert info.value.node.recorded[0] == pytest.approx(1.0 - math.exp(-0.5), rel=1e-12)


def test_a_derivative_can_be_replaced() -> None:
    @op("twice", derivative=lambda x: 3.0)  # wrong
    def twice(x: float) -> float:
        return 2.0 * x

    with pytest.raises(GradcheckError):
        gradcheck(lambda x: twice(x), [1.0])
    twice.derivative(lambda x: 2.0)
    assert gradcheck(lambda x: twice(x), [1.0])


def test_bad_definitions_get_clear_errors() -> None:
    with pytest.raises(TypeError, match="op 'nothing': the forward must take at least one input"):
        op("nothing")(lambda: 1.0)
    with pytest.raises(TypeError, match=r"op 'sq': the derivative must take \(x\) or \(x, y\), got 3"):
        op("sq", derivative=lambda x, y, z: 2 * x)(lambda x: x * x)
    with pytest.raises(TypeError, match=r"take \(x1, x2\) or \(x1, x2, y\)"):
        op("m", derivative=lambda a: a)(lambda a, b: a * b)
    with pytest.raises(TypeError, match="the name must be a non-empty str"):
        op("")(lambda x: x)
    with pytest.raises(TypeError, match="the derivative must be a function"):
        softplus.derivative(3.0)


def test_missing_or_malformed_derivatives_fail_at_backward_naming_the_op() -> None:
    @op("pending")
    def pending(x: float) -> float:
        return x

    with pytest.raises(MissingDerivativeError, match=r"op 'pending' has no derivative yet: add one with @pending"):
        pending(Value(1.0)).backward()

    @op("pair", derivative=lambda a, b: 1.0)  # should return two values
    def pair(a: float, b: float) -> float:
        return a + b

    with pytest.raises(TypeError, match="op 'pair': the derivative must return 2 values"):
        pair(Value(1.0), Value(2.0)).backward()


def test_calling_with_the_wrong_number_of_inputs() -> None:
    with pytest.raises(TypeError, match="hypot: takes 2 input"):
        hypot(Value(1.0))
    with pytest.raises(TypeError, match="fma: takes 3 inputs, got 2"):
        fma(Value(1.0), Value(2.0))


def test_a_parameter_with_a_default_is_a_constant_not_an_input() -> None:
    @op(derivative=lambda x: 0.2 if x < 0 else 1.0, kink=lambda x: x == 0.0)
    def leaky(x: float, slope: float = 0.2) -> float:
        return x if x > 0 else slope * x

    assert leaky.arity == 1
    assert gradcheck(lambda x: leaky(x), [-1.5]) and gradcheck(lambda x: leaky(x), [0.0]).rows[0].status == "kink"
