"""The backward pass: the chain rule applied over a graph in topological order, without recursion.

For every node v with parents p and upstream gradient ∂L/∂v (``v.grad``):

    ∂L/∂p += ∂L/∂v · ∂v/∂p        (∂v/∂p is the op's local derivative, from ``autograd.ops``)

A node may only pass its gradient on once every node that consumed it has passed theirs. We count,
for each interior node, how many edges lead into it from inside the graph (first walk), then
release nodes as their count reaches zero (second walk: Kahn's algorithm). Both walks use an
explicit stack, so depth is limited by memory, not by Python's recursion limit. This module reads
nodes through the protocol ``autograd.graph.Node``; ``_pending`` is its counter (0 outside a pass,
also after an error).

Threads: passes run one at a time, under one re-entrant lock (``pass_lock``, which the steps of
``autograd.compile`` hold too) for the whole pass, so threads whose graphs share leaves (parameters
shared by two workers) lose no ``+=``. Not covered: changing a graph while another thread
backpropagates through it, and a ``_backward`` closure that waits for another thread's ``backward()``.

Errors: a derivative (or a ``_backward`` closure) that raises is re-raised naming the op, the node
and its inputs (``graph.derivative_error``), with the original as ``__cause__``. Leaves may then
hold part of that pass's contributions: zero them before trying again.
"""

from __future__ import annotations

import threading
from typing import Any

from autograd import hooks
from autograd.graph import (
    DerivativeError,
    MissingDerivativeError,
    Node,
    abandon_pass,
    backward_order,
    derivative_error,
    local_step,
)
from autograd.hooks.walk import observed_backward
from autograd.ops import ADD, LINEAR, LINEAR_C, MUL, RELU

__all__ = ["DerivativeError", "MissingDerivativeError", "Node", "backward", "reference_backward"]


def reference_backward(root: Node, seed: float = 1.0) -> None:
    """The chain rule as you would write it by hand — the specification of ``backward()`` below.

    1. Order the interior nodes so that each comes after every node that consumes it
       (``graph.backward_order``: Kahn's order from the root).
    2. Start every interior gradient at 0 (leaves keep theirs and accumulate) and the root's at the seed.
    3. In that order, apply each node's local step: for each parent p, ∂L/∂p += ∂L/∂v · ∂v/∂p,
       with ∂v/∂p from the op's entry in ``autograd.ops`` (``graph.local_step``).

    ``backward()`` computes the same numbers, bit for bit (tests/engine/test_engine_backward.py), with
    the two walks below: the same order, unrolled for speed. Hooks and anomaly mode are not applied here.
    """
    order = backward_order(root)
    if not order:  # a leaf: its gradient with respect to itself is the seed
        root.grad += seed
        return
    for v in order:
        v.grad = 0.0
    root.grad = seed
    for v in order:
        local_step(v)

pass_lock = threading.RLock()  # one pass that adds into gradients at a time (see the module docstring)



def _all_leaves(a: tuple[Any, ...], leafy: dict[int, tuple[Any, ...]]) -> bool:
    """FAST PATHS: are the parents ``a`` all leaves? If so ``a`` is kept in ``leafy`` by id (held: the id stays)."""
    for p in a:
        if p._operation is not None:
            return False
    leafy[id(a)] = a
    return True


# -- the same thing, unrolled: two walks over the graph that ``backward()`` runs -------------------------
# (benchmarks/bench_engine.py measures them against reference_backward: 6-10× faster per node here.)


def _count_consumers(root: Node) -> None:
    """First walk: ``p._pending`` = how many edges lead into each interior node p from inside the graph.

    Interior gradients are reset to 0.0 on the way (each ``backward()`` recomputes them); leaves
    keep theirs and accumulate. Both walks write the one- and two-parent cases out instead of
    looping over a tuple: they are most nodes, and on CPython 3.11 the loop costs a third of the
    walk (benchmarks/bench_engine.py). A ``linear_c`` node over leaves only is passed over (``_release``).
    """
    leafy: dict[int, tuple[Any, ...]] = {}  # linear_c parent tuples of leaves only, by id (_all_leaves)
    stack = [root]
    pop, push = stack.pop, stack.append
    while stack:
        v = pop()
        a, b = v._in, v._in2
        if b is not None:  # two parents (most nodes): written out
            if a._operation is not None:
                n = a._pending
                if n:
                    a._pending = n + 1
                else:
                    a._pending = 1
                    a.grad = 0.0
                    push(a)
            if b._operation is not None:
                n = b._pending
                if n:
                    b._pending = n + 1
                else:
                    b._pending = 1
                    b.grad = 0.0
                    push(b)
            continue
        if v._operation is LINEAR_C and (id(a) in leafy or _all_leaves(a, leafy)):
            continue  # fast path: a linear_c node over leaves only has nothing to count (see _release)
        for p in a if type(a) is tuple else (a,):
            if p._operation is not None:
                n = p._pending
                if n:
                    p._pending = n + 1
                else:
                    p._pending = 1
                    p.grad = 0.0
                    push(p)


