"""The backward pass: the chain rule applied over a graph in topological order, without recursion.

For every node v with parents p and upstream gradient ∂L/∂v (``v.grad``):

    ∂L/∂p += ∂L/∂v · ∂v/∂p        (∂v/∂p is the op's local derivative, from ``autograd.ops``)

A node may only pass its gradient on once every node that consumed it has passed theirs. We count,
for each interior node, how many edges lead into it from inside the graph (first walk), then
release nodes as their count reaches zero (second walk: Kahn's algorithm). Both walks use an
explicit stack, so depth is limited by memory, not by Python's recursion limit.

This module knows only a small protocol of the node (``Node`` below); ``autograd.engine`` makes
nodes and documents the encoding. State kept on nodes: ``_pending`` during a pass (0 after it,
also after an error).

Threads: ``backward()`` passes run one at a time, under one re-entrant lock held for the whole
pass (an uncontended lock costs well under a microsecond per call, nothing per node). So threads
whose graphs share leaves (parameters shared by two workers) lose no ``+=``: every contribution
arrives, as if the passes had run one after the other. Two threads that backpropagate through the
*same* interior nodes are serialized the same way (each pass recomputes interior gradients, so the
graph ends with the last pass's). Not covered: building or changing a graph while another thread
backpropagates through it, ``.grad`` written by hand during a pass, and a micrograd-style
``_backward`` closure that waits for another thread's ``backward()`` (it would wait forever).

Errors: a derivative (or a ``_backward`` closure) that raises during a pass is re-raised naming the
op, the node and its inputs, with the original exception as ``__cause__`` and, where it can be
rebuilt from a message, the same type (``ZeroDivisionError`` stays one; else ``DerivativeError``).
Leaves may then hold part of that pass's contributions: zero them before trying again.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from autograd.ops import ADD, LINEAR, LINEAR_C, MUL, RELU, BadDerivativeError, Op

_pass_lock = threading.RLock()  # one backward() pass at a time (see the module docstring)


class Node(Protocol):
    """What the backward pass reads of a node (see ``autograd.engine`` for the meaning of each slot)."""

    data: float
    grad: float
    label: str
    _operation: Op | None
    _in: Any
    _in2: Any
    _const: Any
    _pending: int


class MissingDerivativeError(TypeError):
    """A node's op has no derivative rule (``Value(data, children, 'tag')`` without ``_backward``)."""


class RulelessError(MissingDerivativeError):
    """Raised by the op of ``Value(data, children, 'tag')``; ``local_grads`` names the node."""


class DerivativeError(RuntimeError):
    """A derivative raised an exception that cannot be rebuilt with a message (the original is the cause)."""


def _describe(x: object) -> str:
    text = repr(x)
    return text if len(text) <= 60 else text[:57] + "..."


def derivative_error(where: str, v: Node, e: Exception) -> Exception:
    """The error to raise when ``v``'s derivative (or ``_backward`` closure) raised ``e`` during ``where``:
    names the op, the node and its inputs; of ``e``'s type where possible. Raise it ``from e``."""
    op = v._operation
    name = "?" if op is None else op.name
    inputs = ", ".join(_describe(p.data) for p in parents(v)[:6]) + (", ..." if len(parents(v)) > 6 else "")
    if isinstance(e, BadDerivativeError):  # its message names the op, the value and what to return
        message = f"{where}: at node {_describe(v)}, inputs ({inputs}): {e}"
    elif op is not None and op.arity == -1:
        message = (f"{where}: the _backward closure of node {_describe(v)} (op {name!r}), inputs ({inputs}), "
                   f"raised {type(e).__name__}: {e}; fix the closure (it adds out.grad × the local derivative "
                   "into each parent's grad)")
    else:
        message = (f"{where}: the derivative of op {name!r} at node {_describe(v)}, inputs ({inputs}), raised "
                   f"{type(e).__name__}: {e}; fix the op's derivative, or keep its inputs where it is defined")
    try:
        new = type(e)(message)
    except Exception:
        return DerivativeError(message)
    return new if isinstance(new, Exception) else DerivativeError(message)


