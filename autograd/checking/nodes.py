"""Which node is wrong: check every node's recorded backward step on the values it actually saw.

For a node v with parents p_i, its backward step must do exactly ∂L/∂p_i += ∂L/∂v · ∂v/∂p_i, with
∂v/∂p_i the local derivative at the node's **inputs** (for a neuron, δ_j = f′(z_j) Σ_k δ_k w_jk uses
f′ at z_j). ``check_graph`` runs each node's step on a copy of its local situation with controlled
gradients and checks three things, which catch the classic mistakes of a hand-written operation:

1. it **adds**: with the parents' grads starting at 0.5, 0.75, … they grow by the same amount as
   from 0 (catches ``=`` instead of ``+=``), and it writes into no other node;
2. it **scales** with ∂L/∂v: with ∂L/∂v = 2.5 it adds 2.5 times what it adds with 1 (catches a
   forgotten ``out.grad`` factor);
3. the amount is **right**: with ∂L/∂v = 1 it adds ∂v/∂p_i, compared with central differences of
   the op's forward at the node's recorded inputs (catches a wrong sign, a derivative taken at
   the output instead of the input, a forgotten inner factor).

Nodes made by an ``Op`` are checked on fresh copies. A micrograd-style node (``out._backward =
closure``) is checked in place, since its closure holds the real parents: every grad of the graph
is saved and restored, and stray writes are looked for in the whole graph up to 2000 nodes (beyond
that in the node's two levels of ancestors, to stay linear). It has no forward to differentiate,
so check 3 needs the function that built the graph: ``gradcheck(f, inputs)`` re-runs f with each
input nudged by ±h and reads the node's local derivative off how its value moved with its
parents' values (least squares over the inputs; see ``autograd.checking.replay``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from autograd.checking import numerical as chk
from autograd.checking.numerical import check_settings, difference, error_estimate
from autograd.checking.replay import Replay
from autograd.checking.report import GradcheckError, close, fmt, format_table, printable
from autograd.compat import LOCAL_GRADS
from autograd.engine import Value
from autograd.errors import label_note
from autograd.graph import (
    closure_of,
    constant_of,
    has_rule,
    is_closure,
    topological_order,
    with_parents,
)

_G1, _G2 = 1.0, 2.5  # the upstream gradients ∂L/∂v tried



def _is_call(v: Value) -> bool:
    """Whether a node reads as ``name(args)`` (functions, n-ary ops) rather than with an operator."""
    name = v._op
    return name[:1].isalpha() or not name or len(v._prev) != (2 if constant_of(v) is None else 1)


def _operand(p: Value, depth: int = 2) -> str:
    """``expression(p)``, in parentheses when it is an operator expression."""
    text = expression(p, depth)
    return f"({text})" if not p.label and not p.is_leaf and depth > 0 and not _is_call(p) else text


def expression(v: Value, depth: int = 2) -> str:
    """A short formula for how a node was made, from labels: ``'x * y'``, ``'tanh(x * 2)'``."""
    if v.label:
        return v.label
    if v.is_leaf:
        return fmt(v.data)
    if depth == 0:
        return "…"
    op: Any = v.operation
    name, prev = v._op, v._prev
    if _is_call(v):
        args = [expression(p, depth - 1) for p in prev[:4]] + (["…"] if len(prev) > 4 else [])
        return f"{name or 'op'}({', '.join(args)})"
    args = [_operand(p, depth - 1) for p in prev]
    if constant_of(v) is None:
        return f"{args[0]} {name} {args[1]}"
    text = op.describe(constant_of(v))
    if op.template.startswith("{c}"):
        return f"{text} {args[0]}"
    return f"{args[0]}{text}" if text.startswith("**") else f"{args[0]} {text}"


def _arg(p: Value) -> str:
    return fmt(p.data) if p.is_leaf and not p.label else f"{_operand(p)}={fmt(p.data)}"


def describe_node(v: Value) -> str:
    """A node as its op and the inputs it saw: ``'tanh at x=0.5'``, ``'* 2 at 3 (node h)'``."""
    op: Any = v.operation
    name = "leaf" if op is None else op.describe(constant_of(v))
    prev = v._prev
    args = ", ".join(_arg(p) for p in prev[:6]) + (", …" if len(prev) > 6 else "")
    return f"{name} at {args}{label_note(v)}"


def _wrt(p: Value, i: int) -> str:
    return f"∂/∂(input {i + 1})" if p.is_leaf and not p.label else f"∂/∂{_operand(p)}"


@dataclass
class NodeCheck:
    """The verdict on one node: ``index`` (1-based, counting from the inputs) of ``total`` nodes,
    ``recorded`` local derivatives (what its backward step adds with ∂L/∂v = 1) and ``expected``
    ones (central differences; None where they cannot be computed), one per parent (per distinct
    parent for a closure node), ``status`` ("ok", "FAIL" or "kink") and the ``problem`` found."""

    index: int
    total: int
    node: Value
    parents: list[Value]
    recorded: list[float] = field(default_factory=list)
    expected: list[float | None] = field(default_factory=list)
    status: str = chk.OK
    problem: str = ""


class NodeReport:
    """What a passed ``check_graph`` returns: every node's ``NodeCheck``; ``print`` it for a table."""

    def __init__(self, checks: Sequence[NodeCheck]) -> None:
        self.checks = list(checks)

    def __bool__(self) -> bool:
        return all(c.status != chk.FAIL for c in self.checks)

    def __str__(self) -> str:
        return format_nodes(self.checks)

    def __repr__(self) -> str:
        return f"<NodeReport: {len(self.checks)} nodes checked>"


