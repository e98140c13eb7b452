"""``to_sympy`` and ``formula`` give each op its real formula, its constant and the engine's kinks.

Before the fix an op made outside the table (nn's softmax, log_softmax, cross-entropy, max pooling,
bce) became ``Function(name)(inputs)`` without its constant: ``softmax(z)[0] − softmax(z)[1]`` was
``0`` with ∂/∂z0 = 0 (its value is 0.245 at z = (0.5, 0)), ``log_softmax[0]`` and ``[1]`` were one
expression, and so were cross-entropies with different targets. ``formula(x.relu(), x).at()`` at
x = 0 gave ½ (sympy's Heaviside(0)) where ``backward()`` gives 0, and ``str(to_sympy(y))`` of a chain
of 6,000 ``* 1.1`` failed on Python's 4,300-digit limit for ints.

Oracle: the engine's own forward values and ``backward()`` gradients at random points (and at the
kinks), independent of the sympy forms; and hand-written values for the issue's cases.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from typing import Any

import pytest
import sympy

import autograd
import nn
from autograd import Value, formula, ops, to_sympy
from autograd.symbolic import SYMPY, define, symbols_of
from nn.losses.multiclass import LOGSUMEXP
from nn.models.conv import MAX
from tests.support.op_cases import CASES, Case


def values_and_grads(y: Value, leaves: list[Value]) -> tuple[float, list[float], list[float]]:
    """(value of to_sympy(y), the formulas' values, backward()'s gradients) at the leaves' data."""
    names = symbols_of(y)
    value = float(to_sympy(y, names).evalf(30, subs={s: v.data for v, s in names.items()}))
    fs = formula(y, leaves)
    for v in leaves:
        v.grad = 0.0
    y.backward()
    return value, [f.at() for f in fs], [v.grad for v in leaves]


def check(y: Value, leaves: list[Value]) -> None:
    value, symbolic, engine = values_and_grads(y, leaves)
    assert math.isclose(value, y.data, rel_tol=1e-12, abs_tol=1e-12), (value, y.data)
    for s, e in zip(symbolic, engine, strict=True):
        assert math.isclose(s, e, rel_tol=1e-9, abs_tol=1e-12), (symbolic, engine)


def _points(case: Case) -> list[tuple[float, ...]]:
    rng = random.Random(case.name)
    pts = list(case.points[:3])
    for _ in range(2):
        pts.append(tuple(rng.uniform(*r) * (rng.choice([-1, 1]) if k in "0k" else 1)
                         for k, r in zip(case.kinds, case.ranges, strict=True)))
    if case.op.kink is not None:
        pts.append((0.0,) * case.n)  # the kink itself: the engine's convention must be the formula's
    return pts


CASE_POINTS = [(c, p) for c in CASES for p in _points(c)]


@pytest.mark.parametrize(("case", "xs"), CASE_POINTS, ids=[f"{c}-{i}" for i, (c, _) in enumerate(CASE_POINTS)])
def test_every_table_op_formula_matches_backward_at_random_points_and_kinks(case: Case, xs: tuple[float, ...]) -> None:
    leaves = [Value(x, f"x{i}") for i, x in enumerate(xs)]
    check(case.build(*leaves), leaves)


@pytest.mark.parametrize(("method", "slope"), [("relu", 0.0), ("abs", 0.0), ("leaky_relu", 0.01)])
def test_the_kink_at_zero_follows_the_engine_not_heaviside(method: str, slope: float) -> None:
    x = Value(0.0, "x")
    y = getattr(x, method)()
    y.backward()
    assert formula(y, x).at() == x.grad == slope


def test_the_issues_softmax_difference_is_not_zero() -> None:
    z0, z1 = Value(0.5, "z0"), Value(0.0, "z1")
    p = nn.softmax([z0, z1])
    d = p[0] - p[1]
    expr = to_sympy(d)
    assert expr != 0
    want = math.tanh(0.25)  # σ(0.5) − σ(−0.5) = tanh(0.25) = 0.2449...
    assert float(expr.evalf(30, subs={s: v.data for v, s in symbols_of(d).items()})) == pytest.approx(want, rel=1e-14)
    check(d, [z0, z1])


def test_log_softmax_entries_and_cross_entropies_with_other_targets_differ() -> None:
    zs = [Value(v, f"z{i}") for i, v in enumerate([0.3, -1.2, 2.0])]
    logs = [to_sympy(y) for y in nn.log_softmax(zs)]
    assert len({sympy.srepr(e) for e in logs}) == 3
    ces = [to_sympy(nn.cross_entropy(zs, t)) for t in range(3)]
    assert len({sympy.srepr(e) for e in ces}) == 3
    for t in range(3):
        check(nn.cross_entropy(zs, t), zs)


