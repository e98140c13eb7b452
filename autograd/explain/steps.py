"""``explain(y)``: ``y.backward()``, and every chain-rule step it took, in the order it took them.

For each edge from a node v to one of its parents p, ``backward()`` does one step (the note's
δ-rule written for any graph)::

    ∂L/∂p += ∂L/∂v · ∂v/∂p          (upstream · local = contribution; p.grad is then the total)

``explain`` runs the real ``backward()`` and then replays the same walk on floats of its own:
the same order (``autograd.graph.backward_order``, Kahn's order from the root), the same local
derivatives (``autograd.backprop.local_grads``, the op table's ``deriv``), the same products added
in the same sequence (the edges of a ``linear`` node in the order its fast path adds them:
w_0, x_0, w_1, x_1, …, b), interior sums starting at 0 and leaves at their gradient before the
call. Every total is then compared bit for bit with the ``.grad`` that ``backward()`` left; if one
differs, ``ExplainError`` is raised: the steps shown are the computation, never a re-derivation
that could disagree with it.

A node defined micrograd's way (``out._backward = closure``) has no formula, only code: its step
shows the closure's *effect* on each parent (the closure is run on borrowed ``.grad`` fields,
which are then restored). A closure that writes ``p.grad = …`` instead of ``p.grad += …`` is
caught in the act: its step says the gradient was replaced, not added to.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, overload

from autograd import ops
from autograd.engine import Value, as_number
from autograd.errors import DeltagradError
from autograd.explain.names import Naming, check_precision, fmt
from autograd.explain.tex import explanation_latex, explanation_markdown, named_rule, step_latex
from autograd.graph import (
    backward_order,
    closure_of,
    constant_of,
    is_closure,
    local_grads,
    parents_of,
    topological_order,
)


class ExplainError(DeltagradError, RuntimeError):
    """The replayed steps disagree with the gradients ``backward()`` produced (a closure that writes
    into nodes other than its parents, or a graph changed during the call)."""


@dataclass(frozen=True)
class Step:
    """One chain-rule step ∂L/∂p += ∂L/∂v · ∂v/∂p, from node v (``node``) to its parent p.

    ``upstream`` is ∂L/∂v, ``local`` ∂v/∂p (None for a micrograd-style closure, whose rule is
    code), ``contribution`` what was added to p.grad, ``before`` and ``total`` p.grad before and
    after the step. ``position`` is the parent's argument index, ``formula`` the op table's
    local derivative for this edge, ``delta`` the note's (name, δ = −∂E/∂z) when v is a neuron's z.
    """

    index: int
    node: Value
    parent: Value
    position: int
    upstream: float
    local: float | None
    contribution: float
    before: float
    total: float
    formula: str
    node_name: str
    parent_name: str
    root_name: str
    closure: bool = False
    skipped: bool = False
    note: str = ""
    delta: tuple[str, float] | None = None
    rule: str = ""
    precision: int = 4

    def fmt(self, x: float) -> str:
        """A number of this step as printed (``precision`` decimals, or significant digits when tiny)."""
        return fmt(x, self.precision)

    def latex(self) -> str:
        """The step as LaTeX math (pdflatex-safe): ∂L/∂p += ∂L/∂v · ∂v/∂p = (upstream) · local = contribution."""
        return step_latex(self, self.fmt)

    def equation(self) -> str:
        """The step in the note's notation, with its numbers (no formula, no running total)."""
        L, v, p = self.root_name, self.node_name, self.parent_name
        if self.closure:
            return (f"∂{L}/∂{p} += (the _backward closure of {v}: only its effect can be shown) "
                    f"= {self.fmt(self.contribution)}")
        local = "" if self.local is None else self.fmt(self.local)
        return (f"∂{L}/∂{p} += ∂{L}/∂{v} · ∂{v}/∂{p} = ({self.fmt(self.upstream)}) · {local} "
                f"= {self.fmt(self.contribution)}")

    def __str__(self) -> str:
        text = f"{self.equation()}   ({self.parent_name}.grad now {self.fmt(self.total)})"
        if self.rule or self.formula:
            text += f"   [{self.rule or self.formula}]"
        if self.delta is not None:
            text += f"   [{self.delta[0]} = −∂{self.root_name}/∂{self.node_name} = {self.fmt(self.delta[1])}]"
        if self.note:
            text += f"   — {self.note}"
        return text


