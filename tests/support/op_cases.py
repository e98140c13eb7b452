"""The shared cases of every operation in ``autograd.ops.TABLE``, for the tests that go over all ops.

Two parts:

* ``ORACLES``: for each table op (keyed by identity), its math written out by hand, independent
  of the engine: the forward with ``math``, the same expression in sympy, and the first, second
  and third partial derivatives as formulas. ``missing_oracles()`` names every table op without
  one, so adding an op to the table without writing its oracle here fails the tests.
* ``CASES``: the ways the tests build each op from ``Value`` nodes (``x * 3``, ``3 * x``,
  ``x.leaky_relu(0.2)``), with the constant each records, their fixed sample points and
  hypothesis strategies. Where an input may go is read from the op's ``domain`` and ``kink``
  (``kinds``: ``r`` any real, ``+`` positive, ``0`` non-zero, ``k`` away from the kink at 0),
  unless a case says otherwise; the points are those the tests have always used, plus points
  spread over the op's domain.

Not a test module (pytest collects ``test_*.py`` only); mypy checks it with the tests.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pytest
import sympy
from hypothesis import strategies as st

import autograd
from autograd import Value, ops
from autograd.ops import Op
from autograd.reductions import dot_const
from tests.support.numeric import sigmoid, sign

Partials = dict[tuple[int, ...], float]  # sorted input positions → ∂ⁿy/∂x_i…; positions not listed are 0


def _none(*args: Any) -> Partials:
    return {}


@dataclass(frozen=True)
class Oracle:
    """One op's math by hand. Every function takes the inputs, then the op's constant ``c`` (or None)."""

    f: Callable[..., float]  # y from floats, with math
    sym: Callable[..., Any]  # y from sympy expressions
    d1: Callable[..., Sequence[float]]  # (∂y/∂x_0, ∂y/∂x_1, …)
    d2: Callable[..., Partials] = _none
    d3: Callable[..., Partials] = _none
    wide: tuple[tuple[float, float], ...] = ()  # random inputs' ranges (per input, or one for all); else op.domain
    ulps: int = 0  # 0: the engine's forward must equal ``f`` bit for bit


def _sum(*args: Any) -> float:
    total = 0.0
    for x in args[:-1]:
        total += x
    return total


def _linear(*args: Any) -> float:
    xs = args[:-1]
    n = (len(xs) - 1) // 2
    total = xs[-1]
    for i in range(n):
        total += xs[i] * xs[n + i]
    return total


def _linear_sym(*args: Any) -> Any:
    xs = args[:-1]
    n = (len(xs) - 1) // 2
    return sympy.Add(*(xs[i] * xs[n + i] for i in range(n))) + xs[-1]


def _linear_d1(*args: Any) -> list[float]:
    xs = args[:-1]
    n = (len(xs) - 1) // 2
    return [*xs[n : 2 * n], *xs[:n], 1.0]


def _linear_c(*args: Any) -> float:
    """Σ w_i x_i + b over inputs (w_1…w_n, b) and the constant inputs x (the last argument)."""
    *ps, xs = args
    total = ps[-1]
    for w, x in zip(ps[:-1], xs, strict=True):
        total += w * x
    return total


def _linear_c_sym(*args: Any) -> Any:
    *ps, xs = args
    return sympy.Add(*(w * x for w, x in zip(ps[:-1], xs, strict=True))) + ps[-1]


def _linear_d2(*args: Any) -> Partials:
    n = (len(args) - 2) // 2
    return {(i, n + i): 1.0 for i in range(n)}


ANY, POSITIVE, NONZERO, OFF_KINK = (-10.0, 10.0), (1e-3, 50.0), (0.1, 10.0), (1e-3, 10.0)
L25, L04 = math.log(2.5), math.log(0.4)
th = math.tanh
sg = sigmoid

ORACLES: dict[Op, Oracle] = {
    # two nodes
    ops.ADD: Oracle(lambda a, b, c: a + b, lambda a, b, c: a + b, lambda a, b, c: (1.0, 1.0), wide=(ANY,)),
    ops.SUB: Oracle(lambda a, b, c: a - b, lambda a, b, c: a - b, lambda a, b, c: (1.0, -1.0), wide=(ANY,)),
    # y = a·b: only ∂²y/∂a∂b = 1
    ops.MUL: Oracle(lambda a, b, c: a * b, lambda a, b, c: a * b, lambda a, b, c: (b, a),
                    d2=lambda a, b, c: {(0, 1): 1.0}, wide=(ANY,)),
    # y = a/b;  y_ab = −1/b², y_bb = 2a/b³;  y_abb = 2/b³, y_bbb = −6a/b⁴
    ops.DIV: Oracle(lambda a, b, c: a / b, lambda a, b, c: a / b, lambda a, b, c: (1.0 / b, -a / b**2),
                    d2=lambda a, b, c: {(0, 1): -1 / b**2, (1, 1): 2 * a / b**3},
                    d3=lambda a, b, c: {(0, 1, 1): 2 / b**3, (1, 1, 1): -6 * a / b**4}, wide=(ANY, NONZERO)),
    # y = aᵇ (a > 0), L = ln a:  y_aa = b(b−1)aᵇ⁻², y_ab = aᵇ⁻¹(1 + bL), y_bb = aᵇL²;
    # y_aaa = b(b−1)(b−2)aᵇ⁻³, y_aab = aᵇ⁻²(2b − 1 + b(b−1)L), y_abb = aᵇ⁻¹L(2 + bL), y_bbb = aᵇL³
    ops.POW: Oracle(lambda a, b, c: a**b, lambda a, b, c: a**b,
                    lambda a, b, c: (b * a ** (b - 1.0), a**b * math.log(a)),
                    d2=lambda a, b, c: {(0, 0): b * (b - 1) * a ** (b - 2),
                                        (0, 1): a ** (b - 1) * (1 + b * math.log(a)),
                                        (1, 1): a**b * math.log(a) ** 2},
                    d3=lambda a, b, c: {(0, 0, 0): b * (b - 1) * (b - 2) * a ** (b - 3),
                                        (0, 0, 1): a ** (b - 2) * (2 * b - 1 + b * (b - 1) * math.log(a)),
                                        (0, 1, 1): a ** (b - 1) * math.log(a) * (2 + b * math.log(a)),
                                        (1, 1, 1): a**b * math.log(a) ** 3},
                    wide=((0.1, 5.0), (-3.0, 3.0))),
    # a node and a number c: linear in x (y″ = y‴ = 0) except c/x, xⁿ and cˣ
    ops.ADD_C: Oracle(lambda x, c: x + c, lambda x, c: x + c, lambda x, c: (1.0,), wide=(ANY,)),
    ops.SUB_C: Oracle(lambda x, c: x - c, lambda x, c: x - c, lambda x, c: (1.0,), wide=(ANY,)),
    ops.RSUB: Oracle(lambda x, c: c - x, lambda x, c: c - x, lambda x, c: (-1.0,), wide=(ANY,)),
    ops.MUL_C: Oracle(lambda x, c: x * c, lambda x, c: c * x, lambda x, c: (c,), wide=(ANY,)),
    ops.DIV_C: Oracle(lambda x, c: x / c, lambda x, c: x / c, lambda x, c: (1.0 / c,), wide=(ANY,)),
    # y = c/x;  y′ = −c/x²,  y″ = 2c/x³,  y‴ = −6c/x⁴
    ops.RDIV: Oracle(lambda x, c: c / x, lambda x, c: c / x, lambda x, c: (-c / x**2,),
                     d2=lambda x, c: {(0, 0): 2 * c / x**3}, d3=lambda x, c: {(0, 0, 0): -6 * c / x**4},
                     wide=(NONZERO,)),
    # y = xⁿ;  y′ = n·xⁿ⁻¹,  y″ = n(n−1)xⁿ⁻²,  y‴ = n(n−1)(n−2)xⁿ⁻³
    ops.POW_C: Oracle(lambda x, n: x**n, lambda x, n: x ** (int(n) if n.is_integer() else n),  # sympy: x**2, not x**2.0
                      lambda x, n: (n * x ** (n - 1.0),),
                      d2=lambda x, n: {(0, 0): n * (n - 1) * x ** (n - 2)},
                      d3=lambda x, n: {(0, 0, 0): n * (n - 1) * (n - 2) * x ** (n - 3)}),
    # y = cˣ;  y′ = cˣ ln c,  y″ = cˣ ln²c,  y‴ = cˣ ln³c
    ops.RPOW: Oracle(lambda x, c: c**x, lambda x, c: sympy.Float(c) ** x, lambda x, c: (c**x * math.log(c),),
                     d2=lambda x, c: {(0, 0): c**x * math.log(c) ** 2},
                     d3=lambda x, c: {(0, 0, 0): c**x * math.log(c) ** 3}, wide=((-5.0, 5.0),)),
    # functions of one node: y = f(z)
    ops.NEG: Oracle(lambda x, c: -x, lambda x, c: -x, lambda x, c: (-1.0,), wide=(ANY,)),
    # y = eᶻ;  y′ = y″ = y‴ = eᶻ
    ops.EXP: Oracle(lambda x, c: math.exp(x), lambda x, c: sympy.exp(x), lambda x, c: (math.exp(x),),
                    d2=lambda x, c: {(0, 0): math.exp(x)}, d3=lambda x, c: {(0, 0, 0): math.exp(x)},
                    wide=((-20.0, 20.0),)),
    # y = ln z;  y′ = 1/z,  y″ = −1/z²,  y‴ = 2/z³
    ops.LOG: Oracle(lambda x, c: math.log(x), lambda x, c: sympy.log(x), lambda x, c: (1.0 / x,),
                    d2=lambda x, c: {(0, 0): -1 / x**2}, d3=lambda x, c: {(0, 0, 0): 2 / x**3}, wide=(POSITIVE,)),
    # y = tanh z = t;  y′ = 1 − t²,  y″ = −2t(1 − t²),  y‴ = −2(1 − t²)(1 − 3t²)
    ops.TANH: Oracle(lambda x, c: math.tanh(x), lambda x, c: sympy.tanh(x), lambda x, c: (1.0 - th(x) ** 2,),
                     d2=lambda x, c: {(0, 0): -2 * th(x) * (1 - th(x) ** 2)},
                     d3=lambda x, c: {(0, 0, 0): -2 * (1 - th(x) ** 2) * (1 - 3 * th(x) ** 2)}, wide=(ANY,)),
    # y = σ(z) = s;  y′ = s(1 − s),  y″ = s(1 − s)(1 − 2s),  y‴ = s(1 − s)(1 − 6s + 6s²)
    ops.SIGMOID: Oracle(lambda x, c: sigmoid(x), lambda x, c: 1 / (1 + sympy.exp(-x)),
                        lambda x, c: (sg(x) * (1.0 - sg(x)),),
                        d2=lambda x, c: {(0, 0): sg(x) * (1 - sg(x)) * (1 - 2 * sg(x))},
                        d3=lambda x, c: {(0, 0, 0): sg(x) * (1 - sg(x)) * (1 - 6 * sg(x) + 6 * sg(x) ** 2)},
                        wide=((-30.0, 30.0),), ulps=2),
    # y = ln(1 + eᶻ);  y′ = σ(z) = s,  y″ = s(1 − s),  y‴ = s(1 − s)(1 − 2s)
    ops.SOFTPLUS: Oracle(lambda x, c: math.log1p(math.exp(x)), lambda x, c: sympy.log(1 + sympy.exp(x)),
                         lambda x, c: (sg(x),), d2=lambda x, c: {(0, 0): sg(x) * (1 - sg(x))},
                         d3=lambda x, c: {(0, 0, 0): sg(x) * (1 - sg(x)) * (1 - 2 * sg(x))},
                         wide=((-30.0, 30.0),), ulps=2),
    # relu′, leaky_relu′ and abs′ are constant between kinks: y″ = y‴ = 0 (also at the kink itself)
    ops.RELU: Oracle(lambda x, c: max(0.0, x), lambda x, c: sympy.Max(0, x),
                     lambda x, c: (1.0 if x > 0 else 0.0,), wide=(OFF_KINK,)),
    ops.LEAKY_RELU: Oracle(lambda x, c: x if x > 0 else c * x, lambda x, c: sympy.Piecewise((x, x > 0), (c * x, True)),
                           lambda x, c: (1.0 if x > 0 else c,), wide=(OFF_KINK,)),
    ops.ABS: Oracle(lambda x, c: math.fabs(x), lambda x, c: sympy.Abs(x), lambda x, c: (sign(x),), wide=(OFF_KINK,)),
    # y = √z;  y′ = 1/(2√z),  y″ = −¼z^(−3/2),  y‴ = ⅜z^(−5/2)
    ops.SQRT: Oracle(lambda x, c: math.sqrt(x), lambda x, c: sympy.sqrt(x), lambda x, c: (0.5 / math.sqrt(x),),
                     d2=lambda x, c: {(0, 0): -0.25 * x**-1.5}, d3=lambda x, c: {(0, 0, 0): 0.375 * x**-2.5},
                     wide=(POSITIVE,)),
    # y = sin z;  y′ = cos z, y″ = −sin z,  y‴ = −cos z
    ops.SIN: Oracle(lambda x, c: math.sin(x), lambda x, c: sympy.sin(x), lambda x, c: (math.cos(x),),
                    d2=lambda x, c: {(0, 0): -math.sin(x)}, d3=lambda x, c: {(0, 0, 0): -math.cos(x)}, wide=(ANY,)),
    # y = cos z;  y′ = −sin z, y″ = −cos z,  y‴ = sin z
    ops.COS: Oracle(lambda x, c: math.cos(x), lambda x, c: sympy.cos(x), lambda x, c: (-math.sin(x),),
                    d2=lambda x, c: {(0, 0): -math.cos(x)}, d3=lambda x, c: {(0, 0, 0): math.sin(x)}, wide=(ANY,)),
    # n nodes: y = Σ x_i is linear; y = Σ w_i x_i + b has only ∂²y/∂w_i∂x_i = 1
    ops.SUM: Oracle(_sum, lambda *a: sympy.Add(*a[:-1]), lambda *a: [1.0] * (len(a) - 1), wide=(ANY,)),
    ops.LINEAR: Oracle(_linear, _linear_sym, _linear_d1, d2=_linear_d2, wide=(ANY,)),
    ops.LINEAR_C: Oracle(_linear_c, _linear_c_sym, lambda *a: [*a[-1], 1.0], wide=(ANY,)),
}


def missing_oracles(table: Sequence[Op] = ops.TABLE) -> list[str]:
    """The table ops (by name and position) that have no hand-written oracle above."""
    return [f"TABLE[{i}] {op!r}" for i, op in enumerate(table) if op not in ORACLES]


# ---------------------------------------------------------------------------------------------
# Sample points and strategies.

# The fixed points the tests use, by kind of input (each kept from the per-file lists they replace).
POINTS_1D: dict[str, tuple[float, ...]] = {
    "r": (-2.5, -1.7, -0.7, -0.4, 0.3, 0.6, 1.3, 1.9, 2.1),
    "0": (-2.5, -1.7, -0.7, -0.4, 0.3, 0.6, 1.3, 1.9, 2.1),
    "+": (0.2, 0.3, 0.9, 1.1, 2.5, 2.6, 7.0),
    "k": (-2.5, -1.7, -1.2, -0.7, -0.4, -0.3, 0.3, 0.6, 0.7, 0.8, 1.9, 2.1, 3.0),
}
POINTS_ND: dict[str, tuple[tuple[float, ...], ...]] = {
    "rr": ((-2.5, 1.5), (0.7, -0.4), (3.0, 2.0), (-1.1, -0.6), (0.7, -1.2), (-2.0, 0.5)),
    "r0": ((-2.5, 1.5), (0.7, -0.4), (3.0, 2.0), (-1.1, -0.6), (0.7, -1.2), (-2.0, 0.5)),
    "+r": ((0.5, 1.5), (2.0, -0.7), (3.0, 2.0), (1.3, 0.0), (0.7, -1.2), (2.0, 0.5), (1.5, 3.0)),
    "rrr": ((0.7, -1.2, 2.0), (0.1, -2.5, 3.25)),
    "rrrrr": ((0.7, -1.2, 2.0, 0.3, -0.5), (0.3, -1.2, 1.5, 0.25, 0.1)),
}
KINK_GAP = 1e-3  # every table kink is at input 0 (checked by a test); points keep this far away


def domain_points(op: Op, kind: str) -> tuple[float, ...]:
    """Three points spread over the op's domain (a quarter, half and three quarters of the way)."""
    lo, hi = op.domain
    pts = (lo + (hi - lo) * f for f in (0.25, 0.5, 0.75))
    return tuple(round(p, 6) for p in pts if kind in "r+" or abs(p) >= KINK_GAP)


