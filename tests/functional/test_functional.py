"""The functional API: ``grad`` on graphs and on functions, ``value_and_grad``, ``jacobian``, ``hessian``.

Random expressions (hypothesis) are built twice from one tree, as ``Value`` nodes and as sympy
expressions, so that every Hessian is checked against sympy's; first derivatives are checked
against ``backward()`` itself (same floats), and ``.grad`` must come out untouched.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import pytest
import sympy
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import autograd
from autograd import ops
from autograd.engine import Value
from autograd.functional import grad, hessian, jacobian, value_and_grad
from autograd.graph import walk
from autograd.modes import no_grad
from tests.support import op_cases

SYMS = sympy.symbols("x y z", real=True)

# ---------------------------------------------------------------------------------------------
# Random expressions: one tree, built as Values and as sympy. Every smooth op of the table comes from
# the shared cases (tests/op_cases.py: on Values its build, on sympy its hand-written oracle; an input
# that must stay positive or non-zero gets 1 + x² instead of x), plus a few compositions below.
CASES = op_cases.CASES
SMOOTH = [i for i, c in enumerate(CASES) if "k" not in c.kinds]

UNARY: dict[str, tuple[Callable[[Any], Any], Callable[[Any], Any]]] = {
    "exp(sin)": (lambda v: v.sin().exp(), lambda s: sympy.exp(sympy.sin(s))),
    "2**tanh": (lambda v: 2.0 ** v.tanh(), lambda s: 2 ** sympy.tanh(s)),
    "0.5*x-1": (lambda v: 0.5 * v - 1.0, lambda s: s / 2 - 1),
}
BINARY: dict[str, Callable[[Any, Any], Any]] = {  # operators only: the same lambda builds both
    "(1+a²)**(b/4)": lambda a, b: (1 + a * a) ** (b / 4),
}


def op_node(i: int, kids: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.tuples(st.just("op"), st.just(i), *[kids] * CASES[i].n)


leaves = st.one_of(st.tuples(st.just("var"), st.integers(0, 2)),
                   st.tuples(st.just("const"), st.sampled_from([0.5, -1.25, 2.0])))
trees = st.recursive(
    leaves,
    lambda kids: st.one_of(
        st.sampled_from(SMOOTH).flatmap(lambda i: op_node(i, kids)),
        st.tuples(st.sampled_from(sorted(UNARY)), kids),
        st.tuples(st.sampled_from(sorted(BINARY)), kids, kids),
        st.tuples(st.just("sum"), st.lists(kids, min_size=1, max_size=3)),
    ),
    max_leaves=7,
)
points = st.tuples(*[st.floats(-1.5, 1.5).map(lambda v: round(v, 3))] * 3)


def build(tree: Any, xs: Sequence[Any], symbolic: bool) -> Any:
    kind = tree[0]
    if kind == "var":
        return xs[tree[1]]
    if kind == "const":
        return sympy.Float(tree[1]) if symbolic else Value(tree[1])  # a constant leaf
    if kind == "sum":
        parts = [build(t, xs, symbolic) for t in tree[1]]
        return sympy.Add(*parts) if symbolic else autograd.sum(parts)
    if kind == "op":
        case = CASES[tree[1]]
        args = [build(t, xs, symbolic) for t in tree[2:]]
        args = [1 + a * a if k in "+0" else a for a, k in zip(args, case.kinds, strict=True)]
        return case.sym(*args) if symbolic else case.build(*args)
    if kind in UNARY:
        return UNARY[kind][symbolic](build(tree[1], xs, symbolic))
    return BINARY[kind](build(tree[1], xs, symbolic), build(tree[2], xs, symbolic))


def function(tree: Any) -> Callable[..., Any]:
    return lambda *xs: build(tree, xs, symbolic=False)


def tame(tree: Any, point: Sequence[float]) -> bool:
    """Whether the tree's values at the point stay finite and moderate (|v| ≤ 1e6), a fair test."""
    try:
        y = build(tree, [Value(p) for p in point], symbolic=False)
    except (OverflowError, ValueError, ZeroDivisionError):
        return False
    return all(math.isfinite(v.data) and abs(v.data) <= 1e6 for v in walk(y))


def near(a: float, b: float, scale: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-8, abs_tol=1e-9 * (1.0 + scale))


