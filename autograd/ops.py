"""The built-in operations: each forward beside its local derivative, in the note's notation.

Read one line per operation as "y = f(inputs); ∂y/∂input = …". The derivative is written once with
plain arithmetic, so the same expression serves an ordinary ``backward()`` (floats) and a
differentiable gradient (``Value`` nodes): ``1 - y * y`` is tanh's derivative in both worlds.
``y`` is the op's own output and ``c`` its constant operand (``None`` when it has none).
Kinks follow PyTorch: relu′(0) = 0, abs′(0) = 0, leaky_relu′(0) = slope.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from typing import Any

from autograd import scalar
from autograd.function import Op

# ---------------------------------------------------------------------------------------------
# Helpers that let one derivative expression work on floats and on Value nodes.


def _data(x: Any) -> float:
    """The float behind x (x itself for a float, ``x.data`` for a node)."""
    return x if isinstance(x, float) else float(x.data)


def _dual(method: str, on_float: Callable[[float], float], formula: str) -> Callable[[Any], Any]:
    """A function that works on a float (giving a float) and on a ``Value`` (giving a node)."""

    def fn(x: Any) -> Any:
        if isinstance(x, float):
            return on_float(x)
        return on_float(float(x)) if isinstance(x, numbers.Real) else getattr(x, method)()

    fn.__name__ = fn.__qualname__ = method
    fn.__doc__ = f"{formula} of a float (a float) or of a Value (a node, so it can be differentiated again)."
    return fn


exp = _dual("exp", scalar.exp, "eˣ")
log = _dual("log", scalar.log, "ln x")
sqrt = _dual("sqrt", scalar.sqrt, "√x")
tanh = _dual("tanh", scalar.tanh, "tanh x")
sigmoid = _dual("sigmoid", scalar.sigmoid, "1/(1 + e⁻ˣ)")
sin = _dual("sin", math.sin, "sin x")
cos = _dual("cos", math.cos, "cos x")


def _at_zero(*xs: Any) -> bool:
    """Kink test: is the (first) input exactly 0?"""
    return _data(xs[0]) == 0.0


def _d_power(x: Any, n: Any) -> Any:
    """∂(xⁿ)/∂x = n·xⁿ⁻¹, with 0·… = 0 and +∞ where x = 0 and n < 1 (as √ at 0)."""
    if isinstance(n, float) and n in (0.0, 1.0):  # exact, and keeps second-order graphs small
        return n
    if _data(x) == 0.0 and _data(n) < 1.0:
        return math.inf
    return n * x ** (n - 1.0)


def _d_exponent(base: float, y: Any) -> Any:
    """∂(bˣ)/∂x = bˣ·ln b; 0 for b = 0 (as PyTorch), NaN for b < 0 (no real logarithm)."""
    if base > 0.0:
        return y * math.log(base)
    return 0.0 if base == 0.0 else math.nan


def _d_pow_exponent(a: Any, y: Any) -> Any:
    """∂(aᵇ)/∂b = aᵇ·ln a, with the same conventions as ``_d_exponent`` at a ≤ 0."""
    if _data(a) > 0.0:
        return y * (a.log() if not isinstance(a, float) else math.log(a))
    return 0.0 if _data(a) == 0.0 else math.nan


def _d_linear(xs: Any, y: Any, c: Any) -> list[Any]:
    """y = Σ w_i x_i + b over inputs (w_1…w_n, x_1…x_n, b): ∂y/∂w_i = x_i, ∂y/∂x_i = w_i, ∂y/∂b = 1."""
    n = (len(xs) - 1) // 2
    return [*xs[n : 2 * n], *xs[:n], 1.0]


def _linear(*xs: float) -> float:
    """Σ w_i x_i + b, summed from b in input order (the order micrograd's Neuron uses)."""
    n = (len(xs) - 1) // 2
    total = xs[-1]
    for i in range(n):
        total += xs[i] * xs[n + i]
    return total


def _sum(*xs: float) -> float:
    total = 0.0
    for x in xs:
        total += x
    return total


# ---------------------------------------------------------------------------------------------
# Binary operations between two nodes: deriv(a, b, y, c) -> (∂y/∂a, ∂y/∂b).

ADD = Op("+", lambda a, b: a + b, lambda a, b, y, c: (1.0, 1.0), arity=2, symmetric=True,
         doc="y = a + b;  ∂y/∂a = 1, ∂y/∂b = 1")
SUB = Op("-", lambda a, b: a - b, lambda a, b, y, c: (1.0, -1.0), arity=2,
         doc="y = a − b;  ∂y/∂a = 1, ∂y/∂b = −1")
MUL = Op("*", lambda a, b: a * b, lambda a, b, y, c: (b, a), arity=2, symmetric=True,
         doc="y = a·b;  ∂y/∂a = b, ∂y/∂b = a")
DIV = Op("/", scalar.divide, lambda a, b, y, c: (1.0 / b, -y / b), arity=2,
         doc="y = a / b;  ∂y/∂a = 1/b, ∂y/∂b = −a/b² = −y/b")
POW = Op("**", scalar.power, lambda a, b, y, c: (_d_power(a, b), _d_pow_exponent(a, y)), arity=2,
         doc="y = aᵇ;  ∂y/∂a = b·aᵇ⁻¹, ∂y/∂b = aᵇ·ln a")

# ---------------------------------------------------------------------------------------------
# A node with a number: the number c is the op's constant, not a node. deriv(x, y, c) -> ∂y/∂x.

ADD_C = Op("+", lambda x, c: x + c, lambda x, y, c: 1.0, template="+ {c}",
           doc="y = x + c;  ∂y/∂x = 1")
SUB_C = Op("-", lambda x, c: x - c, lambda x, y, c: 1.0, template="- {c}",
           doc="y = x − c;  ∂y/∂x = 1")
RSUB = Op("-", lambda x, c: c - x, lambda x, y, c: -1.0, template="{c} -",
          doc="y = c − x;  ∂y/∂x = −1")
MUL_C = Op("*", lambda x, c: x * c, lambda x, y, c: c, template="* {c}",
           doc="y = c·x;  ∂y/∂x = c")
DIV_C = Op("/", scalar.divide, lambda x, y, c: 1.0 / c, template="/ {c}",
           doc="y = x / c;  ∂y/∂x = 1/c")
RDIV = Op("/", lambda x, c: scalar.divide(c, x), lambda x, y, c: -y / x, template="{c} /",
          doc="y = c / x;  ∂y/∂x = −c/x² = −y/x")
RPOW = Op("**", lambda x, c: scalar.power(c, x), lambda x, y, c: _d_exponent(c, y), template="{c} **",
          doc="y = cˣ;  ∂y/∂x = cˣ·ln c")
LEAKY_RELU = Op("leaky_relu", scalar.leaky_relu, lambda x, y, c: 1.0 if x > 0.0 else c, kink=_at_zero,
                template="leaky_relu({c})", doc="y = x if x > 0 else slope·x;  ∂y/∂x = 1 or slope")

_POW_CACHE: dict[float, Op] = {}


def pow_op(n: float) -> Op:
    """The op for xⁿ with a number n, named micrograd's way (``'**2'``); one shared op per exponent."""
    op = _POW_CACHE.get(n)
    if op is None:
        op = Op(f"**{n:g}", scalar.power, lambda x, y, c: _d_power(x, c), template=f"**{n:g}",
                doc="y = xⁿ;  ∂y/∂x = n·xⁿ⁻¹")
        if len(_POW_CACHE) < 256:
            _POW_CACHE[n] = op
    return op


# ---------------------------------------------------------------------------------------------
# Functions of one node: deriv(x, y, c) -> ∂y/∂x, i.e. f′(z) written with z = x and f(z) = y.

NEG = Op("neg", lambda x: -x, lambda x, y, c: -1.0, doc="y = −x;  ∂y/∂x = −1")
EXP = Op("exp", scalar.exp, lambda x, y, c: y, doc="y = eˣ;  f′ = eˣ = y")
LOG = Op("log", scalar.log, lambda x, y, c: 1.0 / x, doc="y = ln x;  f′ = 1/x")
TANH = Op("tanh", scalar.tanh, lambda x, y, c: 1.0 - y * y, doc="y = tanh x;  f′ = 1 − y²")
SIGMOID = Op("sigmoid", scalar.sigmoid, lambda x, y, c: y * (1.0 - y), doc="y = 1/(1 + e⁻ˣ);  f′ = y(1 − y)")
RELU = Op("ReLU", scalar.relu, lambda x, y, c: 1.0 if x > 0.0 else 0.0, kink=_at_zero,
          doc="y = max(0, x);  f′ = 1 for x > 0, else 0")
ABS = Op("abs", abs, lambda x, y, c: 1.0 if x > 0.0 else (-1.0 if x < 0.0 else 0.0), kink=_at_zero,
         doc="y = |x|;  f′ = sign(x), 0 at x = 0")
SQRT = Op("sqrt", scalar.sqrt, lambda x, y, c: 0.5 / y if _data(y) != 0.0 else math.inf,
          doc="y = √x;  f′ = 1/(2√x) = 1/(2y)")
SIN = Op("sin", math.sin, lambda x, y, c: cos(x), doc="y = sin x;  f′ = cos x")
COS = Op("cos", math.cos, lambda x, y, c: -sin(x), doc="y = cos x;  f′ = −sin x")

# ---------------------------------------------------------------------------------------------
# Any number of nodes: deriv(xs, y, c) -> [∂y/∂x_i].

SUM = Op("sum", _sum, lambda xs, y, c: [1.0] * len(xs), arity=0, symmetric=True,
         doc="y = Σ x_i;  ∂y/∂x_i = 1")
LINEAR = Op("linear", _linear, _d_linear, arity=0,
            doc="y = Σ w_i x_i + b;  ∂y/∂w_i = x_i, ∂y/∂x_i = w_i, ∂y/∂b = 1")
