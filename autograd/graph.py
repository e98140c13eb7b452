"""The graph: what a node's slots mean (read by everyone but the engine through these helpers),
one node's chain-rule step and its errors, and the orders for the walks other than ``backward()``.

``autograd.engine`` makes nodes; this module reads them through the small protocol ``Node``
below (it never imports the engine):

* ``_operation``: the ``Op`` that made the node; ``None`` for a leaf.
* ``_in``: the parent of a one-input op, the first parent of a two-input op, or the tuple of all
  parents (ops of any arity, and micrograd-style closures); ``None`` for a leaf.
* ``_in2``: the second parent of a two-input op; ``None`` otherwise.
* ``_const``: the op's constant operand, or a micrograd-style ``_backward`` closure; else ``None`` — or unset, on
  the nodes of ``+`` and ``*`` between two nodes (the engine's fast path): read it with ``constant_of``.
* ``_pending``: ``backward()``'s count of consumers not yet done: 0 outside a backward pass.

The orders keep their counts in a dict and never touch the nodes (``_pending`` belongs to
``backward()``), so they are safe to run at any time, also from several threads.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, Protocol, TypeVar

from autograd.errors import DeltagradError, describe
from autograd.ops import LINEAR, BadDerivativeError, Op


class Node(Protocol):
    """What the walks read of a node (the module docstring gives the meaning of each slot)."""

    data: float
    grad: float
    label: str
    _operation: Op | None
    _in: Any
    _in2: Any
    _const: Any
    _pending: int


class MissingDerivativeError(DeltagradError, TypeError):
    """A node's op has no derivative rule (``Value(data, children, 'tag')`` without ``_backward``)."""


class RulelessError(MissingDerivativeError):
    """Raised by the op of ``Value(data, children, 'tag')``; ``local_grads`` names the node."""


class DerivativeError(DeltagradError, RuntimeError):
    """A derivative raised an exception that cannot be rebuilt with a message (the original is the cause)."""


def derivative_error(where: str, v: Node, e: Exception) -> Exception:
    """The error to raise when ``v``'s derivative (or ``_backward`` closure) raised ``e`` during ``where``:
    names the op, the node and its inputs; of ``e``'s type where possible. Raise it ``from e``."""
    op = v._operation
    name = "?" if op is None else op.name
    inputs = ", ".join(describe(p.data) for p in parents_of(v)[:6]) + (", ..." if len(parents_of(v)) > 6 else "")
    if isinstance(e, BadDerivativeError):  # its message names the op, the value and what to return
        message = f"{where}: at node {describe(v)}, inputs ({inputs}): {e}"
    elif op is not None and op.arity == -1:
        message = (f"{where}: the _backward closure of node {describe(v)} (op {name!r}), inputs ({inputs}), "
                   f"raised {type(e).__name__}: {e}; fix the closure (it adds out.grad × the local derivative "
                   "into each parent's grad)")
    else:
        message = (f"{where}: the derivative of op {name!r} at node {describe(v)}, inputs ({inputs}), raised "
                   f"{type(e).__name__}: {e}; fix the op's derivative, or keep its inputs where it is defined")
    try:
        new = type(e)(message)
    except Exception:
        return DerivativeError(message)
    return new if isinstance(new, Exception) else DerivativeError(message)


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
    return None if is_closure(v) else getattr(v, "_const", None)  # unset on + and * nodes (engine's fast path)


def is_closure(v: N) -> bool:
    """Whether ``v``'s gradient flows through a micrograd-style ``_backward`` closure the user set."""
    return v._operation is not None and v._operation.arity == -1


def closure_of(v: N) -> Callable[[], None]:
    """The user's ``_backward`` closure of a node for which ``is_closure(v)``."""
    fn: Callable[[], None] = v._const
    return fn


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
        return call_deriv(op, [p.data for p in parents_of(v)], v.data, constant_of(v))
    except RulelessError:
        raise MissingDerivativeError(f"node {v!r} was made by op {op.name!r} with parents but no derivative "
                                     "rule; define the operation with autograd.Op (or set node._backward as "
                                     "micrograd does)") from None
    except MissingDerivativeError:
        raise
    except Exception as e:
        raise derivative_error(where, v, e) from e


def step_order(v: Node) -> Sequence[int]:
    """The order in which ``backward()`` adds a node's contributions into its parents: their order, except for
    ``linear`` (z = Σ w_i x_i + b), whose parents (w…, x…, b) get theirs pair by pair — w_i, then x_i — then b.
    It decides the last bit where one leaf is both a weight and an input of the same node."""
    n = len(parents_of(v))
    if v._operation is LINEAR and n & 1:
        k = n >> 1
        return [j for i in range(k) for j in (i, k + i)] + [n - 1]
    return range(n)


def local_step(v: Node) -> None:
    """One node's chain-rule step (micrograd's ``node._backward()``): parents' grad += grad · local,
    in ``backward()``'s order (``step_order``)."""
    op = v._operation
    if op is not None and op.arity == -1:  # the user's micrograd-style closure does it itself
        v._const()
        return
    parents, local = parents_of(v), local_grads(v)
    g = v.grad
    for j in step_order(v):
        parents[j].grad += g * local[j]


def with_parents(v: N, parents: tuple[N, ...]) -> N:
    """A node made by ``v``'s op and constant on other parents, with ``v``'s data (for checks that
    rerun one node's backward step); recorded even inside ``no_grad``."""
    c = object.__new__(type(v))
    c.data, c.grad, c._pending = v.data, 0.0, 0
    c._operation, c._const, c._in2 = v._operation, getattr(v, "_const", None), None
    if type(v._in) is tuple:
        c._in = parents
    else:
        c._in, c._in2 = parents[0], (parents[1] if len(parents) > 1 else None)
    return c


def copy_node(v: N) -> N:
    """``copy.copy(v)``: a new node with v's data, grad, label, op, constant and parents."""
    c = object.__new__(type(v))
    c.data, c.grad, c.label, c._pending = v.data, v.grad, v.label, 0
    c._operation, c._in, c._in2, c._const = v._operation, v._in, v._in2, getattr(v, "_const", None)
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


def has_rule(v: N) -> bool:
    """Whether ``v`` is interior and its op has a derivative rule (not micrograd's tag alone, nor a closure)."""
    return v._operation is not None and v._operation.rule


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


def abandon_pass(root: Node, error: BaseException) -> None:
    """After a backward pass failed with ``error``: set every ``_pending`` back to 0, and for a rule-less
    op raise the error of the first such node from the root (``local_grads`` names it)."""
    for v in walk(root):
        v._pending = 0
    if isinstance(error, RulelessError):
        for v in walk(root):
            local_grads(v)


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