def format_nodes(checks: Sequence[NodeCheck], limit: int = 30) -> str:
    """A table of node checks (only the non-ok ones when there are more than ``limit``)."""
    shown = checks if len(checks) <= limit else [c for c in checks if c.status != chk.OK][:limit]
    rows = [[str(c.index), printable(describe_node(c.node)), ", ".join(fmt(r) for r in c.recorded),
             ", ".join("?" if e is None else fmt(e) for e in c.expected), c.status] for c in shown]
    return format_table(["#", "node", "recorded ∂", "expected ∂", "status"], rows)


def _first_line(c: NodeCheck) -> str:
    """check_graph's first line: the first wrong node and its worst partial (≤ 100 columns)."""
    pairs = [(i, e) for i, e in enumerate(c.expected) if e is not None and i < len(c.recorded)]
    what = ""
    if pairs:
        i, e = max(pairs, key=lambda p: abs(c.recorded[p[0]] - p[1]) if math.isfinite(c.recorded[p[0]] - p[1])
                   else math.inf)
        what = f": {_wrt(c.parents[i], i)} recorded {fmt(c.recorded[i])}, expected {fmt(e)}"
    line = printable(f"check_graph: FAIL {describe_node(c.node)}{what}")
    return line if len(line) <= 100 else line[:99] + "…"


def node_message(c: NodeCheck) -> str:
    """The paragraph naming a wrong node: where it is, what is wrong, expected vs recorded."""
    lines = [f"First wrong node ({c.index} of {c.total}, counting from the inputs): {describe_node(c.node)}",
             f"  {c.problem}"]
    for i, p in enumerate(c.parents):
        e = c.expected[i] if i < len(c.expected) else None
        r = fmt(c.recorded[i]) if i < len(c.recorded) else "?"
        lines.append(f"    {_wrt(p, i)}: expected {'?' if e is None else fmt(e)}, recorded {r}")
    return "\n".join(printable(line) for line in lines)


# ---------------------------------------------------------------------------------------------
# One node's backward step, run with controlled gradients: step(∂L/∂v, starting grads) returns
# (how much each parent's grad grew, nodes outside the parents whose grad changed).

