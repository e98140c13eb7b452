"""Code written for micrograd works unchanged, and gives the right numbers.

The expected numbers come from sympy (exact rational arithmetic on the same expressions), not from
micrograd; the installed ``micrograd`` package is compared as well, as a second opinion.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest
import sympy
from micrograd.engine import Value as MicrogradValue

from autograd import Value, ops


def readme_example(a: Any, b: Any, relu: Callable[[Any], Any]) -> Any:
    """micrograd's README expression (its test_more_ops), written once for any number type."""
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + relu(b + a)
    d += 3 * d + relu(b - a)
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    return g


def sanity_check(x: Any, relu: Callable[[Any], Any]) -> Any:
    """micrograd's test_sanity_check expression."""
    z = 2 * x + 2 + x
    q = relu(z) + z * x
    h = relu(z * z)
    y = h + q + q * x
    return y


def ours_relu(v: Any) -> Any:
    return v.relu()


def sympy_relu(e: Any) -> Any:
    return sympy.Max(0, e)


def exact(expr: Any, wrt: sympy.Symbol, at: dict[sympy.Symbol, int]) -> tuple[sympy.Rational, sympy.Rational]:
    """The value and the derivative of ``expr`` at ``at``, as exact rationals.

    The float constants in the expressions (2.0, 10.0) are exact binary numbers: made rational first.
    """
    expr = sympy.nsimplify(expr, rational=True)
    value = expr.subs(at)
    slope = sympy.diff(expr, wrt).subs(at)
    assert value.is_Rational and slope.is_Rational
    return value, slope


def test_readme_example_against_sympy() -> None:
    """g.data = 24.7041, a.grad = 138.8338, b.grad = 645.5773 (README), to full float precision."""
    a, b = Value(-4.0), Value(2.0)
    g = readme_example(a, b, ours_relu)
    g.backward()

    sa, sb = sympy.symbols("a b", real=True)
    g_sym = readme_example(sa, sb, sympy_relu)
    at = {sa: -4, sb: 2}
    g_exact, da_exact = exact(g_sym, sa, at)
    _, db_exact = exact(g_sym, sb, at)
    # the README prints 4 decimals of the exact values
    assert [round(float(v), 4) for v in (g_exact, da_exact, db_exact)] == [24.7041, 138.8338, 645.5773]
    # a few roundings per operation: a relative error of 1e-13 is far more than float arithmetic needs
    assert math.isclose(g.data, float(g_exact), rel_tol=1e-13)
    assert math.isclose(a.grad, float(da_exact), rel_tol=1e-13)
    assert math.isclose(b.grad, float(db_exact), rel_tol=1e-13)


@pytest.mark.parametrize("x0", [-4, -1, 3])
def test_sanity_check_expression_against_sympy(x0: int) -> None:
    x = Value(float(x0))
    y = sanity_check(x, ours_relu)
    y.backward()
    s = sympy.Symbol("x", real=True)
    y_exact, dx_exact = exact(sanity_check(s, sympy_relu), s, {s: x0})
    assert y.data == float(y_exact)  # small integers all along: exact in floats
    assert x.grad == float(dx_exact)


def test_sanity_check_by_hand() -> None:
    """At x = −4: z = 3x + 2 = −10, q = 0 + z·x = 40, h = z² = 100, y = h + q + q·x = −20.
    dy/dx = dh/dx + (1 + x)·dq/dx + q, with dz/dx = 3, dh/dx = 2z·3 = −60, dq/dx = 3x + z = −22:
    −60 + (−3)(−22) + 40 = 46."""
    x = Value(-4.0)
    y = sanity_check(x, ours_relu)
    y.backward()
    assert (y.data, x.grad) == (-20.0, 46.0)


def test_the_micrograd_package_agrees_on_these_expressions() -> None:
    a, b = Value(-4.0), Value(2.0)
    g = readme_example(a, b, ours_relu)
    g.backward()
    ma, mb = MicrogradValue(-4.0), MicrogradValue(2.0)
    mg = readme_example(ma, mb, ours_relu)
    mg.backward()
    for ours, theirs in ((g.data, mg.data), (a.grad, ma.grad), (b.grad, mb.grad)):
        assert math.isclose(ours, theirs, rel_tol=1e-13)
    x, mx = Value(-4.0), MicrogradValue(-4.0)
    sanity_check(x, ours_relu).backward()
    sanity_check(mx, ours_relu).backward()
    assert x.grad == mx.grad


# ---------------------------------------------------------------------------------------------
# micrograd's API: construction, _prev, _op, repr, _backward.


