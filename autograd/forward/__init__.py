"""Forward mode: ``jvp(f, primals, tangents)`` → (f(x), J·v), and ``jacfwd(f)``, by dual numbers.

Reverse mode (``backward()``) gives every ∂y/∂x_i of one output y in one backward pass. Forward
mode goes the other way: it pushes one *input direction* v = (ẋ_1 … ẋ_n) through the graph and gives
the directional derivative ẏ = Σ_i ∂y/∂x_i · ẋ_i = J·v of every output in one forward pass. Each
node carries a dual number y + ẏ·ε (ε² = 0): its value and its tangent. For a node y = f(x_1 … x_k)

    ẏ = Σ_i ∂y/∂x_i · ẋ_i        (∂y/∂x_i: the op's local derivative, ``op.deriv``, on floats)

so the rule of every op — built-in, or user-defined with ``@op`` / ``autograd.Op`` — is the one
``backward()`` uses, from the op table; nothing here knows an op by name. For the note's neuron
z_j = Σ_i w_ij x_i + b_j, y_j = f(z_j): ż_j = Σ_i (w_ij ẋ_i + x_i ẇ_ij) + ḃ_j and ẏ_j = f′(z_j)·ż_j.

**Design: dual numbers over the recorded trace.** ``f`` is called once on ``Value`` leaves, so it
records its graph exactly as for ``backward()``; then one sweep in topological order (parents
first) computes each node's tangent from its parents' tangents. The alternative, a ``Dual`` number
type with its own ``+``, ``*``, ``tanh`` …, would have to be accepted everywhere a ``Value`` is:
``autograd.sum``/``dot``, ``@op`` calls, ``nn`` layers (``reductions.dense``) and constants made
with ``Value(…)`` inside f would each need a second code path in the engine, and any path missed
would silently treat a dual as a constant (a wrong number). Tracing reuses all of them as they
are. What it costs is forward mode's usual memory advantage: the graph is kept while the tangents
are pushed (as for ``backward()``). What stays independent of reverse mode, so that the two check
each other: the order (a depth-first topological order instead of backward's Kahn order and
``_pending`` counts), the accumulation (a sum per node instead of ``+=`` into parents) and the
fast paths of ``autograd.backprop`` (not used here: every node goes through ``op.deriv``).

A zero tangent is an exact zero (as JAX's symbolic zeros): a node whose inputs all have tangent 0
gets tangent 0 without evaluating its derivative, so √c at c = 0 on a path the direction does not
move gives 0, not ∞·0 = NaN (``backward()`` would give NaN there).

Nodes made by a micrograd-style ``_backward`` closure carry no local derivative that can be read,
so forward mode rejects them with an error naming the node (define the op with ``autograd.op``).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence
from typing import Any

from autograd.engine import Value, as_number, describe
from autograd.graph import (
    MissingDerivativeError,
    RulelessError,
    call_deriv,
    constant_of,
    has_rule,
    is_closure,
    operation_of,
    parents_of,
    topological_order_of,
)
from autograd.modes import is_grad_enabled

__all__ = ["jacfwd", "jvp", "push_tangents"]


def _number(x: object, where: str) -> float:
    if isinstance(x, Value):
        return x.data
    if isinstance(x, numbers.Real) and not isinstance(x, bool):
        return as_number(x, where)  # an int beyond the floats gets a clear OverflowError
    raise TypeError(f"{where} must be a real number or a Value, got {describe(x)} of type {type(x).__name__}")


def _numbers(xs: Any, where: str) -> list[float]:
    items = [xs] if isinstance(xs, (Value, numbers.Real)) else xs
    if isinstance(items, (str, bytes)) or not isinstance(items, Sequence):
        raise TypeError(f"{where} must be a list of numbers (one per argument of f), got {describe(xs)}")
    return [_number(x, f"{where}[{i}]") for i, x in enumerate(items)]


def _outputs(out: Any, where: str) -> tuple[list[Value], bool]:
    """f's result as a list of nodes, and whether it was a single one."""
    if isinstance(out, Value):
        return [out], True
    if isinstance(out, (list, tuple)) and all(isinstance(o, Value) for o in out):
        return list(out), False
    hint = (" (a float: an argument went through math.* or .data, outside the graph; use the Value's methods)"
            if isinstance(out, numbers.Real) else "")
    raise TypeError(f"{where}: f must return a Value or a list of Values, got {describe(out)}{hint}")