def edge_formula(v: Value, position: int) -> str:
    """The op table's local derivative for the edge to parent ``position`` of ``v`` (``'tanh: 1 − y²'``).

    Two-input ops write theirs as ``∂y/∂a = …, ∂y/∂b = …``: the part for this argument is shown;
    ``linear``'s three parts are for the weights, the inputs and the bias.
    """
    op = v.operation
    if op is None or is_closure(v):
        return ""
    name = op.describe(constant_of(v))
    if not op.formula:
        return f"{name}: (no formula given)"
    parts = op.formula.split(", ")
    n = len(parents_of(v))
    if op.arity == 2 and len(parts) == 2:
        return f"{name}: {parts[position]}"
    if op is ops.LINEAR and len(parts) == 3 and n % 2 == 1:
        k = n // 2
        return f"{name}: {parts[0 if position < k else 1 if position < 2 * k else 2]}"
    return f"{name}: {op.formula}"


def _edge_order(v: Value, n: int) -> list[int]:
    """The parents' indices in the order ``backward()`` adds into them (linear's fast path interleaves)."""
    if v.operation is ops.LINEAR and n % 2 == 1:
        k = n // 2
        return [i for pair in zip(range(k), range(k, 2 * k), strict=True) for i in pair] + [n - 1]
    return list(range(n))


def _same(a: float, b: float) -> bool:
    """Bit-for-bit equality of two floats (−0.0 differs from 0.0; any NaN equals any NaN)."""
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)


def _closure_effect(v: Value, g: float, acc: dict[Value, float],
                    order: list[Value]) -> tuple[dict[Value, float], dict[Value, float]]:
    """Run v's closure twice on borrowed ``.grad`` fields: from 0 (what it adds) and from the running
    totals (what ``backward()`` saw it do). Every ``.grad`` of the graph is restored afterwards."""
    unique = list(dict.fromkeys(parents_of(v)))
    saved = [(q, q.grad) for q in order]
    try:
        for p in unique:
            p.grad = 0.0
        v.grad = g
        closure_of(v)()
        alone = {p: p.grad for p in unique}
        for p in unique:
            p.grad = acc[p]
        v.grad = g
        closure_of(v)()
        return alone, {p: p.grad for p in unique}
    finally:
        for q, old in saved:
            q.grad = old


