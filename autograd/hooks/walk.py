"""The observed backward walk: ``backward()`` while gradient hooks exist or anomaly mode is on.

The same chain rule and the same Kahn order as ``autograd.backprop``, without its fast paths:
every node's step goes through ``op.deriv``, so that it can be watched. For each node v, once all
its consumers have passed their gradients on (∂L/∂v complete):

1. v's hooks run in registration order, each on the previous one's result: ``g = fn(g)`` when
   fn returns a number (None keeps g); the final g is what flows on;
2. in anomaly mode g must be finite;
3. each parent p gets ∂L/∂p += g · ∂v/∂p (in anomaly mode the product and the sum must be finite).

A leaf's gradient is complete only at the end of the pass: its hooks then get this pass's
contribution (the sum of the products it received), and a number they return is accumulated
instead of it. ``backprop.backward`` dispatches here once per call (``hooks.observers`` is not 0).
"""

from __future__ import annotations

import numbers
from typing import Any

from autograd import hooks
from autograd.errors import as_number
from autograd.graph import abandon_pass, call_deriv, constant_of, parents_of, pending_counts, step_order
from autograd.modes.anomaly import backward_error, describe_node, finite, is_anomaly_enabled

__all__ = ["observed_backward"]


def run_hooks(v: Any, g: float) -> float:
    """g after v's hooks (each may return a replacement number, or None to keep it)."""
    for fn in hooks.hooks_of(v):
        r = fn(g)
        if r is None:
            continue
        if isinstance(r, bool) or not isinstance(r, numbers.Real):
            raise TypeError(f"register_hook: the hook {getattr(fn, '__name__', fn)!r} on {describe_node(v)} "
                            f"returned {r!r:.60}; return a number (the new gradient) or None (keep it)")
        g = as_number(r, f"register_hook: the hook {getattr(fn, '__name__', fn)!r} on {describe_node(v)} returned")
    return g


def _leaf_root(root: Any, seed: float, checking: bool) -> None:
    g = run_hooks(root, seed)
    if checking and not finite(g):
        raise backward_error(root, f"gradient seed {g!r}")
    root.grad += g


def observed_backward(root: Any, seed: float) -> None:
    """``root.backward(seed)`` with hooks and anomaly checks (see the module docstring)."""
    checking = is_anomaly_enabled()
    if root._operation is None:
        _leaf_root(root, seed, checking)
        return
    hooked = hooks._hooks
    leaves: dict[int, list[Any]] = {}  # hooked leaves: id -> [leaf, grad before this pass, contribution]
    try:
        pending = pending_counts(root)  # interior node -> its consumers inside the graph
        for p in pending:
            p.grad = 0.0  # interior gradients are recomputed by each pass; leaves accumulate
        root.grad = seed
        ready = [root]
        while ready:
            v = ready.pop()
            if id(v) in hooked:
                v.grad = run_hooks(v, v.grad)
            g = v.grad
            if checking and not finite(g):
                raise backward_error(v, f"gradient ∂L/∂v = {g!r}")
            op = v._operation
            ps = parents_of(v)
            if op.arity == -1:  # a micrograd-style closure adds into the parents itself
                v._const()
                if checking:
                    for i, p in enumerate(ps):
                        if not finite(p.grad):
                            raise backward_error(v, f"the _backward closure left input #{i} with gradient {p.grad!r}")
            else:
                local = call_deriv(op, [p.data for p in ps], v.data, constant_of(v))
                for i in step_order(v):  # backward()'s order, so hooks change no last bit elsewhere
                    p, d = ps[i], local[i]
                    step = g * d
                    if p._operation is None and id(p) in hooked:
                        entry = leaves.setdefault(id(p), [p, p.grad, 0.0])
                        entry[2] += step
                    p.grad += step
                    if checking and not finite(p.grad):
                        what = (f"∂L/∂v · ∂v/∂x = {g!r} · {d!r} = {step!r} flowing into input #{i}"
                                if not finite(step) else f"input #{i}'s gradient sum {p.grad!r} (overflow)")
                        raise backward_error(v, what)
            for p in ps:
                if p._operation is not None:
                    n = pending[p] - 1
                    pending[p] = n
                    if not n:
                        ready.append(p)
    except BaseException as e:
        abandon_pass(root, e)
        raise
    for leaf, before, total in leaves.values():
        g = run_hooks(leaf, total)
        if g != total:
            leaf.grad = before + g
        if checking and not finite(leaf.grad):
            raise backward_error(leaf, f"the leaf's gradient {leaf.grad!r} after its hooks")