def _release(root: Node) -> None:
    """Second walk (Kahn's order): a node passes ∂L/∂v on once all its consumers have.

    FAST PATHS (the engine's one speed trick, checked bit for bit against ``op.deriv`` by
    tests/engine/test_engine_fast_paths.py): the derivatives of ``+``, ``*``, ``ReLU``, ``linear`` and
    ``linear_c`` are applied inline on floats instead of through ``op.deriv`` (the call is a third of
    the loop's time). A ``linear`` or ``linear_c`` node reached with ∂L/∂z = 0 and a finite z only
    releases its parents: its products 0·x_i, 0·w_i would be ±0, and adding ±0 changes no gradient
    (a finite z means every input was finite, so no 0·inf = NaN is skipped; a gradient that starts
    at +0.0 and only has numbers added to it is never −0.0, the one value that adding +0.0 would
    change). Leaves have no count, so a ``linear_c`` node over leaves only (a first layer's weights
    and bias: one tuple per neuron, shared by a batch, checked once per walk) is passed over by the
    first walk and releases nothing here.

    A derivative that raises is re-raised naming its node ``v``; the ``try`` costs nothing otherwise.
    """
    leafy: dict[int, tuple[Any, ...]] = {}  # as in the first walk
    ready = [root]
    pop, push = ready.pop, ready.append
    v = root
    try:
        while ready:
            v = pop()
            g = v.grad
            op: Any = v._operation
            a, b = v._in, v._in2
            if b is not None:  # two parents: ∂L/∂a += ∂L/∂v · ∂v/∂a, ∂L/∂b += ∂L/∂v · ∂v/∂b
                if op is ADD:  # fast path: ADD.deriv is (1, 1)
                    a.grad += g
                    b.grad += g
                elif op is MUL:  # fast path: MUL.deriv is (b, a)
                    a.grad += g * b.data
                    b.grad += g * a.data
                else:
                    da, db = op.deriv(a.data, b.data, v.data, v._const)
                    a.grad += g * da
                    b.grad += g * db
                if a._operation is not None:
                    n = a._pending - 1
                    a._pending = n
                    if not n:
                        push(a)
                if b._operation is not None:
                    n = b._pending - 1
                    b._pending = n
                    if not n:
                        push(b)
                continue
            if type(a) is not tuple:  # one parent: ∂L/∂a += ∂L/∂v · f′(a)
                if op is RELU:  # fast path: RELU.deriv is 0 for a <= 0, else 1
                    a.grad += g * (0.0 if a.data <= 0.0 else 1.0)
                else:
                    a.grad += g * op.deriv(a.data, v.data, v._const)
                if a._operation is not None:
                    n = a._pending - 1
                    a._pending = n
                    if not n:
                        push(a)
                continue
            if op is LINEAR_C and (id(a) in leafy or _all_leaves(a, leafy)):  # fast path: parents all leaves
                if g or v.data - v.data != 0.0:  # z = Σ w_i x_i + b over constant x, ∂z/∂w_i = x_i, ∂z/∂b = 1
                    for w, x in zip(a, v._const):  # noqa: B905  (the constant is one shorter: the bias is left out)
                        w.grad += g * x
                    a[-1].grad += g
                continue  # (skipped only for g = 0 with z finite, see above); nothing to release: leaves
            if op is LINEAR and len(a) & 1:  # fast path: z = Σ w_i x_i + b, ∂z/∂w_i = x_i, ∂z/∂x_i = w_i, ∂z/∂b = 1
                k = len(a) >> 1
                if g or v.data - v.data != 0.0:  # skipped only for g = 0 with z finite (see above)
                    for w, x in zip(a[:k], a[k:-1]):  # noqa: B905  (equal slices; a keyword makes zip slower)
                        w.grad += g * x.data
                        x.grad += g * w.data
                        if w._operation is not None:
                            n = w._pending - 1
                            w._pending = n
                            if not n:
                                push(w)
                    a[-1].grad += g
                    a = a[k:]  # the weights are released above, the inputs and the bias below
            elif op.arity == -1:  # micrograd style: the closure adds into its parents itself
                v._const()
            else:
                for p, d in zip(a, op.deriv([p.data for p in a], v.data, v._const), strict=True):
                    p.grad += g * d
            for p in a:
                if p._operation is not None:
                    n = p._pending - 1
                    p._pending = n
                    if not n:
                        push(p)
    except MissingDerivativeError:
        raise
    except Exception as e:
        raise derivative_error("backward()", v, e) from e


def backward(root: Node, seed: float) -> None:
    """``root.backward(seed)``: ∂root/∂v for every node v, into ``v.grad`` (one pass at a time, see above)."""
    with pass_lock:
        if hooks.observers:  # gradient hooks or detect_anomaly() in use: the observed walk, chosen once per call
            observed_backward(root, seed)
            return
        if root._operation is None:  # a leaf: its gradient with respect to itself is the seed
            root.grad += seed
            return
        try:
            _count_consumers(root)
            root.grad = seed
            _release(root)
        except BaseException as e:
            abandon_pass(root, e)  # no half-counted node is left behind for the next pass
            raise