class Explanation(Sequence[Step]):
    """The steps of one ``backward()``, in order; printed in the note's notation, a table in Jupyter.

    ``of(p)`` are the steps into one node, ``deltas`` the note's δ of each named neuron,
    ``name(v)`` how a node is called in the steps.
    """

    def __init__(self, root: Value, steps: list[Step], naming: Naming, seed: float, precision: int = 4) -> None:
        self.root, self.steps, self.naming, self.seed = root, steps, naming, seed
        self.precision = precision

    def fmt(self, x: float) -> str:
        return fmt(x, self.precision)

    def latex(self) -> str:
        """Every step as a line of an ``align*`` environment, for a slide (needs ``\\usepackage{amsmath}``)."""
        return explanation_latex(self.steps, self.fmt)

    def markdown(self) -> str:
        """The header and a numbered list of the steps, each as ``$…$`` math and its rule (a Markdown cell)."""
        return explanation_markdown(self.header(), self.steps, self.fmt)

    @overload
    def __getitem__(self, i: int) -> Step: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[Step]: ...
    def __getitem__(self, i: int | slice) -> Step | Sequence[Step]:
        return self.steps[i]

    def __len__(self) -> int:
        return len(self.steps)

    def __iter__(self) -> Iterator[Step]:
        return iter(self.steps)

    def name(self, v: Value) -> str:
        return self.naming.name(v)

    def of(self, node: Value) -> list[Step]:
        """The steps that added into ``node``'s gradient, in order."""
        return [s for s in self.steps if s.parent is node]

    @property
    def deltas(self) -> dict[str, float]:
        """The note's δ = −∂E/∂z of each neuron whose z is in the graph (δ_k, δ_j0, …), by name."""
        return {s.delta[0]: s.delta[1] for s in self.steps if s.delta is not None}

    def header(self) -> str:
        L = self.naming.root_name
        return (f"backward() from {L} = {self.fmt(self.root.data)}: ∂{L}/∂{L} = {self.fmt(self.seed)}, then "
                f"{len(self.steps)} step(s) ∂{L}/∂p += ∂{L}/∂v · ∂v/∂p in backward order")

    def __str__(self) -> str:
        lines = [self.header()]
        width = len(str(len(self.steps)))
        lines += [f"{s.index:>{width}}. {s}" for s in self.steps]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<Explanation of {len(self.steps)} step(s) from {self.naming.root_name}>"

    def _repr_html_(self) -> str:
        esc = html.escape
        head = "".join(f"<th>{esc(h)}</th>" for h in ("#", "node v", "parent p", "∂L/∂v", "∂v/∂p", "local formula",
                                                      "contribution", "p.grad now", "note"))
        rows = []
        for s in self.steps:
            local = "closure (effect only)" if s.local is None else s.fmt(s.local)
            note = s.note or (f"{s.delta[0]} = {s.fmt(s.delta[1])}" if s.delta else "")
            cells = (str(s.index), s.node_name, s.parent_name, s.fmt(s.upstream), local, s.formula,
                     s.fmt(s.contribution), s.fmt(s.total), note)
            rows.append("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in cells) + "</tr>")
        return (f"<p>{esc(self.header())}</p><table><thead><tr>{head}</tr></thead>"
                f"<tbody>{''.join(rows)}</tbody></table>")


def explain(y: Value, names: Any = None, *, grad: float = 1.0, precision: int = 4) -> Explanation:
    """Run ``y.backward(grad)`` and return its chain-rule steps, in backward order (see the module doc).

    ``names``: an object with ``named_parameters()`` (an ``nn`` model), a mapping name → Value or
    (name, Value) pairs: those nodes are called by their names, and the z and y of each neuron of a
    model (``layers.L.neurons.J``) by the note's names (z_k, δ_k at the output, z_j0, δ_j0 below).
    Other nodes are called by their label, else ``v{i}`` as ``draw_dot`` numbers them.
    ``precision``: the decimals printed (significant digits for tiny numbers). Each step's ``rule``
    is its formula with the operands named by their nodes (``*: ∂v5/∂x = w``); ``.latex()`` and
    ``.markdown()`` give the steps for slides and Markdown cells.
    Raises ``ExplainError`` if a replayed total differs from what ``backward()`` computed.
    """
    if not isinstance(y, Value):
        raise TypeError(f"explain: expected a Value (the output to differentiate), got {type(y).__name__}")
    seed = as_number(grad, "explain(grad)")
    precision = check_precision(precision, "explain")
    order = topological_order(y)
    start = {v: v.grad for v in order if v.is_leaf}
    naming = Naming(y, order, names)
    y.backward(seed)
    acc: dict[Value, float] = {v: start.get(v, 0.0) for v in order}
    acc[y] = start[y] + seed if y.is_leaf else seed
    steps: list[Step] = []
    for v in backward_order(y):
        g = acc[v]
        ps = parents_of(v)
        delta = naming.delta_of(v, g)
        common: dict[str, Any] = {"node": v, "upstream": g, "node_name": naming.name(v), "root_name": naming.root_name,
                  "delta": delta, "precision": precision}
        inputs = [naming.name(p) for p in ps]
        if is_closure(v):
            alone, after = _closure_effect(v, g, acc, order)
            for p in dict.fromkeys(ps):
                before, total, added = acc[p], after[p], alone[p]
                if _same(before + added, total):
                    note, contribution = "", added
                elif _same(total, added) and before != 0.0:
                    note = (f"the closure REPLACED {naming.name(p)}.grad ({fmt(before)} → {fmt(total)}) instead of "
                            "adding to it: `=` where `+=` belongs, so the earlier contributions are lost")
                    contribution = total - before
                else:
                    note, contribution = "the closure's effect is not one addition (it adds more than once?)", \
                        total - before
                acc[p] = total
                steps.append(Step(len(steps) + 1, parent=p, position=ps.index(p), local=None, contribution=contribution,
                                  before=before, total=total, formula="micrograd-style _backward closure: its rule "
                                  "is code, not a formula", parent_name=naming.name(p), closure=True, note=note,
                                  **common))
            continue
        locs = local_grads(v)
        skip = v.operation is ops.LINEAR and len(ps) % 2 == 1 and not g and v.data - v.data == 0.0
        for i in _edge_order(v, len(ps)):
            p, d = ps[i], locs[i]
            before, c = acc[p], g * d
            total = before if skip else before + c
            acc[p] = total
            steps.append(Step(len(steps) + 1, parent=p, position=i, local=d, contribution=c, before=before,
                              total=total, formula=edge_formula(v, i), parent_name=naming.name(p), skipped=skip,
                              rule=named_rule(edge_formula(v, i), naming.name(v), inputs),
                              note="∂L/∂z = 0: backward() skips adding ±0, which changes nothing" if skip else "",
                              **common))
    for v in order:
        if not _same(acc[v], v.grad):
            raise ExplainError(
                f"explain: replaying backward() gives {naming.name(v)}.grad = {acc[v]!r} but backward() left "
                f"{v.grad!r} (node {v!r}); a micrograd-style _backward closure may write into nodes that are "
                "not its parents, or the graph changed during the call. No steps are shown rather than wrong ones"
            )
    return Explanation(y, steps, naming, seed, precision)