def test_construction_with_children_and_op() -> None:
    a, b = Value(2.0), Value(3.0)
    v = Value(5.0, (a, b), "+")
    assert v._prev == (a, b) and isinstance(v._prev, tuple)
    assert v._op == "+" and v.op == "+" and v.parents == (a, b)
    assert v.grad == 0.0 and type(v.grad) is float
    one = Value(1.0, [a], "f")
    assert one._prev == (a,)
    assert Value(1.0)._prev == () and Value(1.0)._op == ""


def test_construction_with_an_op_object_records_its_derivative() -> None:
    """``Value(data, children, op)`` with an ``autograd.Op``: y = a·b, so ∂y/∂a = b and ∂y/∂b = a."""
    a, b = Value(2.0), Value(3.0)
    v = Value(6.0, (a, b), ops.MUL)
    assert v._op == "*" and v._prev == (a, b)
    v.backward()
    assert (a.grad, b.grad) == (3.0, 2.0)
    with pytest.raises(TypeError, match=r"_op must be a str or an autograd.Op, got 5"):
        Value(1.0, (), 5)  # type: ignore[arg-type]


def test_a_no_op_backward_on_a_leaf_keeps_it_a_leaf() -> None:
    """micrograd gives every node ``_backward = lambda: None``; on a leaf it must not stop accumulation."""
    w = Value(2.0)
    w._backward = lambda: None
    assert w.is_leaf and w._prev == () and w._op == ""
    y = w * 3.0
    y.backward()
    y.backward()
    assert w.grad == 6.0


def test_second_positional_argument_may_be_a_label() -> None:
    v = Value(2.0, "a")
    assert v.label == "a" and v._prev == ()


@pytest.mark.parametrize(
    ("make", "op", "n_parents"),
    [
        (lambda x, y: x + y, "+", 2),
        (lambda x, y: x * y, "*", 2),
        (lambda x, y: x - y, "-", 2),
        (lambda x, y: x / y, "/", 2),
        (lambda x, y: x + 1, "+", 1),
        (lambda x, y: 3 * x, "*", 1),
        (lambda x, y: x**2, "**2", 1),
        (lambda x, y: x**-1, "**-1", 1),
        (lambda x, y: x**0.5, "**0.5", 1),
        (lambda x, y: x.relu(), "ReLU", 1),
        (lambda x, y: x.tanh(), "tanh", 1),
        (lambda x, y: x.exp(), "exp", 1),
        (lambda x, y: x.log(), "log", 1),
        (lambda x, y: x.sigmoid(), "sigmoid", 1),
    ],
)
def test_op_names_compare_equal_to_micrograd_strings(
    make: Callable[[Value, Value], Value], op: str, n_parents: int
) -> None:
    x, y = Value(2.0), Value(3.0)
    v = make(x, y)
    assert v._op == op and op == v._op and str(v._op) == op
    assert v._op != "something else"
    assert len(v._prev) == n_parents and v._prev[0] is x


def test_repr_like_micrograd() -> None:
    v = Value(2.0)
    assert repr(v) == "Value(data=2.0, grad=0.0)"
    (v * 3).backward()
    assert repr(v) == "Value(data=2.0, grad=3.0)"
    assert repr(Value(-0.5, label="w")) == "Value(data=-0.5, grad=0.0, label='w')"
    assert str(v) == repr(v) and f"{v}" == repr(v)


