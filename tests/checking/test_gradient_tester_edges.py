"""Derivatives at the edges of every op's domain stay honest to the third order: compared with torch.

A derivative that is +∞ at a point (√′(0), (x^0.5)′(0)) used to be a constant ∞, which a gradient of
a gradient differentiates as a constant: √″(0) came out 0.0 where torch and JAX give −∞. Each op of
``autograd.ops.TABLE`` is taken to its domain edges, its kinks and far out (where sigmoid and tanh
saturate), and d/dx, d²/dx², d³/dx³ (``grad(grad(...))``, and ``hessian`` for the two-input ops) are
compared with torch's own double and triple backward (``torch.autograd.grad(create_graph=True)``).
Equality is numpy's ``allclose`` with ``equal_nan``: an infinity only matches the same infinity.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from autograd import Value, grad, hessian, ops
from autograd.reductions import dot_const

torch = pytest.importorskip("torch")


@pytest.fixture(autouse=True)
def _float64() -> Any:
    """torch in float64 for these tests only (a process-wide default would leak into other test files)."""
    before = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(before)

T = Any  # a torch tensor


def _tower(f: Callable[[Value], Value], x: float, order: int = 3) -> list[float]:
    """f′, f″, f‴ at x; an OverflowError (a derivative beyond the floats, raised naming the op) is
    written as NaN-free ``OVERFLOW`` and must meet an infinity on torch's side."""
    out: list[float] = []
    g = f
    for _ in range(order):
        g = grad(g)
        try:
            out.append(float(g(x)))
        except OverflowError:
            out.append(OVERFLOW)
    return out


OVERFLOW = 1.5e308  # a stand-in: only ±inf on torch's side may match it


def _torch_tower(f: Callable[[T], T], x: float, order: int = 3) -> list[float]:
    t = torch.tensor(x, requires_grad=True)
    y, out = f(t), []
    for _ in range(order):
        if not y.requires_grad:  # torch's derivative is a constant from here on: 0
            out.append(0.0)
            y = torch.tensor(0.0)
            continue
        (y,) = torch.autograd.grad(y, t, create_graph=True)
        out.append(float(y.detach()))
    return out


# op → [(our function of one Value, torch's, the points)]. Two-input ops are in TWO_INPUTS.
ONE_INPUT: dict[ops.Op, tuple[Callable[[Value], Value], Callable[[T], T], tuple[float, ...]]] = {
    ops.ADD_C: (lambda x: x + 2.0, lambda t: t + 2.0, (0.0, -1e300)),
    ops.SUB_C: (lambda x: x - 2.0, lambda t: t - 2.0, (0.0,)),
    ops.RSUB: (lambda x: 2.0 - x, lambda t: 2.0 - t, (0.0,)),
    ops.MUL_C: (lambda x: x * 3.0, lambda t: t * 3.0, (0.0, -0.0)),
    ops.DIV_C: (lambda x: x / 4.0, lambda t: t / 4.0, (0.0,)),
    ops.RDIV: (lambda x: 2.0 / x, lambda t: 2.0 / t, (1e-100, -1e-100, 1e100)),
    ops.POW_C: (lambda x: x ** 0.5, lambda t: t ** 0.5, (0.0, 1e-300)),
    ops.RPOW: (lambda x: 2.0 ** x, lambda t: 2.0 ** t, (-1074.0, 0.0, 1000.0)),
    ops.NEG: (lambda x: -x, lambda t: -t, (0.0,)),
    ops.EXP: (lambda x: x.exp(), torch.exp, (-745.0, 0.0, 700.0)),
    ops.LOG: (lambda x: x.log(), torch.log, (5e-324, 1e-300, 1e300)),
    ops.TANH: (lambda x: x.tanh(), torch.tanh, (0.0, 20.0, -20.0, 400.0)),
    ops.SIGMOID: (lambda x: x.sigmoid(), torch.sigmoid, (0.0, 40.0, -40.0, -800.0)),
    ops.SOFTPLUS: (lambda x: x.softplus(), torch.nn.functional.softplus, (0.0, 40.0, -40.0)),
    ops.RELU: (lambda x: x.relu(), torch.relu, (0.0, -0.0, 5e-324)),
    ops.LEAKY_RELU: (lambda x: x.leaky_relu(0.1), lambda t: torch.nn.functional.leaky_relu(t, 0.1), (0.0, 5e-324)),
    ops.ABS: (lambda x: x.abs(), torch.abs, (0.0, -0.0, 5e-324)),
    ops.SQRT: (lambda x: x.sqrt(), torch.sqrt, (0.0, 5e-324, 1e-300)),
    ops.SIN: (lambda x: x.sin(), torch.sin, (0.0, 1e15)),
    ops.COS: (lambda x: x.cos(), torch.cos, (0.0, 1e15)),
}
# x ** n at 0 for exponents on each side of every integer up to 3: which derivative first turns infinite
POWERS = (0.25, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0)