def parents(v: Node) -> tuple[Any, ...]:
    """The parents of ``v`` in argument order (``engine.parents_of``, which the engine re-exports)."""
    a = v._in
    if v._in2 is not None:
        return (a, v._in2)
    return () if a is None else (a if type(a) is tuple else (a,))


def call_deriv(op: Op, xs: Sequence[Any], y: Any, c: Any) -> list[Any]:
    """``op.deriv`` at inputs ``xs`` and output ``y``, one ∂y/∂x_i per input, whatever the op's arity.

    Floats give floats (a node's local derivatives); nodes give nodes (a differentiable gradient).
    """
    if op.arity == 1:
        return [op.deriv(xs[0], y, c)]
    if op.arity == 2:
        return list(op.deriv(xs[0], xs[1], y, c))
    return list(op.deriv(list(xs), y, c))


def local_grads(v: Node, where: str = "backward step") -> list[float]:
    """The local derivatives ∂v/∂parent_i on the values v saw, one per parent (``[]`` for a leaf or a closure).

    A derivative that raises is re-raised naming ``v`` (``derivative_error``), ``where`` being the caller."""
    op = v._operation
    if op is None or op.arity == -1:
        return []
    try:
        return call_deriv(op, [p.data for p in parents(v)], v.data, v._const)
    except RulelessError:
        raise MissingDerivativeError(f"node {v!r} was made by op {op.name!r} with parents but no derivative "
                                     "rule; define the operation with autograd.Op (or set node._backward as "
                                     "micrograd does)") from None
    except MissingDerivativeError:
        raise
    except Exception as e:
        raise derivative_error(where, v, e) from e


def local_step(v: Node) -> None:
    """One node's chain-rule step (micrograd's ``node._backward()``): parents' grad += grad · local."""
    op = v._operation
    if op is not None and op.arity == -1:  # the user's micrograd-style closure does it itself
        v._const()
        return
    for p, d in zip(parents(v), local_grads(v), strict=True):
        p.grad += v.grad * d


def _all_leaves(a: tuple[Any, ...], leafy: dict[int, tuple[Any, ...]]) -> bool:
    """FAST PATHS (``_release``): are the parents ``a`` all leaves? If so, kept in ``leafy`` by id (held: id stays)."""
    for p in a:
        if p._operation is not None:
            return False
    leafy[id(a)] = a
    return True


