"""Every op of ``autograd.ops.TABLE`` as ONNX nodes: its forward, and its local derivative times the gradient.

``FORWARD[op](g, xs, c)`` adds the nodes computing y = f(xs) (tensor names ``xs``, constant ``c``)
and returns y's name. ``BACKWARD[op](g, xs, y, c, gy)`` returns, per input i, the name of
gy · ∂y/∂x_i — what ``backward()`` adds into x_i's gradient — written with the same formula as the
table's entry (``TANH``: gy · (1 − y²)), so the numbers agree with ``backward()`` to rounding.
Where the table has a convention at a point (relu′(0) = 0, sign′s 0 at 0, √′(0) = +∞, bˣ′s
ln b for b ≤ 0) a ``Where`` node keeps it. A derivative that is exactly 1 passes gy on unchanged.

ONNX has no errors: where deltagrad raises (log of a negative number, a division by zero), the
exported graph, run on other inputs, gives IEEE's NaN or ±inf instead.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from autograd import ops
from autograd.export.builder import Graph

Forward = Callable[[Graph, list[str], Any], str]
Backward = Callable[[Graph, list[str], str, Any, str], list[str]]


def _n(g: Graph, op_type: str, *inputs: str) -> str:
    return g.node(op_type, list(inputs))


def _binary(op_type: str) -> Forward:
    return lambda g, xs, c: _n(g, op_type, xs[0], xs[1])


def _with_c(op_type: str, reflected: bool = False, unit: float | None = None) -> Forward:
    """x ∘ c, or c ∘ x when ``reflected`` (c a float64 constant); x itself when c is the op's ``unit``
    (x·1, x/1, x ± 0: see ``Graph.times`` for why no such node is written; x + 0.0 turns −0.0 into
    0.0, the one float where passing x on differs, as onnxruntime's own rewrite does)."""
    if reflected:
        return lambda g, xs, c: _n(g, op_type, g.scalar(c), xs[0])
    return lambda g, xs, c: xs[0] if unit is not None and c == unit else _n(g, op_type, xs[0], g.scalar(c))


def _unary(op_type: str) -> Forward:
    return lambda g, xs, c: _n(g, op_type, xs[0])


def _times(g: Graph, gy: str, d: str) -> str:
    return g.times(gy, d)


def _sum_of(g: Graph, terms: list[str]) -> str:
    """Σ terms, left to right (one ``Sum`` node; a single term as it is)."""
    return terms[0] if len(terms) == 1 else g.node("Sum", terms)


def _linear(g: Graph, xs: list[str], c: Any) -> str:
    """y = b + Σ w_i x_i, summed from b in input order (as ``autograd.operators.linear``)."""
    n = (len(xs) - 1) // 2
    return _sum_of(g, [xs[-1], *(_n(g, "Mul", xs[i], xs[n + i]) for i in range(n))])


def _linear_c(g: Graph, xs: list[str], c: Any) -> str:
    """y = b + Σ w_i x_i with the inputs x_i the constant c."""
    return _sum_of(g, [xs[-1], *(g.times(w, g.scalar(x)) for w, x in zip(xs[:-1], c, strict=True))])


def _step(g: Graph, x: str, low: str) -> str:
    """1 for x > 0, else ``low`` (leaky_relu′; NaN > 0 is false, as in Python)."""
    return _n(g, "Where", _n(g, "Greater", x, g.scalar(0.0)), g.scalar(1.0), low)


def _sign(g: Graph, x: str) -> str:
    """sign x with 0 at 0 (and for NaN, as ``autograd.operators.sign``)."""
    minus = _n(g, "Where", _n(g, "Less", x, g.scalar(0.0)), g.scalar(-1.0), g.scalar(0.0))
    return _n(g, "Where", _n(g, "Greater", x, g.scalar(0.0)), g.scalar(1.0), minus)


def _d_power(g: Graph, x: str, n: str, n_value: float | None) -> str:
    """∂(xⁿ)/∂x = n·xⁿ⁻¹; exactly n when n is 0 or 1; +∞ where x = 0 and n < 1 (``operators.d_power``)."""
    if n_value is not None and n_value in (0.0, 1.0):
        return g.scalar(n_value)
    general = g.times(n, _n(g, "Pow", x, _n(g, "Sub", n, g.scalar(1.0))))
    if n_value is not None and not n_value < 1.0:
        return general
    at_zero = _n(g, "Equal", x, g.scalar(0.0))
    if n_value is not None:
        return _n(g, "Where", at_zero, g.scalar(math.inf), general)
    # a node exponent: the conventions are decided at run time, in the order of ``d_power``
    at_zero = _n(g, "And", at_zero, _n(g, "Less", n, g.scalar(1.0)))
    exact = _n(g, "Or", _n(g, "Equal", n, g.scalar(0.0)), _n(g, "Equal", n, g.scalar(1.0)))
    return _n(g, "Where", exact, n, _n(g, "Where", at_zero, g.scalar(math.inf), general))


def _at_zero_base(g: Graph, a: str, y: str) -> str:
    """The derivative in the exponent at a base a ≤ 0: 0 for a = 0 unless y is NaN, else NaN
    (``operators.d_exponent``)."""
    zero = _n(g, "And", _n(g, "Equal", a, g.scalar(0.0)), _n(g, "Equal", y, y))
    return _n(g, "Where", zero, g.scalar(0.0), g.scalar(math.nan))


def _d_pow_exponent(g: Graph, a: str, y: str) -> str:
    """∂(aᵇ)/∂b = aᵇ·ln a for a > 0; 0 for a = 0 (NaN if y is); NaN for a < 0 (``operators.d_exponent``)."""
    return _n(g, "Where", _n(g, "Greater", a, g.scalar(0.0)), _n(g, "Mul", y, _n(g, "Log", a)), _at_zero_base(g, a, y))


def _d_exponent(g: Graph, base: float, y: str) -> str:
    """∂(cˣ)/∂x = cˣ·ln c for c > 0; 0 for c = 0 (NaN if y is); NaN for c < 0 (``operators.d_exponent``);
    c known now."""
    if base > 0.0:
        return g.times(y, g.scalar(math.log(base)))
    return _at_zero_base(g, g.scalar(base), y) if base == 0.0 else g.scalar(math.nan)


def _sqrt_slope(g: Graph, y: str) -> str:
    """1/(2√z) = 0.5/y, and +∞ where y = 0 (of either sign)."""
    return _n(g, "Where", _n(g, "Equal", y, g.scalar(0.0)), g.scalar(math.inf), _n(g, "Div", g.scalar(0.5), y))


def _one(k: int) -> Backward:
    return lambda g, xs, y, c, gy: [gy] * (k if k else len(xs))


def _locals(f: Callable[[Graph, list[str], str, Any], list[str | None]]) -> Backward:
    """A backward from the local derivatives ∂y/∂x_i (None meaning exactly 1): gy · each."""
    return lambda g, xs, y, c, gy: [gy if d is None else _times(g, gy, d) for d in f(g, xs, y, c)]


def _linear_back(g: Graph, xs: list[str], y: str, c: Any, gy: str) -> list[str]:
    """∂y/∂w_i = x_i, ∂y/∂x_i = w_i, ∂y/∂b = 1."""
    n = (len(xs) - 1) // 2
    return [*(_times(g, gy, x) for x in xs[n:2 * n]), *(_times(g, gy, w) for w in xs[:n]), gy]


def _linear_c_back(g: Graph, xs: list[str], y: str, c: Any, gy: str) -> list[str]:
    """∂y/∂w_i = x_i (the constant), ∂y/∂b = 1."""
    return [*(_times(g, gy, g.scalar(x)) for x in c), gy]


T = ops
FORWARD: dict[ops.Op, Forward] = {
    T.ADD: _binary("Add"), T.SUB: _binary("Sub"), T.MUL: _binary("Mul"), T.DIV: _binary("Div"),
    T.POW: _binary("Pow"),
    T.ADD_C: _with_c("Add", unit=0.0), T.SUB_C: _with_c("Sub", unit=0.0), T.RSUB: _with_c("Sub", reflected=True),
    T.MUL_C: _with_c("Mul", unit=1.0), T.DIV_C: _with_c("Div", unit=1.0), T.RDIV: _with_c("Div", reflected=True),
    T.POW_C: _with_c("Pow"), T.RPOW: _with_c("Pow", reflected=True),
    T.NEG: _unary("Neg"), T.EXP: _unary("Exp"), T.LOG: _unary("Log"), T.TANH: _unary("Tanh"),
    T.SIGMOID: lambda g, xs, c: g.sigmoid(xs[0]), T.SOFTPLUS: lambda g, xs, c: g.softplus(xs[0]),
    T.RELU: _unary("Relu"),
    T.LEAKY_RELU: lambda g, xs, c: g.leaky_relu(xs[0], c), T.ABS: _unary("Abs"), T.SQRT: _unary("Sqrt"),
    T.SIN: _unary("Sin"), T.COS: _unary("Cos"),
    T.SUM: lambda g, xs, c: _sum_of(g, xs), T.LINEAR: _linear, T.LINEAR_C: _linear_c,
}
"""y = f(inputs) as ONNX nodes, for every op of the table."""

BACKWARD: dict[ops.Op, Backward] = {
    T.ADD: _one(2),  # 1, 1
    T.SUB: lambda g, xs, y, c, gy: [gy, _n(g, "Neg", gy)],  # 1, −1
    T.MUL: _locals(lambda g, xs, y, c: [xs[1], xs[0]]),  # b, a
    T.DIV: lambda g, xs, y, c, gy: [_n(g, "Div", gy, xs[1]),
                                    _times(g, gy, _n(g, "Div", _n(g, "Neg", y), xs[1]))],  # 1/b (as gy/b), −y/b
    T.POW: _locals(lambda g, xs, y, c: [_d_power(g, xs[0], xs[1], None), _d_pow_exponent(g, xs[0], y)]),
    T.ADD_C: _one(1), T.SUB_C: _one(1),  # 1
    T.RSUB: lambda g, xs, y, c, gy: [_n(g, "Neg", gy)],  # −1
    T.MUL_C: _locals(lambda g, xs, y, c: [g.scalar(c)]),  # c
    T.DIV_C: _locals(lambda g, xs, y, c: [g.scalar(1.0 / c)]),  # 1/c
    T.RDIV: _locals(lambda g, xs, y, c: [_n(g, "Div", _n(g, "Neg", y), xs[0])]),  # −y/x
    T.POW_C: _locals(lambda g, xs, y, c: [_d_power(g, xs[0], g.scalar(c), c)]),  # n·xⁿ⁻¹
    T.RPOW: _locals(lambda g, xs, y, c: [_d_exponent(g, c, y)]),  # cˣ·ln c
    T.NEG: lambda g, xs, y, c, gy: [_n(g, "Neg", gy)],  # −1
    T.EXP: _locals(lambda g, xs, y, c: [y]),  # eᶻ = y
    T.LOG: lambda g, xs, y, c, gy: [_n(g, "Div", gy, xs[0])],  # 1/z (as gy/z: see Graph.times)
    T.TANH: _locals(lambda g, xs, y, c: [_n(g, "Sub", g.scalar(1.0), _n(g, "Mul", y, y))]),  # 1 − y²
    T.SIGMOID: _locals(lambda g, xs, y, c: [_n(g, "Mul", y, _n(g, "Sub", g.scalar(1.0), y))]),  # y(1 − y)
    T.SOFTPLUS: _locals(lambda g, xs, y, c: [g.sigmoid(xs[0])]),  # σ(z)
    T.RELU: _locals(lambda g, xs, y, c: [_n(g, "Where", _n(g, "LessOrEqual", xs[0], g.scalar(0.0)), g.scalar(0.0),
                                                g.scalar(1.0))]),  # 0 for z ≤ 0, else 1 (1 at NaN, as the table)
    T.LEAKY_RELU: _locals(lambda g, xs, y, c: [_step(g, xs[0], g.scalar(c))]),  # 1 for z > 0, else slope
    T.ABS: _locals(lambda g, xs, y, c: [_sign(g, xs[0])]),  # sign z (0 at 0)
    T.SQRT: _locals(lambda g, xs, y, c: [_sqrt_slope(g, y)]),  # 1/(2y)
    T.SIN: _locals(lambda g, xs, y, c: [_n(g, "Cos", xs[0])]),  # cos z
    T.COS: _locals(lambda g, xs, y, c: [_n(g, "Neg", _n(g, "Sin", xs[0]))]),  # −sin z
    T.SUM: _one(0),  # 1 each
    T.LINEAR: _linear_back, T.LINEAR_C: _linear_c_back,
}
"""gy · ∂y/∂x_i as ONNX nodes, one per input, for every op of the table."""

REFUSED: dict[ops.Op, str] = {}
"""Ops of the table that cannot be exported, with the reason (none today; the coverage test reads it)."""
