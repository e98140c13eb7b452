"""micrograd's ways of making a node: ``Value(data, children, 'tag')`` and ``out._backward = closure``.

Code written for micrograd's ``Value`` runs unchanged. A node made with a tag alone gets a rule-less op (``TagOnly``):
it draws and prints like micrograd's, and ``backward()`` through it raises ``MissingDerivativeError`` naming it, unless
the user sets a ``_backward`` closure. A node with a closure gets an op of arity −1: ``backward()`` calls the closure,
which adds ``out.grad × ∂out/∂parent`` into each parent's ``grad`` itself (first-order gradients only). microgpt's
``Value(data, children, local_grads)`` gets ``LOCAL_GRADS``, whose derivative is those numbers (checked as any op's).
"""

from __future__ import annotations

import functools
import numbers
from collections.abc import Callable
from typing import Any

from autograd.errors import describe
from autograd.graph import Node, RulelessError, parents_of
from autograd.ops import Op

__all__ = ["LOCAL_GRADS", "TagOnly", "closure_op", "init_node", "ruleless_op", "set_closure"]


class TagOnly(Op):
    """The op of a node made micrograd's way, ``Value(data, children, 'tag')``: a tag, no rule.

    Its gradient can only flow through a ``_backward`` closure the user sets (then arity is −1).
    """

    __slots__ = ()
    rule = False  # its derivative only raises


def init_node(node: Node, data: Any, _children: Any, _op: Any, label: Any) -> None:
    """``Value(data, children, op, label)`` the micrograd way: every argument checked, the slots laid
    out as ``autograd.graph`` documents (``op``: micrograd's tag, which gets a rule-less op, or an ``autograd.Op``)."""
    if isinstance(data, type(node)) or isinstance(data, bool) or not isinstance(data, numbers.Real):
        raise TypeError(
            f"Value: data must be a real number (int, float or numpy scalar), got {describe(data)} "
            f"of type {type(data).__name__}" + ("; use v.data or v.detach()" if isinstance(data, type(node)) else ""))
    if isinstance(_children, str):  # Value(2.0, 'a'): the second argument is a label
        _children, label = (), _children
    children = tuple(_children)
    for ch in children:
        if not isinstance(ch, type(node)):
            raise TypeError(f"Value: children must be Value nodes, got {describe(ch)}")
    if not isinstance(label, str):
        raise TypeError(f"Value: label must be a str, got {describe(label)}")
    if not isinstance(_op, (str, Op, tuple, list)):
        raise TypeError(f"Value: _op must be a str or an autograd.Op, got {describe(_op)} (or microgpt's local_grads)")
    grads = tuple(LOCAL_GRADS.deriv([c.data for c in children], 0.0, _op)) if isinstance(_op, (tuple, list)) else None
    try:
        node.data = float(data)
    except OverflowError:
        raise OverflowError(f"Value: {describe(data)} does not fit in a float (|x| < 1.8e308)") from None
    node.grad = 0.0
    node.label = label
    node._pending = 0
    node._const = node._in = node._in2 = node._operation = None
    if children:
        arity = len(children) if len(children) <= 2 and grads is None else 0
        op = LOCAL_GRADS if grads is not None else _op if isinstance(_op, Op) else ruleless_op(str(_op), arity)
        if op.arity != arity:
            raise TypeError(f"{op.name}: takes {op.arity or 'any number of'} input(s), got {len(children)}")
        node._operation, node._const = op, grads
        if arity == 2:
            node._in, node._in2 = children
        else:
            node._in = children[0] if arity == 1 else children


def ruleless_op(tag: str, arity: int) -> Op:
    """The op of ``Value(data, children, 'tag')`` before any ``_backward`` is set: no derivative."""
    def deriv(*args: Any) -> Any:
        raise RulelessError(f"op {tag!r} has parents but no derivative rule")

    def forward(*xs: float) -> float:
        raise TypeError(f"op {tag!r} was made by Value(data, children, op) and has no forward function")

    return TagOnly(tag or "?", forward, deriv, arity=arity)


@functools.lru_cache(maxsize=256)
def closure_op(tag: str) -> Op:
    """The op of a node whose backward is a user's micrograd-style closure (arity −1)."""
    op = ruleless_op(tag or "closure", 1)
    op.arity = -1
    return op


def set_closure(node: Node, fn: Callable[[], None]) -> None:
    """``node._backward = fn``: the node's gradient now flows through the user's closure (first-order only).

    A leaf stays a leaf (micrograd gives every node a ``_backward``; a leaf's does nothing).
    """
    if not callable(fn):
        raise TypeError(f"_backward must be a function of no arguments, got {fn!r:.60}")
    if node._operation is None:
        return
    tag, parents = node._operation.tag_of(getattr(node, "_const", None)), parents_of(node)
    node._operation, node._in, node._in2, node._const = closure_op(tag), parents, None, fn


LOCAL_GRADS = Op("local_grads", ruleless_op("local_grads", 0).forward, lambda xs, y, c: c, arity=0)  # microgpt's nodes