TWO_INPUTS: dict[ops.Op, tuple[Callable[..., Value], Callable[..., T], tuple[tuple[float, float], ...]]] = {
    ops.ADD: (lambda a, b: a + b, lambda a, b: a + b, ((0.0, 0.0),)),
    ops.SUB: (lambda a, b: a - b, lambda a, b: a - b, ((0.0, 0.0),)),
    ops.MUL: (lambda a, b: a * b, lambda a, b: a * b, ((0.0, 0.0), (0.0, 1e300))),
    ops.DIV: (lambda a, b: a / b, lambda a, b: a / b, ((0.0, 1e-100), (1.0, -1e-150))),
    ops.POW: (lambda a, b: a ** b, lambda a, b: a ** b, ((2.0, 0.5), (1e-100, 0.5), (-2.0, 2.0), (-2.0, 3.0))),
    ops.SUM: (lambda a, b: Value.__add__(a, b) if False else __import__("autograd").sum([a, b]),
              lambda a, b: a + b, ((0.0, 0.0),)),
    ops.LINEAR: (lambda a, b: __import__("autograd").dot([a], [b], 1.0), lambda a, b: a * b + 1.0, ((0.0, 0.0),)),
    ops.LINEAR_C: (lambda a, b: dot_const([a], [2.0], b), lambda a, b: 2.0 * a + b, ((0.0, 0.0),)),
}


def test_every_op_of_the_table_is_taken_to_its_edges() -> None:
    """An op added to the table without edge points here fails."""
    assert set(ONE_INPUT) | set(TWO_INPUTS) == set(ops.TABLE)


def _same(ours: list[float], theirs: list[float]) -> bool:
    if OVERFLOW in ours:
        over = [i for i, d in enumerate(ours) if d == OVERFLOW]
        if not all(math.isinf(theirs[i]) for i in over):
            return False
        ours, theirs = [d for d in ours if d != OVERFLOW], [t for i, t in enumerate(theirs) if i not in over]
    return bool(np.allclose(ours, theirs, rtol=1e-9, atol=0.0, equal_nan=True))


@pytest.mark.parametrize("op", list(ONE_INPUT), ids=lambda op: f"{op.name}{'_c' if op.template != op.name else ''}")
def test_one_input_ops_match_torch_to_the_third_derivative_at_their_edges(op: ops.Op) -> None:
    f, tf, points = ONE_INPUT[op]
    assert f(Value(1.5)).operation is op
    for x in points:
        ours, theirs = _tower(f, x), _torch_tower(tf, x)
        assert _same(ours, theirs), f"{op!r} at x={x!r}: ours {ours}, torch {theirs}"


@pytest.mark.parametrize("n", POWERS)
def test_powers_at_zero_turn_infinite_where_torch_does(n: float) -> None:
    # (xⁿ)^(k) = n(n−1)…(n−k+1)·x^(n−k): at 0 it is ±∞ once n − k < 0 (n not an integer), 0 or k! before
    ours, theirs = _tower(lambda x: x ** n, 0.0), _torch_tower(lambda t: t ** n, 0.0)
    assert _same(ours, theirs), f"x**{n} at 0: ours {ours}, torch {theirs}"
    coefficient = 1.0
    for k, d in enumerate(ours, start=1):
        coefficient *= n - k + 1
        exact = 0.0 if coefficient == 0 else coefficient * 0.0 ** (n - k) if n - k >= 0 else \
            math.copysign(math.inf, coefficient)
        assert d == exact, f"x**{n}: d^{k}/dx^{k} at 0 is {d}, the formula gives {exact}"


