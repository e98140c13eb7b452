"""Kinks: which inputs feed an op sitting at its kink, and whether a numerical step crosses one.

An op is not differentiable at its kink (relu, abs, leaky_relu at 0; a user op's ``kink``
predicate): there the one-sided derivatives differ and the engine's value is a convention
(relu′(0) = 0, as PyTorch). The checks report such rows as ``kink`` instead of a failure.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from autograd.checking.nodes import NodeCheck, describe_node, same
from autograd.checking.numerical import Difference
from autograd.checking.replay import Replay
from autograd.engine import Value
from autograd.graph import constant_of, local_grads, topological_order, topological_order_of, walk


def _at_kink(v: Value) -> bool:
    op: Any = v.operation
    return bool(op.kink(*[p.data for p in v._prev], constant_of(v)))


def kink_note(f: Callable[..., Any], root: Value, leaves: Sequence[Value], k: int,
              eps: float, atol: float, rtol: float, output: int | None = None, jump: bool = True) -> str:
    """Why input k's row may fail at a kink: an op with a ``kink`` predicate that depends on input k
    sits at its kink and ``jump`` (the one-sided differences disagree: a predicate that claims a kink
    where f is smooth excuses nothing), or the numerical step ±h crosses it (its local derivative
    jumps). "" if none."""
    order = topological_order(root)
    depends: dict[Value, bool] = {}
    for v in order:
        depends[v] = v is leaves[k] or any(depends[p] for p in v._prev)
    kinky = [j for j, v in enumerate(order) if not v.is_leaf and depends[v]
             and getattr(v.operation, "kink", None) is not None]
    at = [describe_node(order[j]) for j in kinky if _at_kink(order[j])]
    if at and jump:
        return f"at the kink{'s' if len(at) > 1 else ''} of {', '.join(at[:3])}{', …' if len(at) > 3 else ''}"
    replay = Replay(f, [u.data for u in leaves], order, eps, output) if kinky else None
    pair = replay.pair(k) if replay is not None else None
    if replay is None or pair is None:
        return ""
    lo, hi = pair
    for j in kinky:
        if not all(same(a, b, atol, rtol) for a, b in zip(local_grads(lo[j]), local_grads(hi[j]), strict=True)):
            return f"the step ±{replay.step(k):.2g} crosses the kink of {describe_node(order[j])}"
    return ""


def kinks_by_input(roots: Sequence[Value], leaves: Sequence[Value]) -> dict[int, list[str]]:
    """For each input (position in ``leaves``), the ops sitting exactly at their kink that depend on it."""
    index = {v: i for i, v in enumerate(leaves)}
    found: dict[int, list[str]] = {}
    for v in topological_order_of(roots):
        if v.is_leaf or getattr(v.operation, "kink", None) is None or not _at_kink(v):
            continue
        for u in walk(v):
            if u in index:
                found.setdefault(index[u], []).append(describe_node(v))
    return found


def kink_excuses(a: float, d: Difference | None, close: Callable[[float, float], bool], leaf: Value,
                 bad_node: Callable[[], NodeCheck | None]) -> bool:
    """Whether a kink may explain backward()'s ``a`` disagreeing with a difference ``d``: only when
    ``a`` lies between d's one-sided differences (a convention, or the slope on its own side of the
    kink; ``d`` None skips this) and no node that depends on ``leaf`` is wrong elsewhere in the graph."""
    if d is not None:
        lo, hi = sorted((d.forward, d.backward))
        if not (lo <= a <= hi or close(a, lo) or close(a, hi)):
            return False
    node = bad_node()
    return node is None or not any(u is leaf for u in walk(node.node))
