"""The report of ``check_by_hand``: the root cause first, in words and numbers, then Karpathy's table.

The first line says the verdict and names the root-cause node. Then, for that node, the chain rule
written out with the numbers the learner should have used (their own upstream numbers, the true
local derivatives and the op table's formula for each edge) and a hint at the kind of slip (a sign,
a forgotten term of a node used twice, the local derivative alone without the upstream factor).
Then one row per node given, in backward order: yours, the engine's, exact, close, max difference
and the verdict. Every line is at most ``WIDTH`` characters; names are escaped and cut to fit.
"""

from __future__ import annotations

import html
from typing import Any

from autograd.byhand.check import INHERITED, LOCAL, RIGHT, Checked, Row
from autograd.byhand.keys import show
from autograd.checking.numerical import close, format_table
from autograd.engine import Value
from autograd.errors import DeltagradError
from autograd.explain.names import fmt

WIDTH = 100
_NAME = 22  # characters of a node's name in the table


class ByHandError(DeltagradError, AssertionError):
    """``assert_by_hand`` failed: the message is the report; ``report`` holds it as data."""

    def __init__(self, report: ByHandReport) -> None:
        super().__init__(str(report))
        self.report = report


def _num(x: float) -> str:
    return f"{x:.6g}"


def _hint(row: Row, atol: float, rtol: float) -> str:
    """What kind of slip a local mistake looks like, from the learner's number and the terms."""
    t, terms, here, n = row.theirs, row.terms, row.expected_here, show(row.name)
    if here is None:
        return ""
    if here != 0.0 and close(t, -here, atol, rtol):
        return "the sign is flipped: check the sign of the local derivative"
    by_consumer: dict[Value, tuple[str, float]] = {}  # x·x is two terms of one consumer: one path, one sum
    for term in terms:
        name, total = by_consumer.get(term.consumer, (term.name, 0.0))
        by_consumer[term.consumer] = (name, total + term.product)
    uses = [(term.name, term.product) for term in terms]  # each use first (a + a), then each consumer
    for paths in (uses, list(by_consumer.values()) if len(by_consumer) < len(terms) else []):
        if len(paths) < 2:
            continue
        for k, (name, product) in enumerate(paths):
            if close(t, product, atol, rtol):
                return (f"you kept only the path through {show(name)}: this node feeds {len(paths)} "
                        f"consumers, and its gradient adds one term for each")
            if close(t, sum(p for j, (_, p) in enumerate(paths) if j != k), atol, rtol):
                return f"the term through {show(name)} is missing: a node used twice gets a term for each use"
    if len(terms) == 1:
        term = terms[0]
        if term.upstream not in (0.0, 1.0) and close(t, term.local, atol, rtol):
            return f"you gave the local derivative alone: multiply it by the upstream ∂L/∂{show(term.name)}"
        if term.upstream != 0.0:
            return (f"you used ∂{show(term.name)}/∂{n} = {_num(t / term.upstream)} where it is "
                    f"{_num(term.local)}")
    return ""


def _chain(row: Row, root: str) -> list[str]:
    """The chain rule into ``row``'s node from the learner's upstream numbers, one line per term."""
    n = show(row.name)
    if not row.terms:
        return [f"  ∂{root}/∂{n} is the seed: 1" if row.kind == "grad" else ""]
    lines = [f"  ∂{root}/∂{n} = Σ over its consumers c of ∂{root}/∂c · ∂c/∂{n}"] if len(row.terms) > 1 else []
    for term in row.terms:
        c = show(term.name)
        whose = "yours" if term.given else "true, you gave none" if term.true else "from your numbers above"
        line = (f"    ∂{root}/∂{c} · ∂{c}/∂{n} = ({fmt(term.upstream)}, {whose}) · {fmt(term.local)} = "
                f"{fmt(term.product)}")
        formula = f"[{term.formula}]" if term.formula else ""
        if len(line) + 3 + len(formula) <= WIDTH:  # the formula beside its term, or on a line of its own
            lines.append(f"{line}   {formula}" if formula else line)
        else:
            lines += [line, f"      {formula}"]
    if len(row.terms) > 1 and row.expected_here is not None:
        lines.append(f"    sum: {fmt(row.expected_here)}")
    return lines


def _cut(line: str) -> str:
    return line if len(line) <= WIDTH else line[: WIDTH - 1] + "…"


