"""Numeric helpers shared by the tests: closeness, central differences, the textbook float formulas.

Written with ``math`` only, independent of the engine, so that tests can use them as oracles.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence


def close(a: float, b: float, rel: float = 1e-12, abs_: float = 1e-12) -> bool:
    """``math.isclose`` with the tests' default tolerances (1e-12 relative and absolute)."""
    return math.isclose(a, b, rel_tol=rel, abs_tol=abs_)


def step(x: float, h: float | None = None) -> float:
    """The central-difference step at ``x``: ``h`` if given, else 1e-6 scaled by max(1, |x|)."""
    return h if h is not None else 1e-6 * max(1.0, abs(x))


def central_difference(f: Callable[[float], float], x: float, h: float | None = None) -> float:
    """f′(x) ≈ (f(x + h) − f(x − h)) / 2h (``h`` as in ``step``)."""
    h = step(x, h)
    return (f(x + h) - f(x - h)) / (2.0 * h)


def central_partials(f: Callable[[list[float]], float], xs: Sequence[float], h: float | None = None) -> list[float]:
    """∂f/∂x_k for each k by central differences, the other inputs held fixed."""
    out = []
    for k, x in enumerate(xs):
        def along(t: float, k: int = k) -> float:
            return f([*xs[:k], t, *xs[k + 1 :]])

        out.append(central_difference(along, x, h))
    return out


def sigmoid(x: float) -> float:
    """The textbook σ(x) = 1 / (1 + e⁻ˣ) (the engine may use the equal form eˣ / (1 + eˣ) for x < 0)."""
    return 1.0 / (1.0 + math.exp(-x))


def sign(x: float) -> float:
    """−1, 0 or 1."""
    return 1.0 if x > 0 else (-1.0 if x < 0 else 0.0)
