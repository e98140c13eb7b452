"""Gradients returned instead of stored: the reverse walk behind ``autograd.grad``.

``backward()`` writes ∂L/∂v into every node's ``.grad``. The two walks here return ∂L/∂x for the
inputs asked for and write no ``.grad`` at all: the running sums live in a dict of their own.

* ``float_gradients``: floats, by the same chain rule and in the same order as ``backward()``, so
  the numbers are identical (``∂L/∂p += ∂L/∂v · ∂v/∂p``, summed in the same sequence).
* ``graph_gradients``: ``Value`` nodes. The same op derivatives (``autograd.ops``, written once)
  are called on the parent **nodes** and the node itself instead of their floats, so every
  product and sum of the chain rule is recorded: the gradient is a graph and can be
  differentiated again (second, third derivatives), drawn, or ``backward()``-ed.

In the note's notation, with δ_v = ∂L/∂v (``δ_L = 1``): δ_p = Σ_{v consumes p} δ_v · ∂v/∂p. For
example for y = tanh z, ``∂y/∂z = 1 − y²`` is built from the node y, so
∂²y/∂z² = −2y · (1 − y²) follows by differentiating that small graph once more.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from autograd import hooks
from autograd.compat import LOCAL_GRADS
from autograd.engine import Value, as_number
from autograd.graph import (
    MissingDerivativeError,
    backward_order,
    call_deriv,
    closure_of,
    constant_of,
    derivative_error,
    has_rule,
    is_closure,
    local_grads,
    parents_of,
    pending_counts,
    walk,
)
from autograd.hooks.walk import run_hooks


def _no_rule(v: Value) -> MissingDerivativeError:
    return MissingDerivativeError(
        f"grad: node {v!r} was made by op {v._op!r} with parents but no derivative rule; "
        "define the operation with autograd.Op(name, forward, deriv)"
    )


BORROW_LOCK = threading.RLock()
"""Held while a closure runs on borrowed ``.grad`` fields (set, run, restore), so two threads measuring the
same micrograd-style node cannot restore each other's borrowed numbers."""


def _closure_float_step(v: Value, g: float) -> list[tuple[Value, float]]:
    """δ_p contributions of a micrograd-style closure node, whose rule writes into ``.grad``.

    The closure reads ``v.grad`` and adds into its parents' ``.grad``, so it is run with those
    fields borrowed (set to δ_v and 0) and then restored: afterwards every ``.grad`` is as before.
    """
    unique = list(dict.fromkeys(parents_of(v)))
    with BORROW_LOCK:  # another thread borrowing the same fields would restore our borrowed numbers
        saved = [(p, p.grad) for p in (v, *unique)]
        try:
            for p in unique:
                p.grad = 0.0
            v.grad = g
            try:
                closure_of(v)()
            except Exception as e:
                raise derivative_error("grad", v, e) from e
            return [(p, p.grad) for p in unique]
        finally:
            for p, old in saved:
                p.grad = old


def _graph_hooks(v: Value, g: Any) -> Any:
    """δ_v after v's hooks when the gradients are graphs: each hook gets the node δ_v (as torch's get a
    tensor with a graph under ``create_graph``) and may return a node, a number, or None (keep δ_v)."""
    for fn in hooks.hooks_of(v):
        hook: Any = fn  # typed for floats; here it gets the node
        r = hook(g if isinstance(g, Value) else Value(float(g)))
        if r is None:
            continue
        g = r if isinstance(r, Value) else as_number(r, f"register_hook: the hook {getattr(fn, '__name__', fn)!r} "
                                                        f"on node {v!r:.60} returned")
    return g


def _hooked_leaves(acc: dict[Value, Any], inputs: Sequence[Value], graph: bool) -> None:
    """A leaf's δ is complete at the end of the walk: its hooks run then, on the total (as ``backward()``)."""
    for x in dict.fromkeys(inputs):
        if x.is_leaf and x in acc and hooks.hooks_of(x):
            acc[x] = _graph_hooks(x, acc[x]) if graph else run_hooks(x, acc[x])