def _count_consumers(root: Node) -> None:
    """First walk: ``p._pending`` = how many edges lead into each interior node p from inside the graph.

    Interior gradients are reset to 0.0 on the way (each ``backward()`` recomputes them); leaves keep theirs. Both walks
    write the one- and two-parent cases out (most nodes; a loop over a tuple is a third of the walk on CPython 3.11)."""
    stack = [root]
    pop, push = stack.pop, stack.append
    leafy: dict[int, tuple[Any, ...]] = {}  # linear_c parent tuples of leaves only, by id (_all_leaves)
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
    tests/test_engine_fast_paths.py): +, *, ReLU, linear and linear_c's derivatives inline on floats (the
    ``op.deriv`` call is a third of the loop). A linear or linear_c node with ∂L/∂z = 0 and z finite adds
    nothing, only releases: its 0·x_i, 0·w_i are ±0, which change no gradient (z finite: so was every input,
    no 0·inf = NaN is lost; a gradient from +0.0 that only has numbers added is never −0.0, the one value
    adding +0.0 changes). Leaves have no count, so a linear_c node over leaves only (a first layer's weights
    and bias, one tuple per neuron shared by a batch: checked once per walk) is passed over by the first walk
    and releases nothing here. A derivative that raises is re-raised naming its node ``v``.
    """
    ready = [root]
    pop, push = ready.pop, ready.append
    leafy: dict[int, tuple[Any, ...]] = {}  # as in the first walk
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
                if op is RELU:  # fast path: RELU.deriv is 1 for a > 0, else 0
                    a.grad += g * (1.0 if a.data > 0.0 else 0.0)
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
    with _pass_lock:
        if _observed:  # gradient hooks or detect_anomaly() in use: the observed walk, chosen once per call
            _observed_walk[0](root, seed)
            return
        if root._operation is None:  # a leaf: its gradient with respect to itself is the seed
            root.grad += seed
            return
        try:
            _count_consumers(root)
            root.grad = seed
            _release(root)
        except BaseException as e:
            _reset(root)  # leave no half-counted node behind for the next pass
            if isinstance(e, RulelessError):
                _name_ruleless(root)
            raise


def _name_ruleless(root: Node) -> None:
    """Raise the error of the first node (from the root) whose op has no derivative rule, naming it."""
    for v in _nodes(root):
        op = v._operation
        if op is not None and op.arity != -1:
            local_grads(v)


def _nodes(root: Node) -> list[Node]:
    """Every node of the graph once, root first (a small walk of its own: no import of the engine)."""
    seen = {id(root)}
    order, stack = [], [root]
    while stack:
        v = stack.pop()
        order.append(v)
        for p in parents(v):
            if id(p) not in seen:
                seen.add(id(p))
                stack.append(p)
    return order


def _reset(root: Node) -> None:
    for v in _nodes(root):
        v._pending = 0


# ---------------------------------------------------------------------------------------------
# Observed backward passes (gradient hooks, anomaly mode). ``_observed`` counts the live hooks
# plus the threads inside ``autograd.debugging.detect_anomaly()``; while it is 0, ``backward()``
# above pays one global read per call and nothing per node. When it is not, the whole pass takes
# the slow walk of ``autograd.debugging.walk`` (registered in ``_observed_walk`` on import), which
# calls each node's hooks once its gradient is complete and checks every gradient in anomaly mode.

Hook = Callable[[float], Any]
_observed = 0
_observed_walk: list[Callable[[Node, float], None]] = []
_hooks: dict[int, tuple[Node, list[Hook]]] = {}  # id(node) -> (node, its hooks in order); holds the node
_hooks_lock = threading.Lock()


def observe(delta: int) -> None:
    """Add ``delta`` to the count of observers (a hook, or a thread entering/leaving anomaly mode)."""
    global _observed
    with _hooks_lock:
        _observed += delta


def hooks_of(v: Node) -> list[Hook]:
    """The hooks registered on ``v``, in registration order (``[]`` for none)."""
    entry = _hooks.get(id(v))
    return list(entry[1]) if entry is not None else []


class HookHandle:
    """What ``v.register_hook(fn)`` returns: ``.remove()`` takes the hook off (also ``with`` it)."""

    __slots__ = ("_fn", "_node")

    def __init__(self, node: Node, fn: Hook) -> None:
        self._node: Node | None = node
        self._fn = fn

    def remove(self) -> None:
        """Take the hook off its node (a second call does nothing)."""
        node, self._node = self._node, None
        if node is None:
            return
        with _hooks_lock:
            entry = _hooks.get(id(node))
            if entry is not None and self._fn in entry[1]:
                entry[1].remove(self._fn)
                if not entry[1]:
                    del _hooks[id(node)]
        observe(-1)

    def __enter__(self) -> HookHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()


def register_hook(v: Node, fn: Hook) -> HookHandle:
    """``v.register_hook(fn)``: call ``fn(∂L/∂v)`` once v's gradient is complete in each ``backward()``.

    A number returned replaces the gradient that flows on (None keeps it). The registry holds ``v``
    until the handle's ``remove()``.
    """
    if not callable(fn):
        raise TypeError(f"register_hook: fn must be a function of the gradient (a float), got {fn!r:.60}")
    with _hooks_lock:
        entry = _hooks.setdefault(id(v), (v, []))
        entry[1].append(fn)
    observe(1)
    return HookHandle(v, fn)