class ByHandReport:
    """A learner's numbers judged (see ``autograd.byhand.check``); ``print`` it, or read it as data.

    ``rows``: one ``Row`` per gradient given, in backward order; ``values``: one per forward value
    given, in forward order; ``first_wrong``: the root cause (the first wrong node in backward
    order) or None; ``verdict_of(node)``: "right", "local" or "inherited" (node by label or Value).
    """

    def __init__(self, checked: Checked) -> None:
        self._c = checked
        self.rows, self.values = checked.rows, checked.values
        self.atol, self.rtol = checked.atol, checked.rtol
        self.root_name = checked.names.naming.root_name

    def _row(self, node: Any, rows: list[Row], what: str) -> Row:
        v = self._c.names.node(node)
        for r in rows:
            if r.node is v:
                return r
        raise KeyError(f"check_by_hand: you gave no {what} for {show(self._c.names.name(v))!r}, so it has no verdict")

    def row_of(self, node: Any) -> Row:
        return self._row(node, self.rows, "gradient")

    def verdict_of(self, node: Any) -> str:
        """``"right"``, ``"local"`` (this step's own mistake) or ``"inherited"`` (carried from above)."""
        return self.row_of(node).verdict

    def value_verdict_of(self, node: Any) -> str:
        """The same for a forward value given in ``values=``."""
        return self._row(node, self.values, "forward value").verdict

    @property
    def wrong(self) -> list[Row]:
        return [r for r in self.rows if r.verdict != RIGHT]

    @property
    def wrong_values(self) -> list[Row]:
        return [r for r in self.values if r.verdict != RIGHT]

    @property
    def first_wrong(self) -> Value | None:
        """The root cause: the first wrong gradient in backward order (None when all are right)."""
        return self.wrong[0].node if self.wrong else None

    @property
    def first_wrong_value(self) -> Value | None:
        """The first wrong forward value in forward order, or None."""
        return self.wrong_values[0].node if self.wrong_values else None

    @property
    def passed(self) -> bool:
        return not self.wrong and not self.wrong_values

    def __bool__(self) -> bool:
        return self.passed

    def headline(self) -> str:
        n, m = len(self.rows), len(self.values)
        given = f"{n} gradient(s)" + (f" and {m} forward value(s)" if m else "")
        if self.passed:
            return _cut(f"check_by_hand: all right — {given} match the engine (atol={self.atol:g}, rtol={self.rtol:g})")
        if self.wrong_values:
            r = self.wrong_values[0]
            return _cut(f"check_by_hand: WRONG — first wrong forward value: {show(r.name)} "
                        f"({len(self.wrong_values)} of {m} values, {len(self.wrong)} of {n} gradients wrong)")
        r = self.wrong[0]
        return _cut(f"check_by_hand: WRONG — root cause: ∂{show(self.root_name)}/∂{show(r.name)} (its local step; "
                    f"{len(self.wrong)} of {n} gradients wrong)")

    def explanation(self) -> list[str]:
        """The paragraph on the root cause (empty when all is right)."""
        L = show(self.root_name)
        if self.wrong_values:
            r = self.wrong_values[0]
            lines = [f"{show(r.name)}: you wrote {_num(r.theirs)}, the forward pass gives {_num(r.true)}"]
            if r.expected_here is not None and r.node.operation is not None:
                lines.append(f"  from your values of its inputs, {r.node.operation.doc or r.node.operation.name} "
                             f"gives {_num(r.expected_here)}")
            return lines
        if not self.wrong:
            return []
        r = self.wrong[0]
        lines = [f"{show(r.name)}: you wrote ∂{L}/∂{show(r.name)} = {_num(r.theirs)}; the engine's is {_num(r.true)}.",
                 "Everything above it is right, so the mistake is in this step. From your own upstream numbers:",
                 *_chain(r, L)]
        hint = _hint(r, self.atol, self.rtol)
        if hint:
            lines.append(f"  hint: {hint}")
        carried = [w for w in self.wrong[1:] if w.verdict == INHERITED]
        if carried:
            names = ", ".join(show(w.name, 16) for w in carried[:5]) + (", …" if len(carried) > 5 else "")
            lines.append(f"Inherited (done right from your wrong numbers above): {names}")
        also = [w for w in self.wrong[1:] if w.verdict == LOCAL]
        if also:
            names = ", ".join(show(w.name, 16) for w in also[:5]) + (", …" if len(also) > 5 else "")
            lines.append(f"Also wrong in their own step: {names}")
        return lines

    def table(self) -> str:
        def cells(r: Row) -> list[str]:
            return [show(r.name, _NAME), _num(r.theirs), _num(r.true), str(r.exact), str(r.close), f"{r.maxdiff:.2g}",
                    r.verdict]
        parts = []
        if self.values:
            parts.append(format_table(["value", "yours", "engine", "exact", "close", "maxdiff", "verdict"],
                                      [cells(r) for r in self.values]))
        if self.rows:
            parts.append(format_table([f"∂{show(self.root_name, 12)}/∂", "yours", "engine", "exact", "close",
                                       "maxdiff", "verdict"], [cells(r) for r in self.rows]))
        return "\n\n".join(parts)

    def __str__(self) -> str:
        lines = [self.headline(), *self.explanation()]
        text = "\n".join(_cut(line) for line in lines if line)
        return text + "\n\n" + "\n".join(_cut(line) for line in self.table().splitlines())

    def __repr__(self) -> str:
        return f"<ByHandReport: {len(self.rows)} gradient(s), {len(self.wrong)} wrong>"

    def _repr_html_(self) -> str:
        return f"<pre>{html.escape(str(self))}</pre>"

    def _repr_markdown_(self) -> str:
        return "```\n" + str(self).replace("```", "ʼʼʼ") + "\n```"
