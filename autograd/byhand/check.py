"""``check_by_hand``: a learner's ∂L/∂v for some nodes, against the engine's, step by step.

The true gradients come from ``autograd.functional``'s float walk (the same chain rule and order as
``backward()``, its sums in a dict of its own), so no node's ``.grad`` is read or written. For each
node n the learner gave, the chain rule is then redone **from the learner's own upstream numbers**:

    U(n) = Σ_{c consumes n} G(c) · ∂c/∂n        G(c) = the learner's ∂L/∂c, or U(c) if they gave none

(the note's δ_j = f′(z_j) Σ_k δ_k w_jk, written for any graph: a node with several consumers sums a
term for each). Where the learner gave no number, their numbers above are carried through with the
true local derivatives, so U(c) is the true ∂L/∂c when everything they gave above c is right, and
what their own numbers imply when not: a δ_j worked out from a wrong δ_k is inherited even though
the y_k between them was never written down. A wrong number is then

* ``"local"`` when it differs from U(n): the step at n itself went wrong (its local derivative, a
  sign, a forgotten term), whatever came from above;
* ``"inherited"`` when it equals U(n) and some upstream number is wrong (outside atol/rtol): this
  step was done right, on wrong numbers from above. Upstream numbers each right within tolerance
  can still drift U(n) off the truth; a number off only by that drift is local, never inherited.

The first wrong node in backward order is the root cause; its verdict is always ``"local"``, since
everything above it is right. Forward values (``values=``) are judged the same way on the forward
pass: a wrong value is ``"inherited"`` when the op applied to the learner's own parent values gives it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from autograd.byhand.keys import Names, resolve, show
from autograd.checking.numerical import check_settings, close
from autograd.engine import Value
from autograd.explain.steps import edge_formula
from autograd.functional.gradients import _closure_float_step, float_gradients
from autograd.graph import backward_order, constant_of, has_rule, is_closure, local_grads, parents_of, topological_order

RIGHT, LOCAL, INHERITED = "right", "local", "inherited"


@dataclass(frozen=True)
class Term:
    """One term G(c) · ∂c/∂n of the learner's chain rule into n: ``consumer`` c (``name``), the
    upstream ``upstream`` G(c) (``given``: the learner's own number; else what their numbers above
    imply), whether that upstream is the ``true`` one, ``local`` ∂c/∂n and the op table's
    ``formula`` for this edge."""

    consumer: Value
    name: str
    upstream: float
    given: bool
    local: float
    formula: str
    true: bool = True

    @property
    def product(self) -> float:
        return self.upstream * self.local


@dataclass
class Row:
    """One node the learner gave: their number, the engine's, Karpathy's columns (``exact``, ``close``,
    ``maxdiff``), the ``verdict``, and ``expected_here``: what the chain rule gives from their own upstream
    numbers (the recomputed forward value, for a value row), with its ``terms``."""

    node: Value
    name: str
    theirs: float
    true: float
    exact: bool
    close: bool
    maxdiff: float
    verdict: str
    expected_here: float | None
    terms: list[Term] = field(default_factory=list)
    kind: str = "grad"


def _consumers(order: list[Value], names: Names) -> dict[Value, list[tuple[Value, int, float]]]:
    """For each node, the edges (consumer, parent position, ∂consumer/∂node) that lead out of it."""
    out: dict[Value, list[tuple[Value, int, float]]] = {}
    for c in order:
        if c.is_leaf:
            continue
        ps = parents_of(c)
        if is_closure(c):  # a micrograd-style closure: its effect per distinct parent with ∂L/∂c = 1
            for p, d in _closure_float_step(c, 1.0):
                out.setdefault(p, []).append((c, ps.index(p), d))
        elif has_rule(c):
            for i, (p, d) in enumerate(zip(ps, local_grads(c, names.where), strict=True)):
                out.setdefault(p, []).append((c, i, d))
    return out


def _sum(products: list[float]) -> float:
    total = 0.0
    for x in products:
        total += x
    return total


def _judge(theirs: float, true: float, here: float | None, atol: float, rtol: float, carried: bool) -> str:
    """Right, or wrong: inherited only when something above is wrong (``carried``) and their number is
    what the chain rule gives from it; a number off only by upstream numbers that are each within
    tolerance is this step's own (local) miss."""
    if _close(theirs, true, atol, rtol):
        return RIGHT
    return INHERITED if carried and here is not None and _close(theirs, here, atol, rtol) else LOCAL


def _close(a: float, b: float, atol: float, rtol: float) -> bool:
    """``close``, with NaN close to NaN and an infinity close only to itself (|1e300 − inf| ≤ rtol·inf holds)."""
    if math.isinf(a) or math.isinf(b):
        return a == b
    return close(a, b, atol, rtol) or (math.isnan(a) and math.isnan(b))


