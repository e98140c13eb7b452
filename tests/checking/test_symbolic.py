"""The sympy bridge: every table op has a sympy form, graphs become the right expressions, ∂y/∂x as formulas.

Oracles: each op's own float forward and derivative (``op.forward``, ``op.deriv``) at points in its
domain, the engine's values on the random trees of ``tests/engine/test_engine_properties.py``, and
derivatives written out by hand.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Iterable
from typing import Any

import pytest
import sympy
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import autograd
from autograd import Op, Value, formula, ops, to_sympy
from autograd.graph import call_deriv
from autograd.symbolic import SYMPY, symbols_of
from autograd.testing import assert_grad
from tests.support.trees import engine_gradients, points, trees


def missing_sympy_forms(table: Iterable[Op]) -> list[str]:
    return [op.name for op in table if op not in SYMPY]


def test_every_table_op_has_a_sympy_form() -> None:
    assert missing_sympy_forms(ops.TABLE) == []
    new = Op("cube", lambda x: x**3, lambda x, y, c: 3 * x * x)  # a new op added to the table without one
    assert missing_sympy_forms((*ops.TABLE, new)) == ["cube"]


CONSTANT = {ops.LEAKY_RELU: 0.1, ops.POW_C: 2.5, ops.RPOW: 1.7}  # ops that need a particular constant


@pytest.mark.parametrize("op", ops.TABLE, ids=[f"{op.name}-{i}" for i, op in enumerate(ops.TABLE)])
@settings(max_examples=10, deadline=None)
@given(data=st.data())
def test_each_sympy_form_computes_the_ops_forward_and_derivative(op: Op, data: st.DataObject) -> None:
    lo, hi = op.domain
    n = {1: 1, 2: 2}.get(op.arity, 5)
    drawn = [data.draw(st.floats(lo, hi)) for _ in range(n)]
    xs = [x if abs(x) > 1e-3 else 0.5 for x in drawn]  # off the kinks (and the poles) at 0
    c: Any = None if op.template == op.name and "{c}" not in op.template else CONSTANT.get(op, 1.5)
    if op is ops.LINEAR_C:  # parents w_1…w_4, b; the inputs x_i are its constant (a tuple of floats)
        c = (0.75, -2.5, 1.5, 0.25)
    syms = sympy.symbols(f"a0:{n}", real=True)
    sym_c = c if c is None or isinstance(c, tuple) else sympy.Rational(repr(c))
    expr = SYMPY[op](sympy, list(syms), sym_c)
    at = dict(zip(syms, xs, strict=True))
    args = xs if c is None else [*xs, c]
    y = op.forward(*args)
    assert math.isclose(float(expr.evalf(30, subs=at)), y, rel_tol=1e-12, abs_tol=1e-12)
    for s, d in zip(syms, call_deriv(op, xs, y, c), strict=True):
        assert math.isclose(float(sympy.diff(expr, s).evalf(30, subs=at)), float(d), rel_tol=1e-9, abs_tol=1e-12)


@settings(max_examples=100, deadline=None)
@given(trees, points)
def test_to_sympy_of_random_graphs_gives_their_values(tree: Any, point: tuple[float, ...]) -> None:
    result = engine_gradients(tree, point)
    assume(result is not None)
    assert result is not None
    root, env = result
    expr = to_sympy(root)
    names = symbols_of(root)
    for leaf, s in names.items():
        assert leaf.label in env or leaf.label == "" or s.name.startswith(leaf.label)
    value = float(expr.evalf(30, subs={s: leaf.data for leaf, s in names.items()}))
    assert math.isclose(value, root.data, rel_tol=1e-9, abs_tol=1e-9)


def test_leaves_are_named_by_labels_generated_names_and_never_shared() -> None:
    a, b, c, d = Value(1.0, "x"), Value(2.0, "x"), Value(3.0), Value(4.0)
    names = {leaf: s.name for leaf, s in symbols_of(a * b + c * d).items()}
    assert names == {a: "x", b: "x_2", c: "v0", d: "v1"}
    assert to_sympy(a * 0.1) == sympy.Rational(1, 10) * sympy.Symbol("x", real=True)  # exact constants


def test_user_defined_ops_become_sympy_functions() -> None:
    sp_op = autograd.op("softplus2", derivative=lambda x: 1 / (1 + math.exp(-x)))(lambda x: math.log1p(math.exp(x)))
    x = Value(0.5, "x")
    expr = to_sympy(sp_op(x * 2))
    X = sympy.Symbol("x", real=True)
    assert expr == sympy.Function("softplus2")(2 * X)
    assert formula(sp_op(x), x).expr == sympy.Derivative(sympy.Function("softplus2")(X), X)


def test_formula_is_the_simplified_derivative_with_latex() -> None:
    # y = x·sin w:  ∂y/∂x = sin w,  ∂y/∂w = x·cos w
    x, w = Value(2.0, "x"), Value(0.5, "w")
    y = x * w.sin()
    y.label = "y"
    fx, fw = formula(y, [x, w])
    X, W = sympy.symbols("x w", real=True)
    assert sympy.simplify(fx.expr - sympy.sin(W)) == 0 and sympy.simplify(fw.expr - X * sympy.cos(W)) == 0
    assert str(fx) == "∂y/∂x = sin(w)" and fw.at() == pytest.approx(2.0 * math.cos(0.5), rel=1e-15)
    assert fx._repr_latex_() == r"$\frac{\partial y}{\partial x} = \sin{\left(w \right)}$"
    assert formula(y, Value(1.0, "unused")).expr == 0
    with pytest.raises(TypeError, match="leaf"):
        formula(y, y)


def test_assert_grad_can_show_the_formula_beside_the_numbers() -> None:
    with pytest.raises(AssertionError) as info:
        assert_grad(lambda x, w: x * w.sin(), [2.0, 0.5], expected=[0.5, 1.0], symbolic=True)
    text = str(info.value)
    assert "∂f/∂x = sin(w)" in text and "∂f/∂w = x*cos(w)" in text and f"{2 * math.cos(0.5):.6g}" in text


def test_without_sympy_the_error_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "sympy", None)
    with pytest.raises(ImportError, match=r"deltagrad\[symbolic\]"):
        to_sympy(Value(1.0) * 2)


def test_formulas_have_a_public_latex_for_slides() -> None:
    from autograd import formula

    w, x = Value(-1.2, "w"), Value(0.5, "x")
    y = (w * x).tanh()
    y.label = "E_{1}$%"  # a label with LaTeX's special characters is escaped, not obeyed
    one = formula(y, w)
    assert one.latex().startswith("\\frac{\\partial \\mathrm{E\\_\\{1\\}\\$\\%}}{\\partial w} = ")
    assert one._repr_latex_() == f"${one.latex()}$"
    both: Any = formula(y, [w, x])
    assert issubclass(type(both), list) and len(both) == 2 and type(both).__name__ == "Formulas"  # still a list
    tex = both.latex()
    assert tex.startswith("\\begin{align*}") and tex.count("&\\frac") == 2
    assert both._repr_latex_().startswith("$$") and "\\cosh" in both._repr_latex_()
    assert abs(one.at() - x.data * (1 - math.tanh(w.data * x.data) ** 2)) < 1e-12  # by hand: ∂y/∂w = x·(1 − y²)
