"""Second and third derivatives of every operation, through ``grad(..., create_graph=True)``.

For each operation the derivatives are written out as formulas (in ``tests/op_cases.py``) (the way one checks them by
hand) and compared, at several points, with the engine's nested gradients and with sympy. The
engine computes them by differentiating the gradient graph, which is built from the same
derivative expressions (``autograd.ops``) as the ordinary ``backward()``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import pytest
import sympy

import autograd
from autograd import ops
from autograd.engine import Value
from autograd.functional import grad
from tests.support import numeric, op_cases

X, Y, Z = sympy.symbols("x y z", real=True)
SYMS = (X, Y, Z)
sig = numeric.sigmoid



@dataclass(frozen=True)
class Case:
    """y = f(inputs) and its derivatives of orders 2 and 3 by hand.

    ``d2``/``d3`` map a sorted tuple of input positions (``(0, 1)`` is ∂²y/∂x₀∂x₁) to the formula
    at the point; positions not listed are 0. The table's ops come from ``tests/op_cases.py``.
    """

    name: str
    engine: Callable[..., Any]
    sym: Callable[..., Any]
    points: Sequence[tuple[float, ...]]
    d2: Callable[..., dict[tuple[int, ...], float]]
    d3: Callable[..., dict[tuple[int, ...], float]] = field(default=lambda *p: {})
    kinks: Sequence[tuple[float, ...]] = ()  # points at a kink: checked by hand, not against sympy

    def __str__(self) -> str:
        return self.name


def shared(c: op_cases.Case) -> Case:
    """A shared op case, plus its kink points (the higher derivatives of relu, abs… are 0 there too)."""
    kinks = [(0.0,) * c.n] if c.op.kink is not None and c.op.kink(*(0.0,) * c.n, c.c) else []
    return Case(c.name, c.build, c.sym, [*c.points, *kinks], c.d2, c.d3, kinks)


CASES = [shared(c) for c in op_cases.CASES]
# y = x·x (the same node twice);  y″ = 2
CASES.append(Case("x * x", lambda x: x * x, lambda x: x * x, [(0.7,), (-1.3,)], d2=lambda x: {(0, 0): 2.0}))

POINTS = [pytest.param(case, p, id=f"{case}@{p}") for case in CASES for p in case.points]


def nested(y: Value, xs: list[Value]) -> tuple[list[list[Value]], list[list[list[float]]]]:
    """All second (as graphs) and third (as floats) derivatives of y with respect to xs."""
    g = grad(y, xs, create_graph=True)
    h = [grad(gi, xs, create_graph=True) for gi in g]
    t = [[grad(hij, xs) for hij in hi] for hi in h]
    return h, t


def at(expr: Any, point: Sequence[float]) -> float:
    return float(expr.subs(dict(zip(SYMS, point, strict=False))).evalf())


def close(a: float, b: float) -> bool:
    return numeric.close(a, b, rel=1e-9, abs_=1e-10)


@pytest.mark.parametrize(("case", "point"), POINTS)
def test_second_and_third_derivatives_match_the_formulas(case: Case, point: tuple[float, ...]) -> None:
    xs = [Value(p) for p in point]
    h, t = nested(case.engine(*xs), xs)
    d2, d3 = case.d2(*point), case.d3(*point)
    n = len(xs)
    for i in range(n):
        for j in range(n):
            assert close(h[i][j].data, d2.get(tuple(sorted((i, j))), 0.0)), (i, j)
            for k in range(n):
                assert close(t[i][j][k], d3.get(tuple(sorted((i, j, k))), 0.0)), (i, j, k)


@pytest.mark.parametrize(("case", "point"), [p for p in POINTS if p.values[1] not in cast(Case, p.values[0]).kinks])
def test_second_and_third_derivatives_match_sympy(case: Case, point: tuple[float, ...]) -> None:
    xs = [Value(p) for p in point]
    h, t = nested(case.engine(*xs), xs)
    if len(xs) == 5:  # dot: sympy symbols beyond x, y, z
        syms: tuple[Any, ...] = sympy.symbols("w0 w1 x0 x1 b", real=True)
    else:
        syms = SYMS[: len(xs)]
    expr = case.sym(*syms)
    sub = dict(zip(syms, point, strict=True))
    n = len(xs)
    for i in range(n):
        for j in range(n):
            want = float(sympy.diff(expr, syms[i], syms[j]).subs(sub).evalf())
            assert close(h[i][j].data, want), (i, j)
            for k in range(n):
                want3 = float(sympy.diff(expr, syms[i], syms[j], syms[k]).subs(sub).evalf())
                assert close(t[i][j][k], want3), (i, j, k)


def test_relu_second_derivative_is_zero_and_its_square_has_a_step() -> None:
    """y = relu(x)²;  y′ = 2 relu(x)·step(x),  y″ = 2 step(x)² (+ 2 relu(x)·0) = 2 for x > 0, else 0."""
    for x0, want in [(0.8, 2.0), (-0.8, 0.0), (0.0, 0.0)]:
        x = Value(x0)
        g = grad(x.relu() ** 2, x, create_graph=True)
        assert grad(g, x) == want
        assert grad(grad(x.relu(), x, create_graph=True), x) == 0.0


def test_fourth_derivative_of_sin_by_repeating_grad() -> None:
    """d⁴ sin x / dx⁴ = sin x: four nested walks, each differentiating the previous gradient graph."""
    x = Value(0.9)
    d = x.sin()
    for _ in range(4):
        d = grad(d, x, create_graph=True)
    assert close(d.data, math.sin(0.9))


def test_a_gradient_graph_can_be_backpropagated() -> None:
    """y = x³·w;  g = ∂y/∂x = 3x²w;  g.backward() gives ∂g/∂x = 6xw and ∂g/∂w = 3x²."""
    x, w = Value(1.5), Value(-0.5)
    g = grad(x**3 * w, x, create_graph=True)
    assert close(g.data, 3 * 1.5**2 * -0.5)
    g.backward()
    assert close(x.grad, 6 * 1.5 * -0.5)
    assert close(w.grad, 3 * 1.5**2)


def test_mixed_partials_are_equal_for_a_product_of_functions() -> None:
    """y = sin(a·b) / (1 + b²);  ∂²y/∂a∂b = ∂²y/∂b∂a, computed by differentiating in both orders."""
    a, b = Value(0.3), Value(-1.1)
    y = (a * b).sin() / (1 + b * b)
    ab = grad(grad(y, a, create_graph=True), b)
    ba = grad(grad(y, b, create_graph=True), a)
    expr = sympy.sin(X * Y) / (1 + Y**2)
    assert close(ab, ba)
    assert close(ab, at(sympy.diff(expr, X, Y), (0.3, -1.1)))


def test_a_closure_node_works_for_floats_but_refuses_a_second_derivative() -> None:
    """A micrograd-style op (y = x², rule 2x·δ written as a closure) cannot be differentiated twice."""
    x = Value(3.0)
    y = Value(9.0, (x,), "square", label="sq")

    def rule() -> None:
        x.grad += 2 * x.data * y.grad

    y._backward = rule
    x.grad, y.grad = 0.25, 0.5
    z = y * x  # z = x³;  dz/dx = 3x² = 27
    assert grad(z, x) == 27.0
    assert (x.grad, y.grad) == (0.25, 0.5)  # borrowed and restored
    with pytest.raises(TypeError, match=r"'sq'.*_backward closure.*autograd\.Op"):
        grad(z, x, create_graph=True)


def test_a_node_without_a_derivative_rule_is_named() -> None:
    from autograd.graph import MissingDerivativeError

    x = Value(2.0)
    y = Value(4.0, (x,), "mystery", label="m")
    for create_graph in (False, True):
        with pytest.raises(MissingDerivativeError, match=r"'m'.*'mystery'.*no derivative rule"):
            grad(y * 2.0, x, create_graph=create_graph)


def test_an_op_that_returns_the_wrong_number_of_derivatives_is_named() -> None:
    bad = autograd.Op("bad", lambda a, b: a + b, lambda a, b, y, c: (1.0,), arity=2)
    a, b = Value(1.0), Value(2.0)
    with pytest.raises(TypeError, match=r"'bad' returned 1 derivative\(s\) for 2 input\(s\)"):
        grad(bad(a, b), a, create_graph=True)


def test_a_user_op_written_with_value_arithmetic_is_differentiable_twice() -> None:
    """softplus y = ln(1 + eˣ);  y′ = σ(x) written as 1 − 1/(1 + eˣ) on x;  y″ = σ(x)(1 − σ(x))."""
    softplus = autograd.Op("softplus", lambda x: math.log1p(math.exp(x)),
                           lambda x, y, c: 1.0 - 1.0 / (1.0 + (x.exp() if isinstance(x, Value) else math.exp(x))))
    x = Value(0.4)
    g = grad(softplus(x), x, create_graph=True)
    assert close(g.data, sig(0.4))
    assert close(grad(g, x), sig(0.4) * (1 - sig(0.4)))


def test_an_op_from_autograd_custom_is_differentiable_twice() -> None:
    """softplus with y′ = 1 − e⁻ʸ (custom.exp works on Values);  y″ = σ(x)(1 − σ(x))."""
    custom = pytest.importorskip("autograd.custom")

    @custom.op("softplus2")
    def softplus(x: float) -> float:
        return max(x, 0.0) + math.log1p(math.exp(-abs(x)))

    @softplus.derivative  # type: ignore[no-redef]  # the decorator's documented pattern: same name
    def softplus(x: Any, y: Any) -> Any:
        return 1.0 - custom.exp(-y)

    for x0 in (-2.0, 0.5):
        x = Value(x0)
        assert close(grad(grad(softplus(x), x, create_graph=True), x), sig(x0) * (1 - sig(x0)))


def test_derivative_graph_of_the_output_node_itself() -> None:
    """∂y/∂y = 1 and ∂x/∂x = 1 for a leaf; ∂x/∂w = 0 for an unrelated leaf w."""
    x, w = Value(2.0), Value(3.0)
    y = x.exp()
    assert grad(y, y) == 1.0
    assert grad(x, [x, w]) == [1.0, 0.0]
    g = grad(x, [x, w], create_graph=True)
    assert [v.data for v in g] == [1.0, 0.0]
    assert all(v.is_leaf for v in g)


def test_exp_gradient_graph_reuses_the_output_node() -> None:
    """y = eˣ;  ∂y/∂x = y: the gradient is the node y itself, not a copy."""
    x = Value(0.3)
    y = x.exp()
    assert grad(y, x, create_graph=True) is y


def test_ops_module_lists_every_op_tested_here() -> None:
    """Guard: an op added to autograd.ops must get a case (with its higher derivatives) in tests/op_cases.py."""
    assert op_cases.missing_oracles() == [] and op_cases.missing_cases() == []
    names = {v.name for v in vars(ops).values() if isinstance(v, autograd.Op)}
    assert names <= {c.op.name for c in op_cases.CASES}, names


def test_a_gradient_graph_can_be_drawn() -> None:
    """y = tanh x;  ∂y/∂x = 1 − y·y is recorded as the nodes y·y and 1 − (·), drawn from y and x."""
    draw = pytest.importorskip("autograd.drawing.draw")
    x = Value(0.5, "x")
    y = x.tanh()
    y.label = "y"
    g = grad(y, x, create_graph=True)
    g.label = "dy/dx"
    source = draw.draw_dot(g).source
    for text in ("<b>x</b>", "<b>y</b>", "<b>dy/dx</b>", "label=<tanh>", "label=<*>", "label=<1 ->"):
        assert text.lower() in source.lower(), text
    assert source.count("v1 -> op2") == 2  # y·y: the node y enters the product twice


# ---------------------------------------------------------------------------------------------
# gradgradcheck: analytic second derivatives vs central differences of the first derivatives


def test_gradgradcheck_passes_on_a_smooth_function_with_one_row_per_entry() -> None:
    from autograd.checking.second_order import gradgradcheck

    report = gradgradcheck(lambda x, y: (x * y).tanh() + x**3 / y, [0.5, -1.5])
    assert report and [r.name for r in report.rows] == ["∂²/∂x∂x", "∂²/∂x∂y", "∂²/∂y∂x", "∂²/∂y∂y"]
    # y_xy by hand: ∂/∂y [y(1 − t²) + 3x²/y] = (1 − t²) − 2xy·t(1 − t²) − 3x²/y², t = tanh(xy)
    t = math.tanh(-0.75)
    assert close(report.rows[1].analytic, (1 - t * t) - 2 * 0.5 * -1.5 * t * (1 - t * t) - 3 * 0.25 / 2.25)
    assert "analytic ∂²" in str(report)


def test_gradgradcheck_catches_a_derivative_that_is_only_right_on_floats() -> None:
    """softplus′ = σ(x) written with math.exp on x.data: right numbers, but a constant in the graph.
    (``float(x)`` on a node now raises; ``.data`` is the way left to make this mistake.)"""
    from autograd.checking import GradcheckError, gradcheck
    from autograd.checking.second_order import gradgradcheck

    softplus = autograd.Op("softplus", lambda x: math.log1p(math.exp(x)),
                           lambda x, y, c: 1.0 / (1.0 + math.exp(-(x if isinstance(x, float) else x.data))))
    f = lambda x, y: softplus(x) * y
    assert gradcheck(f, [0.3, 2.0])  # first order is fine
    with pytest.raises(GradcheckError) as err:
        gradgradcheck(f, [0.3, 2.0])
    text = str(err.value)
    assert "1 of 4 second derivatives disagree" in text and "x=0.3, y=2" in text
    bad = [r for r in err.value.rows if r.status == "FAIL"]
    assert [r.name for r in bad] == ["∂²/∂x∂x"] and bad[0].analytic == 0.0
    assert close(bad[0].reference, 2.0 * sig(0.3) * (1 - sig(0.3)))  # y·σ′(x), the true value


def test_gradgradcheck_reports_a_kink_instead_of_failing() -> None:
    """f = relu(x)²: f″ jumps from 0 to 2 at x = 0 (the engine says 0 there, differences say 1)."""
    from autograd.checking import GradcheckError
    from autograd.checking.second_order import gradgradcheck

    report = gradgradcheck(lambda x: x.relu() ** 2, [0.0])
    assert [r.status for r in report.rows] == ["kink"] and "ReLU" in report.rows[0].note
    with pytest.raises(GradcheckError, match="kink"):
        gradgradcheck(lambda x: x.relu() ** 2, [0.0], fail_on_kink=True)


def test_gradgradcheck_bad_input() -> None:
    from autograd.checking.second_order import gradgradcheck
    from autograd.modes import no_grad

    with pytest.raises(ValueError, match=r"gradgradcheck: eps must be a positive number"):
        gradgradcheck(lambda x: x * x, [1.0], eps=0.0)
    with no_grad(), pytest.raises(RuntimeError, match=r"gradgradcheck: called inside no_grad"):
        gradgradcheck(lambda x: x * x, [1.0])