def _row(v: Value, names: Names, theirs: float, true: float, here: float | None, atol: float, rtol: float,
         terms: list[Term], kind: str, carried: bool) -> Row:
    diff = abs(theirs - true) if not (math.isinf(theirs) and theirs == true) else 0.0
    return Row(v, names.name(v), theirs, true, theirs == true, _close(theirs, true, atol, rtol), diff,
               _judge(theirs, true, here, atol, rtol, carried), here, terms, kind)


def _formula(c: Value, i: int, names: Names) -> str:
    """The op table's formula for the edge (``*: ∂y/∂a = b``), its letters named for a two-input op: the
    table's a, b are the op's own arguments, not the learner's nodes that may be labelled a and b."""
    if is_closure(c):
        return ""
    text = edge_formula(c, i)
    ps = parents_of(c)
    op = c.operation
    if text and op is not None and op.arity == 2 and len(ps) == 2:
        y, a, b = (show(names.name(v), 12) for v in (c, *ps))
        text += f" with y = {y}, a = {a}, b = {b}"
    return text


def gradient_rows(loss: Value, order: list[Value], names: Names, theirs: dict[Value, float],
                  atol: float, rtol: float) -> list[Row]:
    """One row per node in ``theirs``, in backward order (interior nodes as ``backward()`` takes them,
    then the leaves, each after all its consumers)."""
    true = dict(zip(order, float_gradients(loss, order), strict=True))
    edges = _consumers(order, names)
    ranked = backward_order(loss) + [v for v in reversed(order) if v.is_leaf]
    implied: dict[Value, float] = {}  # G(v): the learner's number, or what their numbers above imply
    rows = []
    for v in ranked:
        out = edges.get(v, [])
        here = 1.0 if v is loss else _sum([implied[c] * d for c, _, d in out])  # the seed ∂L/∂L is 1
        implied[v] = theirs.get(v, here)
        if v in theirs:  # the terms written out, for the report
            terms = [Term(c, names.name(c), implied[c], c in theirs, d, _formula(c, i, names),
                          _close(implied[c], true[c], 0.0, 1e-12)) for c, i, d in out]
            carried = any(not _close(implied[c], true[c], atol, rtol) for c, _, _ in out)
            rows.append(_row(v, names, theirs[v], true[v], here, atol, rtol, terms, "grad", carried))
    return rows


def _recomputed(v: Value, theirs: dict[Value, float]) -> float | None:
    """v's op applied to the learner's values of its parents (the true ones where not given), or None."""
    op = v.operation
    if op is None or is_closure(v) or not has_rule(v):
        return None
    xs = [theirs.get(p, p.data) for p in parents_of(v)]
    c = constant_of(v)
    try:
        return float(op.forward(*xs) if c is None else op.forward(*xs, c))
    except Exception:  # the learner's values may be outside the op's domain: then no recomputation
        return None


def value_rows(order: list[Value], names: Names, theirs: dict[Value, float], atol: float, rtol: float) -> list[Row]:
    """One row per forward value the learner gave, in topological order (the forward pass)."""
    return [_row(v, names, theirs[v], v.data, _recomputed(v, theirs), atol, rtol, [], "value",
                 any(not _close(theirs[p], p.data, atol, rtol) for p in parents_of(v) if p in theirs))
            for v in order if v in theirs]


@dataclass
class Checked:
    """What ``check_by_hand`` found (``autograd.byhand.report.ByHandReport`` presents it)."""

    loss: Value
    names: Names
    rows: list[Row]
    values: list[Row]
    atol: float
    rtol: float


def run(loss: Any, expected: Any, *, atol: float, rtol: float, values: Mapping[Any, Any] | None,
        names: Any, where: str) -> Checked:
    """Resolve the learner's numbers and judge them (see the module docstring)."""
    if not isinstance(loss, Value):
        raise TypeError(f"{where}: the loss must be a Value (the output whose gradients you worked out), got "
                        f"{type(loss).__name__}")
    check_settings(where, atol=atol, rtol=rtol)
    order = topological_order(loss)
    known = Names(loss, order, names, where)
    theirs = resolve(expected, known, "expected")
    given = resolve(values, known, "values") if values is not None else {}
    if not theirs and not given:
        raise ValueError(f"{where}: expected is empty: give your ∂{known.naming.root_name}/∂v for at least one "
                         "node, e.g. {'x': 0.5}")
    try:
        rows = gradient_rows(loss, order, known, theirs, atol, rtol)
    except Exception as e:  # the engine's walk names itself "grad:"; the learner called check_by_hand
        text = str(e)
        if not text.startswith("grad: "):
            raise
        try:
            renamed = type(e)(f"{where}: {text[len('grad: '):]}")
        except Exception:  # an exception type that cannot be rebuilt from a message: keep it as it is
            raise e from None
        raise renamed from e.__cause__
    return Checked(loss, known, rows, value_rows(order, known, given, atol, rtol), atol, rtol)
