"""Re-running f near the point: the same graph, node for node, at x ∓ h along one input.

A graph is matched with another by shape (each node's op and the positions of its parents in
topological order). Two uses: a micrograd-style closure node has no forward to differentiate, but
how its value moves with its parents' values across the nudged graphs gives its local derivative
(least squares over the inputs); and a kink op whose local derivative differs between x − h and
x + h shows that the numerical step crossed its kink.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from autograd.checking.numerical import step_size
from autograd.engine import Value
from autograd.graph import topological_order


def _shape(order: Sequence[Value]) -> list[tuple[str, tuple[int, ...]]]:
    index = {v: j for j, v in enumerate(order)}
    return [(v._op, tuple(index[p] for p in v._prev)) for v in order]


class Replay:
    """Graphs of ``f`` at x ∓ h·e_k, matched node for node with the graph at x (same shape); for f
    returning a list, the graph of its ``output``-th entry."""

    def __init__(self, f: Callable[..., Any], xs: Sequence[float], order: Sequence[Value], eps: float,
                 output: int | None = None) -> None:
        self.f, self.xs, self.eps, self.output = f, list(xs), eps, output
        self.index = {v: j for j, v in enumerate(order)}
        self.shape = _shape(order)
        self._pairs: dict[int, tuple[list[Value], list[Value]] | None] = {}

    def step(self, k: int) -> float:
        return step_size(self.xs[k], self.eps)

    def pair(self, k: int) -> tuple[list[Value], list[Value]] | None:
        """(graph at x − h·e_k, graph at x + h·e_k) in topological order, or None if f's graph changes shape."""
        if k not in self._pairs:
            self._pairs[k] = self._build(k)
        return self._pairs[k]

    def _build(self, k: int) -> tuple[list[Value], list[Value]] | None:
        orders = []
        for t in (self.xs[k] - self.step(k), self.xs[k] + self.step(k)):
            try:
                y = self.f(*[Value(x) for x in [*self.xs[:k], t, *self.xs[k + 1:]]])
            except (ValueError, ArithmeticError):
                return None
            if self.output is not None and isinstance(y, (list, tuple)) and len(y) > self.output:
                y = y[self.output]  # f returns several outputs: the graph of the one being checked
            order = topological_order(y) if isinstance(y, Value) else []
            if _shape(order) != self.shape:
                return None
            orders.append(order)
        return orders[0], orders[1]

    def local(self, j: int, parents: Sequence[Value]) -> list[float | None]:
        """∂v/∂p for node j from Δv = Σ_p ∂v/∂p · Δp over every nudged input (least squares)."""
        cols = [self.index[p] for p in parents]
        eqs = []
        for k in range(len(self.xs)):
            pair = self.pair(k)
            if pair is not None:
                lo, hi = pair
                eqs.append(([hi[c].data - lo[c].data for c in cols], hi[j].data - lo[j].data))
        return least_squares(eqs, len(cols))


def least_squares(eqs: Sequence[tuple[Sequence[float], float]], m: int) -> list[float | None]:
    """Solve Σ_i a_ki d_i ≈ b_k for d (normal equations, scaled, partial pivoting).

    Unknowns whose column is all zero (a parent that no input moves) are None; all are None if
    the rest is singular.
    """
    active = [i for i in range(m) if any(a[i] != 0.0 for a, _ in eqs)]
    result: list[float | None] = [None] * m
    if not active:
        return result
    scale = [math.sqrt(sum(a[i] * a[i] for a, _ in eqs)) for i in active]
    n = len(active)
    mat = [[sum(a[p] * a[q] for a, _ in eqs) / (scale[r] * scale[s]) for s, q in enumerate(active)]
           + [sum(a[p] * b for a, b in eqs) / scale[r]] for r, p in enumerate(active)]
    for col in range(n):
        piv = max(range(col, n), key=lambda r: abs(mat[r][col]))
        if abs(mat[piv][col]) < 1e-8:
            return result
        mat[col], mat[piv] = mat[piv], mat[col]
        for r in range(n):
            if r != col:
                factor = mat[r][col] / mat[col][col]
                mat[r] = [x - factor * y for x, y in zip(mat[r], mat[col], strict=True)]
    for r, i in enumerate(active):
        result[i] = mat[r][n] / mat[r][r] / scale[r]
    return result