def float_gradients(output: Value, inputs: Sequence[Value]) -> list[float]:
    """∂output/∂x for each x in ``inputs`` as floats, leaving every ``.grad`` as it was.

    Inputs that ``output`` does not depend on get 0.0. The same walk as ``backward()`` (Kahn's
    order, the same products summed in the same sequence), so the same floats; the running sums
    δ_v live in a dict instead of ``.grad``. Gradient hooks apply as in ``backward()`` (and torch's
    ``autograd.grad``): a node's hooks get δ_v once it is complete, and what they return flows on.
    """
    acc: dict[Value, float] = {output: 1.0}
    observed = hooks.observers  # hooks exist (or anomaly mode is on somewhere): look them up
    if output.is_leaf:
        if observed:
            _hooked_leaves(acc, inputs, False)
        return [acc.get(x, 0.0) for x in inputs]
    pending = pending_counts(output)
    get = acc.get
    ready = [output]
    pop, push = ready.pop, ready.append
    try:
        while ready:
            v = pop()
            g = acc[v]
            if observed and hooks.hooks_of(v):
                g = acc[v] = run_hooks(v, g)
            ps = parents_of(v)
            if is_closure(v):  # the closure's own additions, measured on borrowed .grad fields
                for p, d in _closure_float_step(v, g):
                    acc[p] = get(p, 0.0) + d
            else:  # δ_p += δ_v · ∂v/∂p, parents in argument order, as backward() adds them
                for p, d in zip(ps, local_grads(v, "grad"), strict=True):
                    acc[p] = get(p, 0.0) + g * d
            for p in ps:
                if not p.is_leaf:
                    n = pending[p] - 1
                    pending[p] = n
                    if not n:
                        push(p)
    except MissingDerivativeError:
        bad = next(v for v in walk(output) if not v.is_leaf and not is_closure(v) and not has_rule(v))
        raise _no_rule(bad) from None
    if observed:
        _hooked_leaves(acc, inputs, False)
    return [get(x, 0.0) for x in inputs]


def local_derivatives(v: Value) -> Sequence[Any]:
    """∂v/∂p for each parent p of ``v``, as graphs: the op's ``deriv`` called on the nodes.

    Entries are ``Value`` nodes or plain numbers (a constant such as relu's step 1.0 or 0.0, whose
    own derivative is 0). Raises ``TypeError`` for a micrograd-style closure node, whose rule is
    code that adds into ``.grad``, not a formula that can be differentiated.
    """
    op: Any = v.operation
    if is_closure(v):
        raise TypeError(
            f"grad(create_graph=True): node {v!r} (op {v._op!r}) was defined by a micrograd-style "
            "_backward closure; its derivative is code, not a formula, so it cannot be differentiated "
            "again. Define the operation with autograd.Op(name, forward, deriv) instead"
        )
    if op is LOCAL_GRADS:
        raise TypeError(
            f"grad(create_graph=True): node {v!r} was made microgpt's way, Value(data, children, local_grads); "
            "its local derivatives are numbers, not formulas, so they cannot be differentiated again. Build it "
            "from Value's operations (a * b, x.exp(), ...) or define it with autograd.Op(name, forward, deriv)"
        )
    if not has_rule(v):
        raise _no_rule(v)
    ps = parents_of(v)
    try:
        ds = call_deriv(op, ps, v, constant_of(v))
    except MissingDerivativeError:
        raise
    except Exception as e:
        raise derivative_error("grad(create_graph=True)", v, e) from e
    n = len(ps)
    if len(ds) != n:
        raise TypeError(f"grad: op {op.name!r} returned {len(ds)} derivative(s) for {n} input(s) at node {v!r}")
    return ds


def _times(g: Any, d: Any) -> Any:
    """δ_v · ∂v/∂p, without a node for a product with the exact constant 1 (same value)."""
    if isinstance(d, Value):
        return d if (type(g) is float and g == 1.0) else g * d
    if d == 1.0:
        return g
    return g * d


def graph_gradients(output: Value, inputs: Sequence[Value]) -> list[Value]:
    """∂output/∂x for each x in ``inputs`` as ``Value`` graphs that can be differentiated again.

    Only nodes through which ``output`` depends on some input are visited (the others would only
    add unused nodes). A gradient may be an existing node: ∂(a·b)/∂a is ``b`` itself. Constants
    (including 0.0 for an input that ``output`` does not depend on) become new leaves. No
    ``.grad`` is read or written. Hooks apply as in ``float_gradients``, on nodes (``_graph_hooks``).
    """
    order = backward_order(output)
    needed = set(inputs)
    for v in reversed(order):  # producers first: v is needed if any parent is
        if v not in needed and any(p in needed for p in parents_of(v)):
            needed.add(v)
    acc: dict[Value, Any] = {output: 1.0}
    observed = hooks.observers
    for v in order:
        if v not in needed:
            continue
        g = acc[v]
        if observed and hooks.hooks_of(v):
            g = acc[v] = _graph_hooks(v, g)
        for p, d in zip(parents_of(v), local_derivatives(v), strict=True):
            if p in needed:
                term = _times(g, d)
                old = acc.get(p)
                acc[p] = term if old is None else old + term
    if observed:
        _hooked_leaves(acc, inputs, True)
    out = []
    for x in inputs:
        g = acc.get(x, 0.0)
        out.append(g if isinstance(g, Value) else Value(float(g)))
    return out