Step = Callable[[float, Sequence[float]], tuple[list[float], list[Value]]]


def _op_step(v: Value) -> Step:
    def step(g: float, starts: Sequence[float]) -> tuple[list[float], list[Value]]:
        qs = [Value(p.data, label=p.label) for p in v._prev]
        for q, s in zip(qs, starts, strict=True):
            q.grad = s
        c = with_parents(v, tuple(qs))
        c.backward(g)
        return [q.grad - s for q, s in zip(qs, starts, strict=True)], []

    return step


def _closure_step(v: Value, parents: Sequence[Value], everyone: Sequence[Value]) -> Step:
    """Run v's closure in place; ``everyone``: the nodes whose grads are watched (and restored)."""

    def step(g: float, starts: Sequence[float]) -> tuple[list[float], list[Value]]:
        saved = [u.grad for u in everyone]
        try:
            v.grad = g
            for p, s in zip(parents, starts, strict=True):
                p.grad = s
            before = [u.grad for u in everyone]
            closure_of(v)()
            grown = [p.grad - s for p, s in zip(parents, starts, strict=True)]
            after = [u.grad for u in everyone]
        finally:
            for u, s in zip(everyone, saved, strict=True):
                u.grad = s
        mine = set(parents)
        stray = [u for u, b, a in zip(everyone, before, after, strict=True) if u not in mine and not same(a, b)]
        return grown, stray

    return step


def same(a: float, b: float, atol: float = 1e-12, rtol: float = 1e-9) -> bool:
    return close(a, b, atol, rtol) or (math.isnan(a) and math.isnan(b))


def _numerical_local(v: Value, eps: float, atol: float,
                     rtol: float) -> tuple[list[float | None], list[float], str]:
    """∂v/∂p_i by central differences of the op's forward at the node's inputs, the error each may
    have (``error_estimate``, tripled; 0 where it cannot be estimated), and a kink note."""
    op: Any = v.operation
    c = constant_of(v)
    xs = [p.data for p in v._prev]

    def fwd(args: Sequence[float]) -> float:
        return float(op.forward(*args) if c is None else op.forward(*args, c))

    at_kink = op.kink is not None and bool(op.kink(*xs, c))
    try:
        y = fwd(xs)
    except (ValueError, ArithmeticError):
        return [None] * len(xs), [0.0] * len(xs), ""
    expected: list[float | None] = []
    slack: list[float] = []
    crossing = False
    for i, x in enumerate(xs):
        g = (lambda t, i=i: fwd([*xs[:i], t, *xs[i + 1:]]))
        d = difference(g, x, y, eps)
        edge = d.note.startswith("one-sided")  # at an edge of the op's domain: no two-sided referee
        expected.append(None if edge else d.value)
        est = 3.0 * error_estimate(g, x, y, d) if not edge else 0.0
        slack.append(est if math.isfinite(est) else 0.0)
        crossing = crossing or (op.kink is not None and not close(d.forward, d.backward, atol, rtol))
    if at_kink and crossing:  # a predicate claiming a kink where the forward is smooth excuses nothing
        return [None] * len(xs), [0.0] * len(xs), "at its kink: not differentiable at these inputs"
    return expected, slack, ("the numerical step ±h crosses its kink" if crossing else "")


def _distinct(nodes: Sequence[Value]) -> list[Value]:
    return list(dict.fromkeys(nodes))


_WATCH_ALL = 2000  # up to this many nodes, a closure's stray writes are looked for in the whole graph


def _watched(v: Value, order: Sequence[Value]) -> Sequence[Value]:
    """Where a closure's writes are watched: the whole graph if small, else the node and two levels up."""
    if len(order) <= _WATCH_ALL:
        return order
    return _distinct([v, *v._prev, *(g for p in v._prev for g in p._prev)])