@settings(max_examples=40, deadline=None)
@given(trees, points)
def test_hessian_of_random_expressions_matches_sympy(tree: Any, point: tuple[float, ...]) -> None:
    assume(tame(tree, point))
    h = hessian(function(tree))(*point)
    expr = build(tree, SYMS, symbolic=True)
    sub = dict(zip(SYMS, point, strict=True))
    want = [[float(sympy.diff(expr, si, sj).evalf(30, subs=sub)) for sj in SYMS] for si in SYMS]
    scale = max(abs(v) for row in want for v in row)
    for i in range(3):
        for j in range(3):
            assert near(h[i][j], want[i][j], scale), (i, j, h, want)
            assert near(h[i][j], h[j][i], scale)  # mixed partials agree (computed along different paths)


@settings(max_examples=60, deadline=None)
@given(trees, points)
def test_first_order_grad_equals_backward_and_touches_no_grad(tree: Any, point: tuple[float, ...]) -> None:
    assume(tame(tree, point))
    xs = [Value(p) for p in point]
    y = build(tree, xs, symbolic=False)
    nodes = list(walk(y))
    for k, v in enumerate(nodes):
        v.grad = k + 0.25  # sentinels
    floats = grad(y, xs)
    graphs = grad(y, xs, create_graph=True)
    assert [v.grad for v in nodes] == [k + 0.25 for k in range(len(nodes))]
    assert [g.data for g in graphs] == floats  # the same products, summed in the same order
    for v in nodes:
        v.grad = 0.0
    y.backward()
    assert floats == [x.grad for x in xs]  # bit for bit what backward() stores
    assert all(v._pending == 0 for v in walk(y))  # backward's own counter is left as backward needs it


# ---------------------------------------------------------------------------------------------
# grad on graphs


def test_grad_of_a_graph_returns_one_value_or_a_list() -> None:
    """y = a·b + a;  ∂y/∂a = b + 1, ∂y/∂b = a."""
    a, b = Value(2.0), Value(-3.0)
    y = a * b + a
    assert grad(y, a) == -2.0
    assert grad(y, [a, b]) == [-2.0, 2.0]
    assert grad(y, (b,)) == [2.0]
    assert grad(y, []) == []
    assert (a.grad, b.grad, y.grad) == (0.0, 0.0, 0.0)


def test_grad_with_respect_to_an_interior_node_and_an_unused_input() -> None:
    """y = tanh(h), h = 2x;  ∂y/∂h = 1 − y²;  an unrelated u gets 0 (0.0, or Value(0.0))."""
    x, u = Value(0.3), Value(5.0)
    h = x * 2.0
    y = h.tanh()
    assert grad(y, [h, u]) == [1 - y.data**2, 0.0]
    gh, gu = grad(y, [h, u], create_graph=True)
    assert math.isclose(gh.data, 1 - y.data**2) and gu.data == 0.0 and gu.is_leaf
    assert math.isclose(grad(gh, x), -2 * y.data * (1 - y.data**2) * 2.0)  # ∂(1 − y²)/∂x = −2y(1 − y²)·2


# ---------------------------------------------------------------------------------------------
# grad on functions


def test_grad_of_a_function_and_its_argnums() -> None:
    """f(a, b) = a²b;  ∂f/∂a = 2ab, ∂f/∂b = a²."""
    f = lambda a, b: a * a * b
    assert grad(f)(3.0, 2.0) == 12.0
    assert grad(f, 1)(3.0, 2.0) == 9.0
    assert grad(f, argnums=-1)(3.0, 2.0) == 9.0
    assert grad(f, argnums=(1, 0))(3.0, 2.0) == [9.0, 12.0]
    assert grad(f, None)(3.0, 2.0) == [12.0, 9.0]
    assert grad(ops.TANH)(0.5) == pytest.approx(1 - math.tanh(0.5) ** 2)  # an Op is a function too


def test_numbers_give_floats_values_give_graphs() -> None:
    """f(x) = x³;  f′ = 3x², f″ = 6x, f‴ = 6."""
    f = lambda x: x**3
    assert type(grad(f)(2.0)) is float
    x = Value(2.0)
    g = grad(f)(x)
    assert isinstance(g, Value) and g.data == 12.0
    assert grad(g, x) == 12.0
    assert grad(grad(f))(2.0) == 12.0
    assert grad(grad(grad(f)))(2.0) == 6.0
    assert grad(lambda x: 7.0)(1.0) == 0.0  # a constant function


def test_nested_grad_is_not_confused_between_levels() -> None:
    """d/dx [x · (d/dy x·y)|_{y=x}] = d/dx x² = 2x (8 would mean the levels were mixed up)."""
    assert grad(lambda x: x * grad(lambda y: x * y)(x))(2.0) == 4.0
    # d/dw [d/dy (w·y) at y = 3] = d/dw w = 1: the inner result keeps its dependence on w
    assert grad(lambda w: grad(lambda y: w * y)(3.0))(2.0) == 1.0


