"""Pure float math (as minitorch's operators): the forward functions of the operations, with their domains.

Nothing here knows about graphs. Each function takes and returns Python floats and raises
``ValueError``, ``ZeroDivisionError`` or ``OverflowError`` with a short reason when the result is
undefined or does not fit in a float; the engine adds the operation's name and the node's label.
Keeping the math apart lets it be tested alone (as minitorch does). The derivatives at the end
(as minitorch's ``*_back``) take floats, or nodes for gradients of gradients: they use only
arithmetic, ``.data`` and ``.log()``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any


def exp(x: float) -> float:
    """y = eˣ. Raises ``OverflowError`` for x > 709.78 (the largest float is about e^709.78)."""
    try:
        return math.exp(x)
    except OverflowError:
        raise OverflowError(
            f"e**{x!r} does not fit in a float (the limit is x <= 709.78); "
            "scale the input down or use a numerically stable formula"
        ) from None


def log(x: float) -> float:
    """y = ln x, defined for x > 0 (NaN gives NaN)."""
    if not x > 0.0 and x == x:
        raise ValueError(f"log is only defined for inputs > 0, got {x!r}; clamp the input or add a small epsilon")
    return math.log(x)


def sqrt(x: float) -> float:
    """y = √x, defined for x ≥ 0."""
    if x < 0.0:
        raise ValueError(f"sqrt is only defined for inputs >= 0, got {x!r}; use abs() or clamp the input")
    return math.sqrt(x)


def _periodic(name: str, f: Callable[[float], float]) -> Callable[[float], float]:
    """``f`` (sin or cos) defined for finite x: ±inf gets a clear ValueError (math would say only
    "math domain error"), NaN passes through as in ``math``."""

    def checked(x: float) -> float:
        if x - x != 0.0 and x == x:  # ±inf
            raise ValueError(f"{name} is only defined for finite inputs, got {x!r}; "
                             "find where the infinity came from (an overflow or a division by zero before it)")
        return f(x)

    checked.__name__ = checked.__qualname__ = name
    checked.__doc__ = f"y = {name} x, defined for finite x."
    return checked


sin = _periodic("sin", math.sin)
cos = _periodic("cos", math.cos)


def sigmoid(x: float) -> float:
    """y = 1 / (1 + e⁻ˣ), computed without overflow for any x.

    For x ≥ 0 the textbook form is safe; for x < 0 the equal form eˣ / (1 + eˣ) is used, so that
    ``exp`` never sees a large positive argument. sigmoid(±1000) is 1.0 and 0.0.
    """
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def tanh(x: float) -> float:
    """y = tanh x = (eˣ − e⁻ˣ) / (eˣ + e⁻ˣ); ``math.tanh`` is already stable at ±1000."""
    return math.tanh(x)


def softplus(x: float) -> float:
    """y = ln(1 + eˣ), computed as max(x, 0) + ln(1 + e^(−|x|)): no overflow for large x, and
    the exact small tail eˣ for very negative x. softplus(1000) is 1000.0, softplus(−1000) is 0.0."""
    return (x if x > 0.0 else 0.0) + math.log1p(math.exp(-abs(x)))


def relu(x: float) -> float:
    """y = max(0, x); NaN gives NaN (``x > 0`` would be False for it and give 0)."""
    return 0.0 if x <= 0.0 else x


def leaky_relu(x: float, slope: float) -> float:
    """y = x for x > 0, slope·x otherwise."""
    return x if x > 0.0 else slope * x


def divide(a: float, b: float) -> float:
    """y = a / b, undefined for b = 0."""
    if b == 0.0:
        raise ZeroDivisionError(f"division of {a!r} by zero; guard the denominator (for example b + 1e-12)")
    return a / b


def power(x: float, n: float) -> float:
    """y = xⁿ over the reals.

    Undefined for 0 to a negative power and for a negative base to a non-integer power (whose
    result is complex); raises ``OverflowError`` when the result does not fit in a float.
    """
    if x == 0.0 and n < 0.0:
        raise ZeroDivisionError(f"0.0 ** {n!r} is undefined (0 to a negative power)")
    if x < 0.0 and not float(n).is_integer() and n == n:  # (a NaN exponent gives NaN, below)
        raise ValueError(
            f"{x!r} ** {n!r} is not a real number (a negative base needs an integer exponent)"
        )
    try:
        return math.pow(x, n)
    except OverflowError:
        raise OverflowError(f"{x!r} ** {n!r} does not fit in a float") from None


def sign(x: float) -> float:
    """The derivative of |x|: −1, 0 or 1 (0 at the kink, as PyTorch does)."""
    return 1.0 if x > 0.0 else (-1.0 if x < 0.0 else 0.0)


def total(*xs: float) -> float:
    """y = Σ x_i, summed left to right from 0.0 (the same float as a chain of +)."""
    result = 0.0
    for x in xs:
        result += x
    return result


def linear(*xs: float) -> float:
    """y = Σ w_i x_i + b over (w_1…w_n, x_1…x_n, b), summed from b in input order (micrograd's order)."""
    n = (len(xs) - 1) // 2
    result = xs[-1]
    for i in range(n):
        result += xs[i] * xs[n + i]
    return result


def linear_c(*args: Any) -> float:
    """y = Σ w_i x_i + b over parents (w_1…w_n, b) with the inputs x = (x_1…x_n) a constant (the last
    argument), summed from b in input order (the same float as ``linear``)."""
    *wb, xs = args
    result = wb[-1]
    for w, x in zip(wb[:-1], xs, strict=True):
        result += w * x
    return float(result)


# -- derivatives with a convention at a point (floats, or nodes for gradients of gradients; edge: √″(0) = −∞) --


def number_of(x: Any) -> float:
    """The float behind x: x itself for a float, ``x.data`` for a node."""
    return x if isinstance(x, float) else float(x.data)


def at_zero(*xs: Any) -> bool:
    """Kink test: is the (first) input exactly 0?"""
    return number_of(xs[0]) == 0.0


def edge(y: Any, value: float) -> Any:
    """``value`` (+∞ at the output y = 0, or NaN) as a derivative that stays honest: on a node (1 − y)·value."""
    return value if isinstance(y, float) else (1.0 - y) * value


def d_power(x: Any, n: Any, y: Any) -> Any:
    """∂(xⁿ)/∂x = n·xⁿ⁻¹ (y = xⁿ); at x = 0: 0 for n = 0 (as PyTorch), +∞ for 0 < n < 1 (``edge``)."""
    if isinstance(n, float) and n in (0.0, 1.0):  # exact, and keeps second-order graphs small
        return n
    at_edge = number_of(x) == 0.0 and number_of(n) < 1.0
    return (0.0 if number_of(n) == 0.0 else n * edge(y, math.inf)) if at_edge else n * x ** (n - 1.0)


def d_exponent(base: Any, y: Any) -> Any:
    """∂(bˣ)/∂x = bˣ·ln b (y = bˣ); 0 for b = 0 (as PyTorch) unless y is NaN, NaN for b < 0 (``edge``)."""
    if number_of(base) > 0.0:
        return y * (math.log(base) if isinstance(base, float) else base.log())
    return 0.0 if number_of(base) == 0.0 and number_of(y) == number_of(y) else edge(y, math.nan)


def d_linear(xs: Any, y: Any, c: Any) -> list[Any]:
    """y = Σ w_i x_i + b over inputs (w_1…w_n, x_1…x_n, b): ∂y/∂w_i = x_i, ∂y/∂x_i = w_i, ∂y/∂b = 1."""
    n = (len(xs) - 1) // 2
    return [*xs[n : 2 * n], *xs[:n], 1.0]


def d_linear_c(wb: Any, y: Any, c: Any) -> list[Any]:
    """y = Σ w_i x_i + b over parents (w_1…w_n, b), inputs x = c constant: ∂y/∂w_i = x_i, ∂y/∂b = 1."""
    return [*c, 1.0]


# -- numbers as text, and checking that a number is one (shared by every entry point) --------------


def fmt_number(c: float) -> str:
    """A constant in a label, exactly (``exact_number``: a drawing never shows another op than the computed one)."""
    return exact_number(c) if isinstance(c, float) else str(c)


def exact_number(c: float) -> str:
    """``c`` exactly (``float(text) == c``), integers without '.0': 2.0 → '2', 2.0000001 → '2.0000001'."""
    return str(int(c)) if c.is_integer() and abs(c) < 1e16 and (c or math.copysign(1.0, c) > 0) else repr(c)
