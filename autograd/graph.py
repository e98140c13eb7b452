"""Orders over a graph for the walks other than ``backward()``: checking, drawing, higher order.

They keep their counts in a dict and never touch the nodes (``_pending`` belongs to
``backward()``), so they are safe to run at any time, also from several threads.
"""

from __future__ import annotations

from autograd.engine import Value, parents_of, walk

__all__ = ["backward_order", "pending_counts", "topological_order", "walk"]


def pending_counts(root: Value) -> dict[Value, int]:
    """How many edges lead into each interior node of ``root``'s graph from inside the graph."""
    pending: dict[Value, int] = {}
    get = pending.get
    todo = [root] if not root.is_leaf else []
    while todo:
        for p in parents_of(todo.pop()):
            if not p.is_leaf:
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
    if root.is_leaf:
        return []
    pending = pending_counts(root)
    order: list[Value] = []
    ready = [root]
    while ready:
        v = ready.pop()
        order.append(v)
        for p in parents_of(v):
            if not p.is_leaf:
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
