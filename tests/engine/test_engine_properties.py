"""Property-based: random expression trees over a few variables, differentiated by the engine and by sympy.

A tree is built twice from the same description, once with ``Value`` nodes and once with sympy
symbols; every gradient must match sympy's symbolic derivative evaluated at the same point. The
operations are every case of ``tests/op_cases.py`` (every op of the table). Domains are kept valid
by construction (log and sqrt see e·e + 1 > 0, denominators are v·v + 1), and points near a kink
(relu, abs, leaky_relu at 0) or where values grow huge are skipped.
"""

from __future__ import annotations

import math

import pytest
import sympy
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import autograd
from tests.support import op_cases
from tests.support.trees import CASES, NAMES, SYMBOLS, Tree, build, engine_gradients, points, trees


def check_against_sympy(tree: Tree, point: tuple[float, ...]) -> None:
    """The engine's value and gradients of ``tree`` at ``point`` against sympy's, to 30 digits."""
    result = engine_gradients(tree, point)
    assume(result is not None)
    assert result is not None
    root, env = result
    expr = build(tree, True, dict(zip(NAMES, SYMBOLS, strict=True)), [])
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


def test_every_table_op_is_in_the_trees() -> None:
    assert op_cases.missing_cases() == [] and op_cases.missing_oracles() == []


@pytest.mark.parametrize("index", range(len(CASES)), ids=[c.name for c in CASES])
@settings(max_examples=12, deadline=None)
@given(data=st.data(), point=points)
def test_every_op_on_top_of_random_subtrees(index: int, data: st.DataObject, point: tuple[float, ...]) -> None:
    """Each operation at least a dozen times, at the root of random subtrees (sympy as above)."""
    tree = ("op", index, *[data.draw(trees) for _ in range(CASES[index].n)])
    check_against_sympy(tree, point)