def _keeping_grads(order: Sequence[Value], check: Callable[[], Any]) -> Any:
    """Run ``check()`` and put every grad of the graph back as it was (closures write in place)."""
    saved = [u.grad for u in order]
    try:
        return check()
    finally:
        for u, g in zip(order, saved, strict=True):
            u.grad = g


def check_node(v: Value, j: int, order: Sequence[Value], replay: Replay | None,
               eps: float, atol: float, rtol: float, equal_nan: bool = False) -> NodeCheck:
    """The verdict on node ``v`` at position ``j`` of ``order`` (see the module docstring)."""
    closure = is_closure(v)
    parents = _distinct(v._prev) if closure else list(v._prev)
    check = NodeCheck(j + 1, len(order), v, parents)
    if not closure and not has_rule(v):
        check.status, check.problem = chk.FAIL, ("it has parents but no derivative rule: define the operation with "
                                             "autograd.Op (or @autograd.custom.op), or set out._backward")
        return check
    step = _closure_step(v, parents, _watched(v, order)) if closure else _op_step(v)
    zeros, starts = [0.0] * len(parents), [0.5 + 0.25 * i for i in range(len(parents))]
    try:
        (d0, stray), (d1, _), (d2, _) = step(_G1, zeros), step(_G1, starts), step(_G2, zeros)
    except Exception as e:  # a user's closure or derivative may raise anything: report it on its node
        check.status, check.problem = chk.FAIL, f"its backward step raised {type(e).__name__}: {e}"
        return check
    check.recorded = d0
    kink = ""
    slack = [0.0] * len(parents)
    if closure or v.operation is LOCAL_GRADS:  # no forward to differentiate (microgpt's nodes neither): replay f
        check.expected = replay.local(j, parents) if replay is not None else [None] * len(parents)
    else:
        check.expected, slack, kink = _numerical_local(v, eps, atol, rtol)
    check.problem = _problem(parents, d0, d1, d2, stray, starts)
    if not check.problem and kink:
        check.status, check.problem = chk.KINK, kink
        return check
    if not check.problem:
        bad = [i for i, e in enumerate(check.expected)
               if e is not None and not close(d0[i], e, atol + slack[i], rtol, equal_nan)]
        if bad:
            check.problem = _LOCAL
    check.status = chk.FAIL if check.problem else chk.OK
    return check


_LOCAL = "its local derivative disagrees with central differences on the values it saw"


def _problem(parents: Sequence[Value], d0: Sequence[float], d1: Sequence[float], d2: Sequence[float],
             stray: Sequence[Value], starts: Sequence[float]) -> str:
    if stray:
        names = ", ".join(describe_node(u) if not u.is_leaf else _arg(u) for u in stray[:3])
        return f"its backward step also changed the grad of {names}, which is not among its parents"
    for i, p in enumerate(parents):
        if not same(d1[i], d0[i]):
            return (f"its backward step does not add into the grad of {_arg(p)}: starting from {fmt(starts[i])} "
                    f"it left {fmt(starts[i] + d1[i])} instead of {fmt(starts[i] + d0[i])} (`=` instead of `+=`?)")
    for i, p in enumerate(parents):
        if not same(d2[i], _G2 * d0[i]):
            return (f"its backward step does not scale with the upstream gradient out.grad: into {_arg(p)} it adds "
                    f"{fmt(d0[i])} when out.grad = {_G1:g} and {fmt(d2[i])} (not {fmt(_G2 * d0[i])}) when "
                    f"out.grad = {_G2:g} (a forgotten factor out.grad?)")
    return ""


# ---------------------------------------------------------------------------------------------
# Entry points.