def floats(lo: float, hi: float) -> st.SearchStrategy[float]:
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


def away_from_zero(lo: float, hi: float) -> st.SearchStrategy[float]:
    """|x| in [lo, hi], either sign."""
    return st.tuples(floats(lo, hi), st.booleans()).map(lambda t: t[0] if t[1] else -t[0])


@dataclass(frozen=True)
class Case:
    """One way to build ``op`` from Values: ``build(*nodes)`` returns a node made by ``op``."""

    op: Op
    name: str
    build: Callable[..., Any]
    c: float | None
    kinds: str  # one letter per input: r any real, + positive, 0 non-zero, k away from the kink at 0
    ranges: tuple[tuple[float, float], ...]  # the random inputs' ranges (|x| for kinds 0 and k)
    points: tuple[tuple[float, ...], ...]

    def __str__(self) -> str:
        return self.name

    @property
    def n(self) -> int:
        return len(self.kinds)

    @property
    def oracle(self) -> Oracle:
        return ORACLES[self.op]

    def f(self, *xs: float) -> float:
        return self.oracle.f(*xs, self.c)

    def sym(self, *xs: Any) -> Any:
        return self.oracle.sym(*xs, self.c)

    def d1(self, *xs: float) -> list[float]:
        return list(self.oracle.d1(*xs, self.c))

    def d2(self, *xs: float) -> Partials:
        return self.oracle.d2(*xs, self.c)

    def d3(self, *xs: float) -> Partials:
        return self.oracle.d3(*xs, self.c)

    def strategies(self) -> list[st.SearchStrategy[float]]:
        return [floats(*r) if k in "r+" else away_from_zero(*r) for k, r in zip(self.kinds, self.ranges, strict=True)]


