"""The graph: what a node's slots mean (read by everyone but the engine through these helpers),
micrograd-style nodes, and the orders for the walks other than ``backward()``.

``autograd.engine`` makes nodes; this module reads them through the small protocol of
``autograd.backprop.Node`` (it never imports the engine):

* ``_operation``: the ``Op`` that made the node; ``None`` for a leaf.
* ``_in``: the parent of a one-input op, the first parent of a two-input op, or the tuple of all
  parents (ops of any arity, and micrograd-style closures); ``None`` for a leaf.
* ``_in2``: the second parent of a two-input op; ``None`` otherwise.
* ``_const``: the op's constant operand, or a micrograd-style ``_backward`` closure; else ``None``.
* ``_pending``: ``backward()``'s count of consumers not yet done: 0 outside a backward pass.

The orders keep their counts in a dict and never touch the nodes (``_pending`` belongs to
``backward()``), so they are safe to run at any time, also from several threads.
"""

from __future__ import annotations

import functools
import numbers
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from autograd.backprop import Node, RulelessError
from autograd.operators import describe
from autograd.ops import Op

N = TypeVar("N", bound=Node)


def parents_of(v: N) -> tuple[N, ...]:
    """``v``'s parents (``v._prev``): a tuple in argument order, duplicates kept; ``()`` for a leaf."""
    a = v._in
    if v._in2 is not None:
        return (a, v._in2)
    return () if a is None else (a if type(a) is tuple else (a,))


def operation_of(v: N) -> Op | None:
    """The ``Op`` that made ``v`` (None for a leaf): compare it by identity, ``operation_of(y) is ops.TANH``."""
    return v._operation


def constant_of(v: N) -> Any:
    """The op's constant operand (2.0 for ``x * 2``), or None (also for a micrograd-style closure)."""
    return None if is_closure(v) else v._const


def is_closure(v: N) -> bool:
    """Whether ``v``'s gradient flows through a micrograd-style ``_backward`` closure the user set."""
    return v._operation is not None and v._operation.arity == -1


def closure_of(v: N) -> Callable[[], None]:
    """The user's ``_backward`` closure of a node for which ``is_closure(v)``."""
    fn: Callable[[], None] = v._const
    return fn


class TagOnly(Op):
    """The op of a node made micrograd's way, ``Value(data, children, 'tag')``: a tag, no rule.

    Its gradient can only flow through a ``_backward`` closure the user sets (then arity is −1).
    """

    __slots__ = ()
    checks_derivative = False  # its derivative only raises


def with_parents(v: N, parents: tuple[N, ...]) -> N:
    """A node made by ``v``'s op and constant on other parents, with ``v``'s data (for checks that
    rerun one node's backward step); recorded even inside ``no_grad``."""
    c = object.__new__(type(v))
    c.data, c.grad, c.label, c._pending = v.data, 0.0, "", 0
    c._operation, c._const, c._in2 = v._operation, v._const, None
    if type(v._in) is tuple:
        c._in = parents
    else:
        c._in, c._in2 = parents[0], (parents[1] if len(parents) > 1 else None)
    return c


def copy_node(v: N) -> N:
    """``copy.copy(v)``: a new node with v's data, grad, label, op, constant and parents."""
    c = object.__new__(type(v))
    c.data, c.grad, c.label, c._pending = v.data, v.grad, v.label, 0
    c._operation, c._in, c._in2, c._const = v._operation, v._in, v._in2, v._const
    return c


def copy_graph(root: N, memo: dict[int, Any]) -> N:
    """``copy.deepcopy(root)``: every node of its graph copied, parents first, without recursion; the
    ops (module-level singletons) are shared. A node made by a micrograd-style ``_backward`` closure
    is refused (the closure would still update the original nodes): copy.copy it or rebuild it."""
    stack = [root]
    while stack:
        v = stack[-1]
        if id(v) in memo:
            stack.pop()
            continue
        todo = [p for p in parents_of(v) if id(p) not in memo]
        if todo:
            stack.extend(todo)
            continue
        if is_closure(v):
            raise TypeError(f"copy.deepcopy: node {v!r} was made with a micrograd-style _backward closure, "
                            "which would still update the original nodes; use copy.copy or rebuild the graph")
        c = copy_node(v)
        a = v._in
        c._in = tuple(memo[id(p)] for p in a) if type(a) is tuple else (None if a is None else memo[id(a)])
        c._in2 = None if v._in2 is None else memo[id(v._in2)]
        memo[id(v)] = c
        stack.pop()
    result: N = memo[id(root)]
    return result