def find_bad_node(root: Value, *, f: Callable[..., Any] | None = None, xs: Sequence[float] = (),
                  names: Sequence[str] = (), eps: float = chk.EPS, atol: float = chk.ATOL,
                  rtol: float = chk.RTOL, output: int | None = None) -> NodeCheck | None:
    """The first wrong node of root's graph, counting from the inputs, or None.

    With ``f`` and ``xs`` (the function and point that built the graph) closure nodes are also
    checked numerically (see ``Replay``). A NaN recorded where central differences give NaN too
    blames no node (neither side can referee), and a node whose local derivative disagrees only at
    this step, not with a 100× larger one, is not blamed either: its forward is noisy, not wrong.
    """
    order = topological_order(root)
    closures = any(is_closure(v) or v.operation is LOCAL_GRADS for v in order)
    replay = Replay(f, xs, order, eps, output) if f is not None and closures else None
    checks = (check_node(v, j, order, replay, eps, atol, rtol, True) for j, v in enumerate(order) if not v.is_leaf)
    return _keeping_grads(order, lambda: next((c for c in checks if c.status == chk.FAIL
                                               and _confirmed(c, eps, atol, rtol)), None))


def _confirmed(c: NodeCheck, eps: float, atol: float, rtol: float) -> bool:
    """Whether a node's local derivative still disagrees with central differences at 100× the step."""
    if c.problem != _LOCAL or is_closure(c.node) or c.node.operation is LOCAL_GRADS:
        return True
    if any(e is not None and math.isnan(e) for e in c.expected):  # f is NaN (or ∞ − ∞) there: no referee
        return False
    expected, slack, _ = _numerical_local(c.node, eps * 100.0, atol, rtol)
    if not any(e is not None and not close(r, e, atol + s, rtol, True)
               for r, e, s in zip(c.recorded, expected, slack, strict=True)):
        return False
    # a step too large for the point (1/x at 1e-7 with h = 1e-6 crossing the pole, sin at 1e8 with
    # h = 100): at 100× less the gap to the recorded value shrinks; a wrong derivative's gap does not
    smaller, _, _ = _numerical_local(c.node, eps / 100.0, atol, rtol)
    return any(e is not None and s is not None and not (abs(r - s) < abs(r - e) / 3.0)
               for r, e, s in zip(c.recorded, c.expected, smaller, strict=True))


def check_graph(root: Value, *, eps: float = chk.EPS, atol: float = chk.ATOL, rtol: float = chk.RTOL,
                equal_nan: bool = False) -> NodeReport:
    """Check every node's backward step in root's graph on the values it saw; name the first wrong one.

    Raises ``GradcheckError`` naming the first wrong node counting from the inputs (its op, label,
    inputs, expected and recorded local derivatives, and the problem: not adding, not scaling with
    out.grad, or a wrong local derivative), followed by a table of every wrong node. Nodes at a
    kink pass with status "kink". The graph's gradients are left as they were. Closure nodes
    (``out._backward = …``) are checked for adding and scaling only; use ``gradcheck(f, inputs)``
    to check their values too. Returns a truthy ``NodeReport`` (``print`` it for a table).
    """
    __tracebackhide__ = True
    check_settings("check_graph", eps=eps, atol=atol, rtol=rtol)
    if not isinstance(root, Value):
        raise TypeError(f"check_graph: root must be a Value (the output of the graph), got {type(root).__name__}")
    order = topological_order(root)
    checks: list[NodeCheck] = _keeping_grads(order, lambda: [
        check_node(v, j, order, None, eps, atol, rtol, equal_nan) for j, v in enumerate(order) if not v.is_leaf])
    bad = [c for c in checks if c.status == chk.FAIL]
    if bad:
        verb = "has" if len(bad) == 1 else "have"
        raise GradcheckError(f"{_first_line(bad[0])}\ncheck_graph: {len(bad)} of the {len(checks)} operations "
                             f"({len(order)} nodes) {verb} a wrong backward step (eps={eps:g}, atol={atol:g}, "
                             f"rtol={rtol:g})\n\n{node_message(bad[0])}\n\n{format_nodes(bad)}", node=bad[0])
    return NodeReport(checks)