def case(op: Op, name: str, build: Callable[..., Any], c: float | None = None, kinds: str | None = None,
         wide: tuple[float, float] | None = None) -> Case:
    n = op.arity or len(inspect.signature(build).parameters)
    if kinds is None:
        kind = "k" if op.kink is not None else ("+" if op.domain[0] > 0 else "r")
        kinds = kind * n
    oracle = ORACLES.get(op)
    spans = (wide,) if wide else (oracle.wide if oracle and oracle.wide else (op.domain,))
    ranges = tuple(spans[i] if len(spans) > 1 else spans[0] for i in range(n))
    if n == 1:
        points: tuple[tuple[float, ...], ...] = tuple(
            (p,) for p in sorted(set(POINTS_1D[kinds]) | set(domain_points(op, kinds))))
    elif kinds in POINTS_ND:
        points = POINTS_ND[kinds]
    else:  # a new kind of op: rotate the one-input points
        cols = [POINTS_1D[k] for k in kinds]
        points = tuple(tuple(col[(i + j) % len(col)] for j, col in enumerate(cols)) for i in range(4))
    return Case(op, name, build, c, kinds, ranges, points)


def pow_c(n: float, kinds: str, build: Callable[[Any], Any]) -> Case:
    wide = {"r": ANY, "0": NONZERO, "+": POSITIVE}[kinds]
    return case(ops.POW_C, f"x ** {n:g}", build, float(n), kinds, wide)