def _nn_programs() -> list[tuple[str, Callable[[random.Random], tuple[Value, list[Value]]]]]:
    def leaves(rng: random.Random, n: int, scale: float = 2.0) -> list[Value]:
        return [Value(rng.uniform(-scale, scale), f"z{i}") for i in range(n)]

    def softmax_k(rng: random.Random) -> tuple[Value, list[Value]]:
        zs = leaves(rng, 3)
        return nn.softmax(zs)[rng.randrange(3)] * 2.0 - nn.softmax(zs)[0], zs

    def log_softmax_k(rng: random.Random) -> tuple[Value, list[Value]]:
        zs = leaves(rng, 4)
        return nn.log_softmax(zs)[rng.randrange(4)], zs

    def ce_batch(rng: random.Random) -> tuple[Value, list[Value]]:
        zs = leaves(rng, 6)
        return nn.cross_entropy([zs[:3], zs[3:]], [rng.randrange(3), rng.randrange(3)]), zs

    def lse(rng: random.Random) -> tuple[Value, list[Value]]:
        zs = leaves(rng, 3)
        return LOGSUMEXP(*zs), zs

    def max_pool(rng: random.Random) -> tuple[Value, list[Value]]:
        zs = leaves(rng, 4)
        if rng.random() < 0.5:  # a tie: the engine's first largest gets the gradient
            zs[3] = Value(max(z.data for z in zs[:3]), "z3")
        return nn.MaxPool2d(2)([[zs[:2], zs[2:]]])[0][0][0] * 1.5, zs

    def bce(rng: random.Random) -> tuple[Value, list[Value]]:
        zs = leaves(rng, 2)
        return nn.bce_with_logits(zs, [rng.random(), rng.random()]), zs

    def arg(rng: random.Random) -> tuple[Value, list[Value]]:
        x = Value(rng.uniform(-1, 1), "x")
        return autograd.functional.ARG(x) * x.sin(), [x]

    return [("softmax", softmax_k), ("log_softmax", log_softmax_k), ("cross_entropy batch", ce_batch),
            ("logsumexp", lse), ("max pooling", max_pool), ("bce_with_logits", bce), ("arg", arg)]


NN = [(name, make, seed) for name, make in _nn_programs() for seed in range(6)]


@pytest.mark.parametrize(("name", "make", "seed"), NN, ids=[f"{n}-{s}" for n, _, s in NN])
def test_nn_op_formulas_match_backward_at_random_points(name: str, make: Any, seed: int) -> None:
    y, zs = make(random.Random(seed))
    check(y, zs)


def test_every_nn_op_has_a_formula() -> None:
    from nn import losses
    from nn.losses import multiclass

    mine = [multiclass.SOFTMAX, multiclass.LOG_SOFTMAX, multiclass.CROSS_ENTROPY, LOGSUMEXP, MAX,
            losses.BCE_WITH_LOGITS, autograd.functional.ARG]
    assert all(op in SYMPY for op in mine)


def test_a_long_chain_prints_without_the_int_digit_limit() -> None:
    x = Value(1.0, "x")
    y = x
    for _ in range(6000):
        y = y * 1.1
    text = str(to_sympy(y))
    assert text.endswith("*x") and "e+248" in text
    value = float(to_sympy(y).subs(sympy.Symbol("x", real=True), 1.0))
    assert value == pytest.approx(y.data, rel=1e-12)


def test_small_constants_stay_exact() -> None:
    x = Value(2.0, "x")
    assert to_sympy(x * 0.1) == sympy.Rational(1, 10) * sympy.Symbol("x", real=True)


def test_a_user_op_without_a_formula_carries_its_constant_in_its_name() -> None:
    scale = autograd.Op("scale", lambda x, c: x * c, lambda x, y, c: c, template="scale({c})")
    x = Value(1.5, "x")
    a = autograd.engine.make_node(3.0, scale, x, None, 2.0)
    b = autograd.engine.make_node(3.75, scale, x, None, 2.5)
    assert to_sympy(a) != to_sympy(b)
    assert sympy.simplify(to_sympy(a) - to_sympy(b)) != 0


def test_define_refuses_table_ops_and_non_ops() -> None:
    with pytest.raises(ValueError, match="table op"):
        define(ops.RELU, lambda sp, a, c: a[0])
    with pytest.raises(TypeError, match=r"autograd\.Op"):
        define("relu", lambda sp, a, c: a[0])  # type: ignore[arg-type]


def test_a_user_op_with_define_gets_its_formula() -> None:
    cube = autograd.Op("cube", lambda x: x ** 3, lambda x, y, c: 3 * x * x)
    define(cube, lambda sp, a, c: a[0] ** 3)
    x = Value(0.7, "x")
    check(cube(x) * x, [x])


@pytest.mark.parametrize("make", [lambda x: x.sqrt(), lambda x: x ** 0.5, lambda x: x.log() * 0.0 + x ** -1.0])
def test_a_formula_undefined_at_the_point_says_so(make: Callable[[Value], Value]) -> None:
    x = Value(1.0, "x")
    y = make(x)
    f = formula(y, x)
    x.data = 0.0
    with pytest.raises((ZeroDivisionError, TypeError), match=r"formula ∂y/∂x = .*: not a real number at x = 0\.0"):
        f.at()