def test_sqrt_at_zero_is_honest_in_grad_hessian_and_gradgradcheck() -> None:
    # √x: √′ = 1/(2√x) → +∞, √″ = −1/(4 x^{3/2}) → −∞, √‴ = 3/(8 x^{5/2}) → +∞ as x → 0⁺
    assert _tower(lambda x: x.sqrt(), 0.0, 4) == [math.inf, -math.inf, math.inf, -math.inf]
    assert hessian(lambda x: x.sqrt())(0.0) == [[-math.inf]]
    g = grad(Value(0.0).sqrt(), [])  # nothing asked: nothing computed
    assert g == []


def test_a_negative_base_to_a_value_power_has_nan_derivatives_of_every_order() -> None:
    # (−2)ˣ at x = 2: real only at integers; torch gives NaN from the first derivative on, and so do we
    ours, theirs = _tower(lambda x: (-2.0) ** x, 2.0), _torch_tower(lambda t: torch.pow(-2.0, t), 2.0)
    assert all(math.isnan(d) for d in ours) and _same(ours, theirs)


def _hessian(f: Callable[..., Value], a: float, b: float) -> list[float]:
    return [h for row in hessian(f)(a, b) for h in row]


def _torch_hessian(f: Callable[..., T], a: float, b: float) -> list[float]:
    h = torch.autograd.functional.hessian(f, (torch.tensor(a), torch.tensor(b)))
    return [float(h[i][j]) for i in range(2) for j in range(2)]


@pytest.mark.parametrize("op", list(TWO_INPUTS), ids=lambda op: op.name)
def test_two_input_ops_match_torchs_hessian_at_their_edges(op: ops.Op) -> None:
    f, tf, points = TWO_INPUTS[op]
    assert f(Value(1.5), Value(0.5)).operation is op
    for a, b in points:
        ours, theirs = _hessian(f, a, b), _torch_hessian(tf, a, b)
        assert _same(ours, theirs), f"{op!r} at {(a, b)}: ours {ours}, torch {theirs}"


def test_power_with_a_value_exponent_at_a_zero_base() -> None:
    """a ** b at a = 0: ∂/∂a = b·a^(b−1) is +∞ for 0 < b < 1 and its ∂/∂a −∞ (as torch); ∂/∂b = aᵇ·ln a
    is 0 by convention (as torch's masked_fill). The mixed ∂²/∂a∂b has no limit that torch and we agree
    on: torch −∞ (from ∞·(1 + b ln a)), ours NaN (∞ − ∞), both flagged as not a finite number."""
    (da, db), h = grad(lambda a, b: a ** b, argnums=(0, 1))(0.0, 0.5), hessian(lambda a, b: a ** b)(0.0, 0.5)
    assert (da, db) == (math.inf, 0.0)
    assert h[0][0] == -math.inf and not math.isfinite(h[0][1])
    t = _torch_hessian(lambda a, b: a ** b, 0.0, 0.5)
    assert t[0] == -math.inf and not math.isfinite(t[1])
    # a < 0 (an integer b): ∂/∂b = aᵇ·ln a has no real value, nor has any derivative of it (torch: NaN)
    h = hessian(lambda a, b: a ** b)(-2.0, 3.0)
    assert h[0][0] == pytest.approx(6 * -2.0) and all(math.isnan(v) for v in (h[0][1], h[1][0], h[1][1]))
    # b = 0: aᵇ = 1 for every a, so ∂/∂a = 0 (not b·a^(−1) = 0·∞)
    assert grad(lambda a, b: a ** b, argnums=0)(0.0, 0.0) == 0.0