def init_node(node: Node, data: Any, _children: Any, _op: Any, label: Any) -> None:
    """``Value(data, children, op, label)`` the micrograd way: every argument checked, the slots laid
    out as above (``op``: micrograd's tag, which gets a rule-less op, or an ``autograd.Op``)."""
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
    if not isinstance(_op, (str, Op)):
        raise TypeError(f"Value: _op must be a str or an autograd.Op, got {describe(_op)}")
    try:
        node.data = float(data)
    except OverflowError:
        raise OverflowError(f"Value: {describe(data)} does not fit in a float (|x| < 1.8e308)") from None
    node.grad = 0.0
    node.label = label
    node._pending = 0
    node._const = node._in = node._in2 = node._operation = None
    if children:
        arity = len(children) if len(children) <= 2 else 0
        op = _op if isinstance(_op, Op) else ruleless_op(_op, arity)
        if op.arity != arity:
            raise TypeError(f"{op.name}: takes {op.arity or 'any number of'} input(s), got {len(children)}")
        node._operation = op
        if len(children) == 2:
            node._in, node._in2 = children
        else:
            node._in = children[0] if len(children) == 1 else children


def ruleless_op(tag: str, arity: int) -> Op:
    """The op of ``Value(data, children, 'tag')`` before any ``_backward`` is set: no derivative."""
    def deriv(*args: Any) -> Any:
        raise RulelessError(f"op {tag!r} has parents but no derivative rule")

    def forward(*xs: float) -> float:
        raise TypeError(f"op {tag!r} was made by Value(data, children, op) and has no forward function")

    return TagOnly(tag or "?", forward, deriv, arity=arity)


def has_rule(v: N) -> bool:
    """Whether ``v`` is interior and its op has a derivative rule (not micrograd's tag alone, nor a closure)."""
    return v._operation is not None and not isinstance(v._operation, TagOnly)


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
    tag, parents = node._operation.tag_of(node._const), parents_of(node)
    node._operation, node._in, node._in2, node._const = closure_op(tag), parents, None, fn


def walk(root: N) -> Iterator[N]:
    """Every node of ``root``'s graph once (root first), without recursion."""
    seen = {root}
    stack = [root]
    while stack:
        v = stack.pop()
        yield v
        for p in parents_of(v):
            if p not in seen:
                seen.add(p)
                stack.append(p)


def pending_counts(root: N) -> dict[N, int]:
    """How many edges lead into each interior node of ``root``'s graph from inside the graph."""
    pending: dict[N, int] = {}
    get = pending.get
    todo = [root] if root._operation is not None else []
    while todo:
        for p in parents_of(todo.pop()):
            if p._operation is not None:
                seen = get(p, 0)
                pending[p] = seen + 1
                if not seen:
                    todo.append(p)
    return pending


def backward_order(root: N) -> list[N]:
    """The interior nodes in the order ``root.backward()`` processes them (Kahn's order from the root).

    Node k of this list is the k-th to pass its gradient on (∂L/∂p += ∂L/∂v · ∂v/∂p): every node
    comes after all the nodes that consume it. Leaves only receive gradient and are not listed.
    """
    if root._operation is None:
        return []
    pending = pending_counts(root)
    order: list[N] = []
    ready = [root]
    while ready:
        v = ready.pop()
        order.append(v)
        for p in parents_of(v):
            if p._operation is not None:
                n = pending[p] - 1
                pending[p] = n
                if not n:
                    ready.append(p)
    return order


def topological_order(root: N) -> list[N]:
    """Every node of ``root``'s graph once, parents before children, ``root`` last.

    A depth-first walk (no recursion) that visits parents in argument order: the order depends
    only on the graph's structure, so it is the same in every process and for a rebuilt graph.
    """
    return topological_order_of([root])


def topological_order_of(roots: Iterable[N]) -> list[N]:
    """``topological_order`` over several roots at once: each node once, parents before children."""
    order: list[N] = []
    seen: set[N] = set()
    see, put = seen.add, order.append
    for root in roots:
        if root in seen:
            continue
        see(root)
        stack = [(root, iter(parents_of(root)))]
        while stack:
            node, parents = stack[-1]
            for p in parents:
                if p not in seen:
                    see(p)
                    if p._in is None and p._in2 is None:  # a leaf: nothing to visit first, placed at once
                        put(p)
                        continue
                    stack.append((p, iter(parents_of(p))))
                    break
            else:
                stack.pop()
                put(node)
    return order
