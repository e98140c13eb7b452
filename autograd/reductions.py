"""Operations over many nodes at once, each recorded as **one** node: ``sum``, ``dot``, ``dot_const``;
and the NaN-honest ``maximum`` / ``index_of_max`` on floats that nn's max pooling and argmax use.

A chain of n ``+`` nodes costs n nodes to build and to walk back; one n-ary node costs one. When a
neuron's inputs are data (plain numbers, such as an image's pixels) rather than nodes,
``dot_const`` and ``dense_const`` keep them as the node's constant: no leaf per input, and no
input gradient to compute (``ops.LINEAR_C``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from autograd import ops
from autograd.engine import Operand, Value, as_number, make_node


def maximum(*xs: float) -> float:
    """y = max_i x_i, NaN if any x_i is NaN wherever it sits (Python's ``max`` keeps a NaN only when it
    comes first: ``max(1.0, nan)`` is 1.0), as PyTorch's max and max pooling."""
    return xs[index_of_max(xs)]


def index_of_max(xs: Sequence[float]) -> int:
    """The position of the largest x_i, the first one on ties; the first NaN if there is one (as
    ``torch.argmax``): the input that max passes on, and the predicted class of a row of scores."""
    best = 0
    for i, x in enumerate(xs):
        if x != x:
            return i
        if x > xs[best]:
            best = i
    return best


def _nodes(values: Iterable[Any], where: str) -> tuple[Value, ...]:
    xs = values if type(values) is tuple else tuple(values)
    for v in xs:  # fast path: already all nodes (a neuron's weights, a layer's inputs)
        if type(v) is not Value:
            return tuple(v if isinstance(v, Value) else Value(as_number(v, where)) for v in xs)
    return xs


def sum(values: Iterable[Operand]) -> Value:
    """y = Σ x_i as **one** node;  ∂y/∂x_i = 1.

    Same value as a chain of ``+`` (summed left to right from 0.0), with one node instead of n.
    Numbers among ``values`` become constant leaves.
    """
    xs = _nodes(values, "sum")
    if not xs:
        return Value(0.0)
    return make_node(ops.SUM.forward(*[x.data for x in xs]), ops.SUM, xs)


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
    for wi, xi in zip(w, x):  # noqa: B905  (lengths checked above; a keyword makes zip slower)
        total += wi.data * xi.data
    return make_node(total, ops.LINEAR, (*w, *x, b))


def dot_const(ws: Iterable[Value], xs: Iterable[Any], bias: Value) -> Value:
    """y = Σ w_i x_i + b as **one** node over numbers x_i (data, not nodes);  ∂y/∂w_i = x_i, ∂y/∂b = 1.

    The parents are only the weights and the bias (``ops.LINEAR_C``); the inputs are kept as the
    node's constant, so backward computes no ∂y/∂x_i. Summed from b in input order, the same float
    as ``dot``.
    """
    w = _nodes(ws, "dot_const(ws)")
    x = tuple(as_number(v, "dot_const(xs)") for v in xs)
    if len(w) != len(x):
        raise ValueError(f"dot_const: ws and xs must have the same length, got {len(w)} and {len(x)}")
    b = bias if type(bias) is Value else _nodes([bias], "dot_const(bias)")[0]
    total = b.data
    for wi, xi in zip(w, x):  # noqa: B905  (lengths checked above)
        total += wi.data * xi
    return make_node(total, ops.LINEAR_C, (*w, b), None, x)


Row = tuple[tuple[Value, ...], Value]
"""One neuron's parameters for ``dense``: its weights (w_1j … w_nj) and its bias b_j."""


def dense_rows(weights: Iterable[Iterable[Value]], biases: Iterable[Value]) -> tuple[Row, ...]:
    """Check a layer's parameters once for ``dense``: every weight and bias must be a ``Value``."""
    rows = tuple(zip((tuple(w) for w in weights), biases, strict=True))
    only = {Value}
    for ws, b in rows:
        if type(b) is not Value or set(map(type, ws)) != only:  # the types gathered in C: 5× faster than a loop
            p = next(p for p in (*ws, b) if type(p) is not Value) if ws else b
            raise TypeError(f"dense: weights and biases must be Value nodes, got {p!r}; wrap numbers in Value(...)")
    return rows


def dense(rows: tuple[Row, ...], xs: tuple[Value, ...], f: Any = None) -> list[Value]:
    """A layer: y_j = f(z_j), z_j = Σ_i w_ij x_i + b_j for each row (w_j, b_j) — one ``linear`` node
    per neuron (as ``dot``) and one node per activation (``f`` a one-input ``Op`` such as
    ``ops.RELU``, or None for y_j = z_j).

    The layer's inner loop, so nothing is checked here: ``rows`` come from ``dense_rows`` and
    ``xs`` must be a tuple of nodes of each row's length (``nn.Layer`` ensures both).
    """
    xd = [x.data for x in xs]  # each input's float, read once for all neurons
    out: list[Value] = []
    push = out.append
    linear = ops.LINEAR
    fwd = f.forward if f is not None else None
    for ws, b in rows:
        total = b.data  # ops.LINEAR's forward, inlined as in dot: from b, in input order
        for w, x in zip(ws, xd):  # noqa: B905  (lengths are the caller's contract; a keyword makes zip slower)
            total += w.data * x
        z = make_node(total, linear, (*ws, *xs, b))
        push(z if fwd is None else make_node(fwd(total), f, z))
    return out


def dense_const(rows: tuple[tuple[Value, ...], ...], xd: tuple[float, ...], f: Any = None) -> list[Value]:
    """``dense`` over inputs that are numbers (``xd``, a tuple of floats): one ``linear_c`` node per
    neuron, z_j = Σ_i w_ij x_i + b_j with parents (w_1j … w_nj, b_j) and ``xd`` as its constant, then
    y_j = f(z_j);  ∂z_j/∂w_ij = x_i, ∂z_j/∂b_j = 1 (no node per input, no input gradient).

    Each row is a neuron's parents as one tuple ``(w_1j, …, w_nj, b_j)`` (``parent_rows``), used as
    it is by the node: a layer that passes the same tuples for every sample of a batch lets
    ``backward()`` recognise the leaves of a row once per pass instead of once per node. Unchecked,
    as ``dense``: ``xd`` must hold floats, one per weight of each row.
    """
    out: list[Value] = []
    push = out.append
    linear_c = ops.LINEAR_C
    fwd = f.forward if f is not None else None
    for p in rows:
        total = p[-1].data  # ops.LINEAR_C's forward, inlined: from b, in input order
        for w, x in zip(p, xd):  # noqa: B905  (xd is one shorter: the bias, last, is left out)
            total += w.data * x
        z = make_node(total, linear_c, p, None, xd)
        push(z if fwd is None else make_node(fwd(total), f, z))
    return out


def parent_rows(rows: tuple[Row, ...]) -> tuple[tuple[Value, ...], ...]:
    """Each checked row (w_j, b_j) of ``dense_rows`` as one tuple (w_1j, …, w_nj, b_j) for ``dense_const``."""
    return tuple((*ws, b) for ws, b in rows)
