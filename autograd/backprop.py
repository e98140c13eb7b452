"""The backward pass: the chain rule applied over a graph in topological order, without recursion.

For every node v with parents p and upstream gradient ∂L/∂v (``v.grad``):

    ∂L/∂p += ∂L/∂v · ∂v/∂p        (∂v/∂p is the op's local derivative, see ``autograd.ops``)

A node may only pass its gradient on once every node that consumed it has passed theirs. We count,
for each interior node, how many edges lead into it from inside the graph (first walk), then
release nodes as their count reaches zero (second walk: Kahn's algorithm). Both walks use an
explicit stack, so depth is limited by memory, not by Python's recursion limit.

Speed: the derivatives of the four commonest ops (``+``, ``*``, ``relu`` and a neuron's ``linear``)
are applied inline on floats in ``_release`` instead of through ``op.deriv`` (the call is a third of
the loop's time). ``autograd/ops.py`` stays the one definition — the inline forms are the same
products, and ``tests/test_engine_fast_paths.py`` checks them against ``op.deriv`` bit for bit.

A ``linear`` node reached with ∂L/∂z = 0 and a finite z (most of a ReLU network's neurons: a unit
that is off, or a sample whose margin is met) only releases its parents: its products 0·x_i, 0·w_i
would be ±0, and adding ±0 changes no gradient. (A finite z means every input was finite — one
inf or NaN makes the sum non-finite — so no 0·inf = NaN is skipped; and a gradient that starts at
+0.0 and only has numbers added to it is never −0.0, the one value that adding +0.0 would change.)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from autograd.engine import CLOSURE, MANY, parents_of, walk
from autograd.function import Op
from autograd.ops import ADD, LINEAR, MUL, RELU

if TYPE_CHECKING:
    from autograd.engine import Value


class MissingDerivativeError(TypeError):
    """A node was made by ``Value(data, children, op)`` with no derivative rule attached."""


def _no_rule(node: Value) -> MissingDerivativeError:
    return MissingDerivativeError(
        f"backward: node {node!r} was made by op {str(node._op)!r} with parents but no derivative rule; "
        "define the operation with autograd.Op (or set node._backward as micrograd does)"
    )


def count_consumers(root: Value) -> None:
    """First walk: ``p._n`` = how many edges lead into each interior node p from inside the graph.

    Interior gradients are reset to 0.0 on the way (each ``backward()`` recomputes them); leaves
    keep theirs and accumulate. ``_n == 0`` means "not reached yet": every pass leaves it at 0.
    Both walks write the one- and two-parent cases out instead of looping over a tuple: they are
    most nodes, and on CPython 3.11 the loop costs a third of the walk (see benchmarks/bench_engine.py).
    Keep this if/else shape: an early ``continue`` per case measured 2× slower on bench_engine's graph.
    """
    stack = [root]
    pop, push = stack.pop, stack.append
    while stack:
        v = pop()
        a, b = v._a, v._b
        if b is MANY or b is CLOSURE:
            ps: Any = a
        else:  # one or two parents, written out
            if a._a is not None:
                n = a._n
                if n:
                    a._n = n + 1
                else:
                    a._n = 1
                    a.grad = 0.0
                    push(a)
            if b is not None and b._a is not None:
                n = b._n
                if n:
                    b._n = n + 1
                else:
                    b._n = 1
                    b.grad = 0.0
                    push(b)
            continue
        for p in ps:
            if p._a is not None:
                n = p._n
                if n:
                    p._n = n + 1
                else:
                    p._n = 1
                    p.grad = 0.0
                    push(p)


def _release(root: Value) -> None:
    """Second walk (Kahn's order): a node passes ∂L/∂v on once all its consumers have."""
    ready = [root]
    pop, push = ready.pop, ready.append
    while ready:
        v = pop()
        g = v.grad
        op: Any = v._op
        a, b = v._a, v._b
        if b is None:  # one parent: ∂L/∂a += ∂L/∂v · f′(a)
            if op is RELU:  # ops.RELU.deriv inlined: 1 for a > 0, else 0
                a.grad += g * (1.0 if a.data > 0.0 else 0.0)
            else:
                a.grad += g * op.deriv(a.data, v.data, v._ctx)
            if a._a is not None:
                n = a._n - 1
                a._n = n
                if not n:
                    push(a)
            continue
        if b is MANY:
            if op is LINEAR and len(a) & 1:  # a neuron's z = Σ w_i x_i + b: ∂z/∂w_i = x_i, ∂z/∂x_i = w_i, ∂z/∂b = 1
                k = len(a) >> 1  # the same products as ops._d_linear, without building its lists
                if g or v.data - v.data != 0.0:  # skipped only for g = 0 with z finite (see the module doc)
                    for w, x in zip(a[:k], a[k:-1]):  # noqa: B905  (equal slices; a keyword makes zip slower)
                        w.grad += g * x.data
                        x.grad += g * w.data
                        if w._a is not None:
                            n = w._n - 1
                            w._n = n
                            if not n:
                                push(w)
                    a[-1].grad += g
                    a = a[k:]  # the weights are released above, the inputs and the bias below (same order as before)
            else:
                for p, d in zip(a, op.deriv([p.data for p in a], v.data, v._ctx), strict=True):
                    p.grad += g * d
        elif b is CLOSURE:  # micrograd style: the closure adds into its parents itself
            v._ctx()
        else:  # two parents: ∂L/∂a += ∂L/∂v · ∂v/∂a, ∂L/∂b += ∂L/∂v · ∂v/∂b
            if op is ADD:  # ops.ADD.deriv inlined (the call is a third of this loop's time): 1, 1
                a.grad += g
                b.grad += g
            elif op is MUL:  # ops.MUL.deriv inlined: b, a
                a.grad += g * b.data
                b.grad += g * a.data
            else:
                da, db = op.deriv(a.data, b.data, v.data, v._ctx)
                a.grad += g * da
                b.grad += g * db
            if a._a is not None:
                n = a._n - 1
                a._n = n
                if not n:
                    push(a)
            if b._a is not None:
                n = b._n - 1
                b._n = n
                if not n:
                    push(b)
            continue
        for p in a:
            if p._a is not None:
                n = p._n - 1
                p._n = n
                if not n:
                    push(p)


def run_backward(root: Value, seed: float) -> None:
    """``root.backward(seed)``: ∂root/∂v for every node v, into ``v.grad``."""
    if root._a is None:  # a leaf: its gradient with respect to itself is the seed
        root.grad += seed
        return
    try:
        count_consumers(root)
        root.grad = seed
        _release(root)
    except BaseException as e:
        for v in walk(root):  # leave no half-counted node behind for the next pass
            v._n = 0
        if isinstance(e, AttributeError) and any(
            v._a is not None and not hasattr(v._op, "deriv") for v in walk(root)
        ):
            bad = next(v for v in walk(root) if v._a is not None and not hasattr(v._op, "deriv"))
            raise _no_rule(bad) from None
        raise


# ---------------------------------------------------------------------------------------------
# Orders for other walks (checking, drawing, higher-order gradients). They keep their counts in a
# dict and never touch ``_n``, which belongs to ``backward()``.


def pending_counts(root: Value) -> dict[Value, int]:
    """How many edges lead into each interior node of ``root``'s graph from inside the graph."""
    pending: dict[Value, int] = {}
    get = pending.get
    todo = [root] if root._a is not None else []
    while todo:
        for p in parents_of(todo.pop()):
            if p._a is not None:
                seen = get(p, 0)
                pending[p] = seen + 1
                if not seen:
                    todo.append(p)
    return pending


def backward_order(root: Value) -> list[Value]:
    """The interior nodes in the order ``root.backward()`` processes them (Kahn's order from the root).

    Node k of this list is the k-th to pass its gradient on (∂L/∂p += ∂L/∂v · ∂v/∂p): every node
    comes after all the nodes that consume it. Leaves only receive gradient and are not listed.
    """
    if root._a is None:
        return []
    pending = pending_counts(root)
    order: list[Value] = []
    ready = [root]
    while ready:
        v = ready.pop()
        order.append(v)
        for p in parents_of(v):
            if p._a is not None:
                n = pending[p] - 1
                pending[p] = n
                if not n:
                    ready.append(p)
    return order


def topological_order(root: Value) -> list[Value]:
    """Every node of ``root``'s graph once, parents before children, ``root`` last.

    A depth-first walk (no recursion) that visits parents in argument order: the order depends
    only on the graph's structure, so it is the same in every process and for a rebuilt graph.
    """
    order: list[Value] = []
    seen = {root}
    stack = [(root, iter(parents_of(root)))]
    while stack:
        node, parents = stack[-1]
        for p in parents:
            if p not in seen:
                seen.add(p)
                stack.append((p, iter(parents_of(p))))
                break
        else:
            stack.pop()
            order.append(node)
    return order


def call_deriv(op: Op, xs: Sequence[Any], y: Any, c: Any) -> list[Any]:
    """``op.deriv`` at inputs ``xs`` and output ``y``, one ∂y/∂x_i per input, whatever the op's arity.

    Floats give floats (a node's local derivatives); nodes give nodes (a differentiable gradient).
    """
    if op.arity == 1:
        return [op.deriv(xs[0], y, c)]
    if op.arity == 2:
        return list(op.deriv(xs[0], xs[1], y, c))
    return list(op.deriv(list(xs), y, c))


def local_grads(node: Value) -> list[Any]:
    """The local derivatives ∂node/∂parent_i on the values the node saw, one per parent (floats)."""
    op = node._op
    prev = node._prev
    if not prev or node._b is CLOSURE:
        return []
    if not isinstance(op, Op):
        raise _no_rule(node)
    return call_deriv(op, [p.data for p in prev], node.data, node._ctx)


def local_step(node: Value) -> None:
    """One node's chain-rule step (micrograd's ``node._backward()``): parents' grad += grad · local."""
    if node._b is CLOSURE:
        node._ctx()
        return
    for p, d in zip(node._prev, local_grads(node), strict=True):
        p.grad += node.grad * d


def _closure_forward(*xs: float) -> float:
    raise TypeError("a node defined by a micrograd-style _backward closure has no forward function")


def _closure_deriv(*args: Any) -> Any:
    raise TypeError(
        "a node defined by a micrograd-style _backward closure has no local derivative formula; "
        "define the operation with autograd.Op to check it or differentiate it twice"
    )


_CLOSURE_OPS: dict[str, Op] = {}


def attach_closure(node: Value, fn: Callable[[], None]) -> None:
    """``node._backward = fn``: the node's gradient now flows through the user's closure.

    A leaf stays a leaf (micrograd gives every node a ``_backward``; a leaf's does nothing).
    """
    if not callable(fn):
        raise TypeError(f"_backward must be a function of no arguments, got {fn!r:.60}")
    if node._a is None:
        return
    node._a, node._b = node._prev, CLOSURE
    node._op, node._ctx = closure_op(str(node._op)), fn


def closure_op(name: str) -> Op:
    """The op recorded for a node whose backward is a user closure (micrograd's custom-op style)."""
    op = _CLOSURE_OPS.get(name)
    if op is None:
        op = Op(name or "closure", _closure_forward, _closure_deriv)
        op.arity = -1
        _CLOSURE_OPS[name] = op
    return op
