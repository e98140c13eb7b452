"""Property-based: random expression trees over a few variables, differentiated by the engine and by sympy.

A tree is built twice from the same description, once with ``Value`` nodes and once with sympy
symbols; every gradient must match sympy's symbolic derivative evaluated at the same point. Domains
are kept valid by construction (log and sqrt see e·e + 1 > 0, denominators are v·v + 1), and points
near a kink (relu, abs, leaky_relu at 0) or where values grow huge are skipped.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest
import sympy
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import autograd
from autograd import Value

NAMES = ("x", "y", "z")
SYMBOLS = sympy.symbols(NAMES, real=True)


class EngineLib:
    """The functions a tree may call, on ``Value`` nodes; remembers what each kinked op saw."""

    def __init__(self) -> None:
        self.kinks: list[float] = []

    def _kinked(self, v: Value) -> Value:
        self.kinks.append(v.data)
        return v

    exp = staticmethod(lambda v: v.exp())
    log = staticmethod(lambda v: v.log())
    sqrt = staticmethod(lambda v: v.sqrt())
    tanh = staticmethod(lambda v: v.tanh())
    sigmoid = staticmethod(lambda v: v.sigmoid())
    sin = staticmethod(lambda v: v.sin())
    cos = staticmethod(lambda v: v.cos())
    sum = staticmethod(autograd.sum)
    dot = staticmethod(autograd.dot)

    def relu(self, v: Value) -> Value:
        return self._kinked(v).relu()

    def abs(self, v: Value) -> Value:
        return abs(self._kinked(v))

    def leaky_relu(self, v: Value, slope: float) -> Value:
        return self._kinked(v).leaky_relu(slope)


class SympyLib:
    """The same functions on sympy expressions."""

    exp = staticmethod(sympy.exp)
    log = staticmethod(sympy.log)
    sqrt = staticmethod(sympy.sqrt)
    tanh = staticmethod(sympy.tanh)
    sigmoid = staticmethod(lambda e: 1 / (1 + sympy.exp(-e)))
    sin = staticmethod(sympy.sin)
    cos = staticmethod(sympy.cos)
    relu = staticmethod(lambda e: sympy.Max(0, e))
    abs = staticmethod(sympy.Abs)
    leaky_relu = staticmethod(lambda e, slope: sympy.Piecewise((e, e > 0), (slope * e, True)))

    @staticmethod
    def sum(es: list[Any]) -> Any:
        return sympy.Add(*es)

    @staticmethod
    def dot(ws: list[Any], xs: list[Any], b: Any) -> Any:
        return sympy.Add(*(w * x for w, x in zip(ws, xs, strict=True))) + b


# Each operation written once for both libraries: f(L, e) or f(L, u, v), or f(L, e, c) with a number c.
UNARY: dict[str, Callable[[Any, Any], Any]] = {
    "neg": lambda L, e: -e,
    "exp": lambda L, e: L.exp(e),
    "log(e²+1)": lambda L, e: L.log(e * e + 1),
    "sqrt(e²+1)": lambda L, e: L.sqrt(e * e + 1),
    "tanh": lambda L, e: L.tanh(e),
    "sigmoid": lambda L, e: L.sigmoid(e),
    "sin": lambda L, e: L.sin(e),
    "cos": lambda L, e: L.cos(e),
    "relu": lambda L, e: L.relu(e),
    "abs": lambda L, e: L.abs(e),
    "leaky_relu": lambda L, e: L.leaky_relu(e, 0.1),
    "square": lambda L, e: e**2,
    "cube": lambda L, e: e**3,
    "1/(e²+1)": lambda L, e: 1 / (e * e + 1),
    "(e²+1)**-0.5": lambda L, e: (e * e + 1) ** -0.5,
}

WITH_NUMBER: dict[str, Callable[[Any, Any, float], Any]] = {
    "e + c": lambda L, e, c: e + c,
    "c + e": lambda L, e, c: c + e,
    "e - c": lambda L, e, c: e - c,
    "c - e": lambda L, e, c: c - e,
    "e * c": lambda L, e, c: e * c,
    "c * e": lambda L, e, c: c * e,
    "e / c": lambda L, e, c: e / c,
    "|c| ** e": lambda L, e, c: abs(c) ** e,
    "(e²+1) ** c": lambda L, e, c: (e * e + 1) ** c,
}

BINARY: dict[str, Callable[[Any, Any, Any], Any]] = {
    "+": lambda L, u, v: u + v,
    "-": lambda L, u, v: u - v,
    "*": lambda L, u, v: u * v,
    "u / (v²+1)": lambda L, u, v: u / (v * v + 1),
    "(u²+1) ** v": lambda L, u, v: (u * u + 1) ** v,
    "sum": lambda L, u, v: L.sum([u, v, u]),
    "dot": lambda L, u, v: L.dot([u, v], [v, 2.0], u),
}

CONSTANTS = (0.5, 2.0, -1.5, 3.0)

Tree = tuple[Any, ...]

leaves = st.sampled_from(NAMES).map(lambda name: ("var", name))
trees: st.SearchStrategy[Tree] = st.recursive(
    leaves,
    lambda children: st.one_of(
        st.tuples(st.just("unary"), st.sampled_from(sorted(UNARY)), children),
        st.tuples(st.just("number"), st.sampled_from(sorted(WITH_NUMBER)), children, st.sampled_from(CONSTANTS)),
        st.tuples(st.just("binary"), st.sampled_from(sorted(BINARY)), children, children),
    ),
    max_leaves=10,
)
points = st.tuples(*[st.floats(-2.0, 2.0, allow_nan=False) for _ in NAMES])


def build(tree: Tree, lib: Any, env: dict[str, Any]) -> Any:
    kind = tree[0]
    if kind == "var":
        return env[tree[1]]
    if kind == "unary":
        return UNARY[tree[1]](lib, build(tree[2], lib, env))
    if kind == "number":
        return WITH_NUMBER[tree[1]](lib, build(tree[2], lib, env), tree[3])
    return BINARY[tree[1]](lib, build(tree[2], lib, env), build(tree[3], lib, env))


def engine_gradients(tree: Tree, point: tuple[float, ...]) -> tuple[Value, dict[str, Value]] | None:
    """The tree on Values with backward() done, or None where the point is not a fair test."""
    lib = EngineLib()
    env = {name: Value(x, label=name) for name, x in zip(NAMES, point, strict=True)}
    try:
        root = build(tree, lib, env)
    except OverflowError:
        return None
    if any(abs(k) < 1e-6 for k in lib.kinks):
        return None
    if any(not math.isfinite(v.data) or abs(v.data) > 1e6 for v in autograd.walk(root)):
        return None
    root.backward()
    return root, env


def check_against_sympy(tree: Tree, point: tuple[float, ...]) -> None:
    """The engine's value and gradients of ``tree`` at ``point`` against sympy's, to 30 digits."""
    result = engine_gradients(tree, point)
    assume(result is not None)
    assert result is not None
    root, env = result
    expr = build(tree, SympyLib, dict(zip(NAMES, SYMBOLS, strict=True)))
    at = dict(zip(SYMBOLS, point, strict=True))
    assert math.isclose(root.data, float(expr.evalf(30, subs=at)), rel_tol=1e-9, abs_tol=1e-9)
    for name, s in zip(NAMES, SYMBOLS, strict=True):
        expected = float(sympy.diff(expr, s).evalf(30, subs=at))
        got = env[name].grad
        assert math.isclose(got, expected, rel_tol=1e-7, abs_tol=1e-7), (name, got, expected, tree)


@settings(max_examples=200, deadline=None)
@given(trees, points)
def test_gradients_of_random_expressions_match_sympy(tree: Tree, point: tuple[float, ...]) -> None:
    check_against_sympy(tree, point)


@settings(max_examples=60, deadline=None)
@given(trees, points)
def test_a_second_backward_doubles_the_leaves_and_keeps_the_interior(tree: Tree, point: tuple[float, ...]) -> None:
    result = engine_gradients(tree, point)
    assume(result is not None)
    assert result is not None
    root, env = result
    first = {name: v.grad for name, v in env.items()}
    interior = {id(v): v.grad for v in autograd.walk(root) if not v.is_leaf}
    # A second pass adds each contribution onto the first total instead of onto 0.0, so where
    # contributions cancel (+1 and −1 around a subnormal) rounding differs by a few ulps of the
    # largest gradient in the graph: that is the absolute tolerance, not a fixed tiny number.
    scale = max([1.0] + [abs(v.grad) for v in autograd.walk(root)])
    root.backward()
    for name, v in env.items():
        assert math.isclose(v.grad, 2 * first[name], rel_tol=1e-12, abs_tol=1e-13 * scale)
    assert {id(v): v.grad for v in autograd.walk(root) if not v.is_leaf} == interior


ALL_OPS = [("unary", name) for name in sorted(UNARY)] + [("number", name) for name in sorted(WITH_NUMBER)] + [
    ("binary", name) for name in sorted(BINARY)
]


@pytest.mark.parametrize(("kind", "name"), ALL_OPS, ids=[name for _, name in ALL_OPS])
@settings(max_examples=12, deadline=None)
@given(left=trees, right=trees, c=st.sampled_from(CONSTANTS), point=points)
def test_every_op_on_top_of_random_subtrees(
    kind: str, name: str, left: Tree, right: Tree, c: float, point: tuple[float, ...]
) -> None:
    """Each operation at least a dozen times, at the root of random subtrees (sympy as above)."""
    tops = {"unary": ("unary", name, left), "number": ("number", name, left, c)}
    check_against_sympy(tops.get(kind, ("binary", name, left, right)), point)