def _tangent(v: Value, parents: tuple[Value, ...], dots: list[float]) -> float:
    """ẏ = Σ_i ∂y/∂x_i · ẋ_i for node v, with ∂y/∂x_i from the op table (``op.deriv`` on floats)."""
    op = operation_of(v)
    assert op is not None
    if is_closure(v) or not has_rule(v):
        how = "a micrograd-style _backward closure" if is_closure(v) else f"Value(data, children, {v._op!r})"
        raise MissingDerivativeError(
            f"jvp: node {v!r} (op {v._op!r}) was made by {how}, which has no local derivative forward mode "
            "can read; define the operation with autograd.op (or autograd.Op) so that it has op.deriv")
    try:
        ds = call_deriv(op, [p.data for p in parents], v.data, constant_of(v))
    except RulelessError:
        raise MissingDerivativeError(f"jvp: node {v!r} (op {v._op!r}) has no derivative rule") from None
    total = 0.0
    for d, t in zip(ds, dots, strict=True):
        if t:  # an exact zero tangent contributes exactly 0 (no 0·∞ = NaN)
            total += float(d) * t
    return total


def push_tangents(outputs: Sequence[Value], seeds: dict[Value, float],
                  order: Sequence[Value] | None = None) -> list[float]:
    """The tangent ẏ of each output, given the tangents ``seeds`` of some leaves (others are 0).

    One forward sweep over the recorded graph in topological order (``order`` may be passed to
    reuse it across directions). Leaves not in ``seeds`` — weights captured by f, constants —
    have tangent 0.
    """
    nodes = topological_order_of(outputs) if order is None else order
    dot: dict[int, float] = {}
    for v in nodes:
        if v.is_leaf:
            dot[id(v)] = seeds.get(v, 0.0)
            continue
        ps = parents_of(v)
        ts = [dot[id(p)] for p in ps]
        dot[id(v)] = _tangent(v, ps, ts) if any(ts) else 0.0
    return [dot[id(y)] for y in outputs]


def _trace(f: Callable[..., Any], xs: Sequence[float], where: str) -> tuple[list[Value], list[Value], bool]:
    """Call f once on fresh leaves, recording its graph: (leaves, outputs, single output?)."""
    if not callable(f) or isinstance(f, Value):
        raise TypeError(f"{where}: f must be a function of scalars returning a Value, got {describe(f)}")
    if not is_grad_enabled():
        raise RuntimeError(f"{where}: called inside no_grad(), where f records no graph for the tangents to "
                           "follow; call it outside the no_grad() block")
    leaves = [Value(x) for x in xs]
    outs, single = _outputs(f(*leaves), where)
    return leaves, outs, single


def jvp(f: Callable[..., Any], primals: Any, tangents: Any) -> tuple[Any, Any]:
    """``(f(x), J·v)``: f's value at ``primals`` and its derivative in the direction ``tangents``.

    ``f`` takes one scalar per primal (it is called with ``Value`` leaves) and returns a ``Value``
    (then both results are floats) or a list of Values (then both are lists of floats).
    ``tangents`` holds one ẋ_i per primal: ``jvp(f, [x, y], [1, 0])`` is (f, ∂f/∂x). One trace of f
    and one forward sweep of tangents, ẏ = Σ_i ∂y/∂x_i · ẋ_i (see the module docstring).
    """
    xs = _numbers(primals, "jvp: primals")
    vs = _numbers(tangents, "jvp: tangents")
    if len(xs) != len(vs):
        raise ValueError(f"jvp: {len(xs)} primal(s) but {len(vs)} tangent(s); give one tangent per primal")
    for i, t in enumerate(vs):
        if not math.isfinite(t):
            raise ValueError(f"jvp: tangents[{i}] is {t!r}; a direction must be finite")
    leaves, outs, single = _trace(f, xs, "jvp")
    dots = push_tangents(outs, dict(zip(leaves, vs, strict=True)))
    values = [y.data for y in outs]
    return (values[0], dots[0]) if single else (values, dots)


def jacfwd(f: Callable[..., Any]) -> Callable[..., Any]:
    """The function computing ∂f_i/∂x_j by forward mode: one tangent sweep per input direction.

    ``jacfwd(f)(x_1, …, x_n)`` traces f once, then pushes the n unit directions e_j through the
    graph: column j of the Jacobian per sweep. For f returning one ``Value`` the result is the
    gradient ``[∂f/∂x_1, …]``; for a list of outputs it is the rows ``J[i][j] = ∂f_i/∂x_j`` (the
    same layout as ``autograd.jacobian``, which takes one backward pass per output instead).
    """
    if not callable(f) or isinstance(f, Value):
        raise TypeError(f"jacfwd: f must be a function of scalars returning a Value, got {describe(f)}")

    def jacobian(*args: Any) -> Any:
        xs = [_number(a, f"jacfwd: argument {i}") for i, a in enumerate(args)]
        leaves, outs, single = _trace(f, xs, "jacfwd")
        order = topological_order_of(outs)
        columns = [push_tangents(outs, {leaf: 1.0}, order) for leaf in leaves]
        rows = [[col[i] for col in columns] for i in range(len(outs))]
        return rows[0] if single else rows

    jacobian.__name__ = f"jacfwd_{getattr(f, '__name__', 'f')}"
    return jacobian