def test_value_and_grad() -> None:
    """f(x, y) = sin(x)·y;  ∂f/∂x = cos(x)·y."""
    f = lambda x, y: x.sin() * y
    value, g = value_and_grad(f)(0.5, 2.0)
    assert value == math.sin(0.5) * 2.0 and g == math.cos(0.5) * 2.0
    value, gs = value_and_grad(f, argnums=(0, 1))(0.5, 2.0)
    assert gs == [math.cos(0.5) * 2.0, math.sin(0.5)]
    v, _ = value_and_grad(f)(Value(0.5), 2.0)
    assert isinstance(v, Value)


def test_jacobian() -> None:
    """F(a, b) = (a·b, a + b, eᵃ);  J = [[b, a], [1, 1], [eᵃ, 0]]."""
    jac = jacobian(lambda a, b: [a * b, a + b, a.exp()])(1.0, 2.0)
    assert jac == [[2.0, 1.0], [1.0, 1.0], [math.e, 0.0]]
    assert jacobian(lambda a, b: [a * b, a + b], argnums=1)(1.0, 2.0) == [1.0, 1.0]


def test_hessian_of_rosenbrock() -> None:
    """f = (1 − a)² + 100(b − a²)²;  f_aa = 2 − 400(b − a²) + 800a², f_ab = −400a, f_bb = 200."""
    f = lambda a, b: (1 - a) ** 2 + 100 * (b - a * a) ** 2
    for a, b in [(1.0, 1.0), (-1.2, 1.0), (0.3, -0.7)]:
        h = hessian(f)(a, b)
        want = [[2 - 400 * (b - a * a) + 800 * a * a, -400 * a], [-400 * a, 200.0]]
        assert h == [[pytest.approx(v, rel=1e-12) for v in row] for row in want]
    assert hessian(f, argnums=1)(0.3, -0.7) == 200.0
    assert hessian(lambda x: x.sin())(0.4) == [[pytest.approx(-math.sin(0.4))]]


# ---------------------------------------------------------------------------------------------
# Bad input: a clear error naming what is wrong


def test_bad_calls_of_grad_on_graphs() -> None:
    x = Value(1.0)
    y = x * 2.0
    with pytest.raises(TypeError, match=r"first argument must be a Value .* or a function"):
        grad(3.0, x)  # type: ignore[call-overload]
    with pytest.raises(TypeError, match=r"inputs\[1\] is 2\.0, not a Value"):
        grad(y, [x, 2.0])  # type: ignore[list-item]
    with pytest.raises(TypeError, match=r"inputs must be a Value or a list/tuple"):
        grad(y, {x})  # type: ignore[call-overload]
    with pytest.raises(TypeError, match=r"say which inputs"):
        grad(y)  # type: ignore[call-overload]
    with pytest.raises(TypeError, match=r"argnums is for grad\(f\)"):
        grad(y, x, argnums=1)  # type: ignore[call-overload]
    with no_grad(), pytest.raises(RuntimeError, match=r"inside no_grad\(\)"):
        grad(y, x, create_graph=True)


def test_bad_calls_of_grad_on_functions() -> None:
    f = lambda a, b: a * b
    with pytest.raises(TypeError, match=r"create_graph is for grad\(output, inputs\)"):
        grad(f, create_graph=True)  # type: ignore[call-overload]
    with pytest.raises(TypeError, match=r"give argnums once"):
        grad(f, 1, argnums=1)
    with pytest.raises(TypeError, match=r"argnums must be an int, a tuple of ints or None"):
        grad(f, argnums="a")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"argnums 2 is out of range for a call with 2"):
        grad(f, argnums=2)(1.0, 2.0)
    with pytest.raises(TypeError, match=r"argument 0 is \[1\.0\] of type list.*scalars only"):
        grad(lambda xs: xs[0])([1.0])
    with pytest.raises(TypeError, match=r"must return a Value or a number, got 'no'"):
        grad(lambda x: "no")(1.0)
    with pytest.raises(TypeError, match=r"hessian: expected a function of scalars"):
        hessian(Value(1.0))  # type: ignore[arg-type]
    with no_grad(), pytest.raises(RuntimeError, match=r"grad\(<lambda>\): called inside no_grad\(\)"):
        grad(f)(1.0, 2.0)


def test_keyword_arguments_pass_through_undifferentiated() -> None:
    """f(x; k) = k·x²;  ∂f/∂x = 2kx, with k given by keyword (a constant)."""
    f = lambda x, k=1.0: k * x * x
    assert grad(f)(3.0, k=0.5) == 3.0
    assert isinstance(grad(f)(3.0, k=Value(0.5)), Value)  # a Value anywhere: the result is a graph
