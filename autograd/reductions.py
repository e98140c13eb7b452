"""Operations over many nodes at once, each recorded as **one** node: ``sum`` and ``dot``.

A chain of n ``+`` nodes costs n nodes to build and to walk back; one n-ary node costs one.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from autograd import ops
from autograd.engine import MANY, Operand, Value, _make, _number


def _nodes(values: Iterable[Any], where: str) -> tuple[Value, ...]:
    xs = values if type(values) is tuple else tuple(values)
    for v in xs:  # fast path: already all nodes (a neuron's weights, a layer's inputs)
        if type(v) is not Value:
            return tuple(v if isinstance(v, Value) else Value(_number(v, where)) for v in xs)
    return xs


def sum(values: Iterable[Operand]) -> Value:
    """y = Σ x_i as **one** node;  ∂y/∂x_i = 1.

    Same value as a chain of ``+`` (summed left to right from 0.0), with one node instead of n.
    Numbers among ``values`` become constant leaves.
    """
    xs = _nodes(values, "sum")
    if not xs:
        return Value(0.0)
    return _make(ops.SUM.forward(*[x.data for x in xs]), xs, MANY, ops.SUM, None)


def dot(ws: Iterable[Operand], xs: Iterable[Operand], bias: Operand = 0.0) -> Value:
    """y = Σ w_i x_i + b as **one** node (a neuron's z_j);  ∂y/∂w_i = x_i, ∂y/∂x_i = w_i, ∂y/∂b = 1.

    Summed from b in input order, the order micrograd's ``Neuron`` uses, so the result is the
    same float. Numbers among the inputs become constant leaves.
    """
    w, x = _nodes(ws, "dot(ws)"), _nodes(xs, "dot(xs)")
    if len(w) != len(x):
        raise ValueError(f"dot: ws and xs must have the same length, got {len(w)} and {len(x)}")
    b = bias if type(bias) is Value else _nodes([bias], "dot(bias)")[0]
    total = b.data  # ops.LINEAR's forward, inlined: from b, in input order
    for wi, xi in zip(w, x, strict=False):  # lengths checked above; strict costs a fifth of the loop
        total += wi.data * xi.data
    return _make(total, (*w, *x, b), MANY, ops.LINEAR, None)