def default_slope() -> float:
    assert ops.LEAKY_RELU.default is not None
    return ops.LEAKY_RELU.default


CASES: list[Case] = [
    case(ops.ADD, "a + b", lambda a, b: a + b),
    case(ops.SUB, "a - b", lambda a, b: a - b),
    case(ops.MUL, "a * b", lambda a, b: a * b),
    case(ops.DIV, "a / b", lambda a, b: a / b, kinds="r0"),
    case(ops.POW, "a ** b", lambda a, b: a**b, kinds="+r"),
    # a node with a number, the number on either side
    case(ops.ADD_C, "x + 2.5", lambda x: x + 2.5, 2.5),
    case(ops.ADD_C, "2.5 + x", lambda x: 2.5 + x, 2.5),
    case(ops.ADD_C, "x + 3 (int)", lambda x: x + 3, 3.0),
    case(ops.SUB_C, "x - 2.5", lambda x: x - 2.5, 2.5),
    case(ops.RSUB, "2 - x", lambda x: 2 - x, 2.0),
    case(ops.RSUB, "2.5 - x", lambda x: 2.5 - x, 2.5),
    case(ops.MUL_C, "x * 3", lambda x: x * 3, 3.0),
    case(ops.MUL_C, "-1.5 * x", lambda x: -1.5 * x, -1.5),
    case(ops.MUL_C, "2.5 * x", lambda x: 2.5 * x, 2.5),
    case(ops.MUL_C, "x * -1.5", lambda x: x * -1.5, -1.5),
    case(ops.DIV_C, "x / 3", lambda x: x / 3, 3.0),
    case(ops.DIV_C, "x / 0.1", lambda x: x / 0.1, 0.1),
    case(ops.DIV_C, "x / 2.5", lambda x: x / 2.5, 2.5),
    case(ops.RDIV, "1 / x", lambda x: 1 / x, 1.0, kinds="0"),
    case(ops.RDIV, "-3 / x", lambda x: -3 / x, -3.0, kinds="0"),
    case(ops.RDIV, "2 / x", lambda x: 2 / x, 2.0, kinds="0"),
    case(ops.RDIV, "2.5 / x", lambda x: 2.5 / x, 2.5, kinds="0"),
    pow_c(2, "r", lambda x: x**2),
    pow_c(3, "r", lambda x: x**3),
    pow_c(1, "r", lambda x: x**1),
    pow_c(0, "r", lambda x: x**0),
    pow_c(-1, "0", lambda x: x**-1),
    pow_c(-2, "0", lambda x: x**-2),
    pow_c(0.5, "+", lambda x: x**0.5),
    pow_c(2.5, "+", lambda x: x**2.5),
    pow_c(-2.5, "+", lambda x: x**-2.5),
    case(ops.RPOW, "2 ** x", lambda x: 2**x, 2.0),
    case(ops.RPOW, "0.5 ** x", lambda x: 0.5**x, 0.5),
    case(ops.RPOW, "1.7 ** x", lambda x: 1.7**x, 1.7),
    case(ops.RPOW, "2.5 ** x", lambda x: 2.5**x, 2.5),
    case(ops.RPOW, "0.4 ** x", lambda x: 0.4**x, 0.4),
    case(ops.NEG, "-x", lambda x: -x),
    # functions of one node
    case(ops.EXP, "exp", lambda v: v.exp()),
    case(ops.LOG, "log", lambda v: v.log()),
    case(ops.TANH, "tanh", lambda v: v.tanh()),
    case(ops.SIGMOID, "sigmoid", lambda v: v.sigmoid()),
    case(ops.SOFTPLUS, "softplus", lambda v: v.softplus()),
    case(ops.RELU, "relu", lambda v: v.relu()),
    case(ops.LEAKY_RELU, "leaky_relu()", lambda v: v.leaky_relu(), default_slope()),
    case(ops.LEAKY_RELU, "leaky_relu(0.1)", lambda v: v.leaky_relu(0.1), 0.1),
    case(ops.LEAKY_RELU, "leaky_relu(0.2)", lambda v: v.leaky_relu(0.2), 0.2),
    case(ops.ABS, "abs", lambda v: v.abs()),
    case(ops.ABS, "abs(x)", abs),
    case(ops.SQRT, "sqrt", lambda v: v.sqrt()),
    case(ops.SIN, "sin", lambda v: v.sin()),
    case(ops.COS, "cos", lambda v: v.cos()),
    # many nodes in one
    case(ops.SUM, "sum", lambda a, b, c: autograd.sum([a, b, c])),
    case(ops.LINEAR, "dot", lambda w0, w1, x0, x1, b: autograd.dot([w0, w1], [x0, x1], b)),
    case(ops.LINEAR_C, "dot_const", lambda w0, w1, b: dot_const([w0, w1], [0.75, -2.5], b), (0.75, -2.5)),  # type: ignore[arg-type]
]


EACH_CASE = pytest.mark.parametrize("case", CASES, ids=str)


def missing_cases(table: Sequence[Op] = ops.TABLE) -> list[str]:
    """The table ops (by name and position) that no case builds."""
    built = {id(c.op) for c in CASES}
    return [f"TABLE[{i}] {op!r}" for i, op in enumerate(table) if id(op) not in built]


def at_points(cases: Sequence[Case] = CASES) -> list[tuple[Case, tuple[float, ...]]]:
    """Every (case, point) pair."""
    return [(c, p) for c in cases for p in c.points]


def value_functions() -> dict[str, Callable[[Any], Any]]:
    """Every table op with a ``Value`` method, by its name, as a function of a node (for sympy.lambdify)."""
    def call(method: str) -> Callable[[Any], Any]:
        return lambda v: getattr(v, method)()

    return {op.method: call(op.method) for op in ops.TABLE if op.method}


def build_on_floats(case: Case, xs: Sequence[float]) -> Value:
    """The case's node from leaves with data ``xs``."""
    node: Value = case.build(*[Value(x) for x in xs])
    return node