def lecture_neuron() -> dict[str, Value]:
    """The neuron of micrograd's lecture: o = tanh(x1·w1 + x2·w2 + b)."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    x1w1 = x1 * w1
    x2w2 = x2 * w2
    x1w1x2w2 = x1w1 + x2w2
    n = x1w1x2w2 + b
    o = n.tanh()
    return dict(x1=x1, x2=x2, w1=w1, w2=w2, b=b, x1w1=x1w1, x2w2=x2w2, x1w1x2w2=x1w1x2w2, n=n, o=o)


def test_manual_backward_steps_as_in_the_lecture() -> None:
    """o.grad = 1, then each node's ``_backward()`` in reverse order: the same grads as backward().
    By hand: ∂o/∂n = 1 − o², ∂o/∂x1 = w1·(1 − o²), ∂o/∂w1 = x1·(1 − o²), ∂o/∂w2 = x2·(1 − o²) = 0."""
    v = lecture_neuron()
    v["o"].grad = 1.0
    for name in ("o", "n", "b", "x1w1x2w2", "x2w2", "x1w1", "x1", "w1", "x2", "w2"):
        v[name]._backward()
    auto = lecture_neuron()
    auto["o"].backward()
    for name in v:
        assert v[name].grad == auto[name].grad, name
    o = math.tanh(2.0 * -3.0 + 0.0 * 1.0 + 6.8813735870195432)
    dn = 1 - o**2
    assert math.isclose(v["n"].grad, dn, rel_tol=1e-12) and math.isclose(dn, 0.5, rel_tol=1e-9)
    assert math.isclose(v["x1"].grad, -3.0 * dn, rel_tol=1e-12)
    assert math.isclose(v["w1"].grad, 2.0 * dn, rel_tol=1e-12)
    assert math.isclose(v["x2"].grad, 1.0 * dn, rel_tol=1e-12)
    assert v["w2"].grad == 0.0


def test_manual_backward_steps_accumulate_into_a_reused_parent() -> None:
    """b = a·a, c = b + a: stepping c then b by hand gives ∂c/∂a = 2a + 1 (each step adds, never sets)."""
    a = Value(3.0)
    b = a * a
    c = b + a
    c.grad = 1.0
    c._backward()
    assert (b.grad, a.grad) == (1.0, 1.0)
    b._backward()
    assert a.grad == 2 * 3.0 + 1


def lecture_tanh(self: Value) -> Value:
    """The lecture's custom op: forward by hand, derivative in a closure assigned to ``_backward``."""
    x = self.data
    t = (math.exp(2 * x) - 1) / (math.exp(2 * x) + 1)
    out = Value(t, (self,), "tanh")

    def _backward() -> None:
        self.grad += (1 - t**2) * out.grad

    out._backward = _backward
    return out


def lecture_mul(self: Value, other: Value) -> Value:
    out = Value(self.data * other.data, (self, other), "*")

    def _backward() -> None:
        self.grad += other.data * out.grad
        other.grad += self.data * out.grad

    out._backward = _backward
    return out


def test_custom_ops_with_a_backward_closure_work_with_backward() -> None:
    """y = tanh(x·w)·x with closure ops: ∂y/∂x = (1 − t²)·w·x + t, ∂y/∂w = (1 − t²)·x·x, t = tanh(xw)."""
    x, w = Value(0.8), Value(-0.6)
    hidden = lecture_tanh(lecture_mul(x, w))
    assert hidden._op == "tanh" and len(hidden._prev) == 1
    y = hidden * x
    y.backward()
    t = math.tanh(0.8 * -0.6)
    assert math.isclose(x.grad, (1 - t**2) * -0.6 * 0.8 + t, rel_tol=1e-12)
    assert math.isclose(w.grad, (1 - t**2) * 0.8 * 0.8, rel_tol=1e-12)
    # the same with built-in ops
    bx, bw = Value(0.8), Value(-0.6)
    ((bx * bw).tanh() * bx).backward()
    assert math.isclose(x.grad, bx.grad, rel_tol=1e-12) and math.isclose(w.grad, bw.grad, rel_tol=1e-12)
    # and a second call: leaves accumulate, the closure node's interior parent is recomputed
    y.backward()
    assert math.isclose(x.grad, 2 * bx.grad, rel_tol=1e-12)
    assert math.isclose(hidden._prev[0].grad, (1 - t**2) * 0.8, rel_tol=1e-12)


# ---------------------------------------------------------------------------------------------
# Comparisons, identity, hashing, conversions.


def test_ordering_compares_data_and_returns_bool() -> None:
    a, b = Value(1.0), Value(2.0)
    results = [a < b, a <= b, a > b, a >= b, a < 1.5, 1.5 < b, a <= 1, 2 >= b, 0 > a]
    assert all(type(r) is bool for r in results)
    assert results == [True, True, False, False, True, True, True, True, False]
    assert max([a, b]) is b and sorted([b, a]) == [a, b]


def test_equality_is_identity_and_values_hash() -> None:
    a, b = Value(1.0), Value(1.0)
    assert a == a and not (a == b) and a != b
    assert not (a == 1.0) and a != 1.0
    assert len({a, b, a}) == 2
    grads = {a: "first", b: "second"}
    assert grads[a] == "first" and grads[b] == "second"
    assert a in [a] and a not in [b]  # list membership uses ==, so identity


def test_float_and_format() -> None:
    """micrograd has no ``__float__``: ``math.sqrt(v)`` and ``float(v)`` raise there, and here (naming the fix)."""
    v = Value(2.5)
    assert v.item() == 2.5 and type(v.item()) is float
    assert format(v, ".3f") == "2.500" and f"{v:.1e}" == "2.5e+00"
    with pytest.raises(TypeError, match=r"x\.sqrt\(\).*x\.data / x\.item\(\)"):
        math.sqrt(Value(9.0))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"float\(x\)"):
        float(v)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        math.sqrt(MicrogradValue(9.0))
