"""The rows of ``gradcheck``: one per (output, input), ``backward()`` against central differences.

Shared by the full check (every input) and the fast mode (the inputs it localised). A row is

* ``ok`` when |analytic − numerical| ≤ atol + rtol·|numerical| (``report.close``), and forward
  mode agrees too when it was asked for;
* ``kink`` when the input feeds an op sitting at its kink (relu, abs, leaky_relu at 0, a user op's
  ``kink``) and the one-sided differences show the jump — whether or not the numbers happen to
  agree (|x| at 0: 0 = 0, still a kink) — or when a failing row's step crosses a kink;
* ``FAIL`` otherwise, with a note saying what its numbers show (``diagnose.row_note``).

``finish`` turns the rows into a report or a ``GradcheckError``: the first line names the worst
row, then the table, then the first wrong node, or what f itself shows (``diagnose``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from autograd.checking.diagnose import diagnosis, row_note
from autograd.checking.kinks import kink_excuses, kink_note, kinks_by_input
from autograd.checking.nodes import NodeCheck, find_bad_node, node_message
from autograd.checking.numerical import Difference, Evaluator, along, difference
from autograd.checking.report import (
    FAIL,
    KINK,
    LIMIT,
    OK,
    GradcheckError,
    GradRow,
    Report,
    close,
    format_report,
    headline,
    worst,
)
from autograd.engine import Value


@dataclass(frozen=True)
class Settings:
    """A check's step and tolerances, as the user gave them."""

    eps: float
    atol: float
    rtol: float
    equal_nan: bool = False
    fail_on_kink: bool = False

    def close(self, a: float, b: float) -> bool:
        return close(a, b, self.atol, self.rtol, self.equal_nan)

    def text(self) -> str:
        return f"eps={self.eps:g}, atol={self.atol:g}, rtol={self.rtol:g}"


@dataclass
class Graph:
    """f's graph at the point: its outputs, leaves, grads[k][j] = ∂f_k/∂x_j from ``backward()``,
    and whether f returned one value."""

    roots: list[Value]
    leaves: list[Value]
    grads: list[list[float]]
    single: bool

    def output(self, k: int) -> int | None:
        return None if self.single else k


Diffs = dict[tuple[int, int], Difference]  # (output k, input j) → its central difference


def row_name(names: Sequence[str], j: int, k: int, graph: Graph) -> str:
    """The input's name for one output; ``∂f[k]/∂x`` (or the output's label) for several."""
    if graph.single:
        return names[j]
    return f"∂{graph.roots[k].label or f'f[{k}]'}/∂{names[j]}"


def forward_note(a: float, t: float | None, numerical: float, s: Settings) -> str:
    if t is None or s.close(t, numerical):
        return ""
    if s.close(a, numerical):
        return "forward mode disagrees with reverse mode and central differences"
    return ("forward and reverse mode agree with each other, not with central differences" if s.close(a, t)
            else "all three disagree")


def grad_rows(f: Callable[..., Any], xs: Sequence[float], names: Sequence[str], graph: Graph, s: Settings,
              at: Evaluator, fx: Sequence[float], inputs: Iterable[int],
              forward: Sequence[Sequence[float]] | None = None) -> tuple[list[GradRow], Diffs]:
    """The rows of ``inputs`` (every output for each), and their central differences by (k, j)."""
    inputs = list(inputs)
    kinks = kinks_by_input(graph.roots, graph.leaves) if inputs else {}
    rows, diffs = [], {}
    for j in inputs:
        ds = [difference(g, xs[j], fx[k], s.eps) for k, g in enumerate(along(at, xs, j, len(fx)))]
        for k, d in enumerate(ds):
            diffs[(k, j)] = d
            a, t = graph.grads[k][j], (forward[k][j] if forward is not None else None)
            agree = s.close(a, d.value) and (t is None or s.close(t, d.value))
            name = row_name(names, j, k, graph)
            if agree:
                jump = j in kinks and not s.close(d.forward, d.backward)
                note = f"at the kink of {', '.join(kinks[j][:3])}" if jump else d.note
                rows.append(GradRow(name, xs[j], a, d.value, KINK if jump else OK, note, t, graph.output(k), j))
                continue
            kink = kink_note(f, graph.roots[k], graph.leaves, j, s.eps, s.atol, s.rtol, graph.output(k),
                             jump=not s.close(d.forward, d.backward))
            if kink and not kink_excuses(a, d, s.close, graph.leaves[j], lambda k=k: find_bad_node(  # type: ignore[misc]
                    graph.roots[k], f=f, xs=xs, names=names, eps=s.eps, atol=s.atol, rtol=s.rtol,
                    output=graph.output(k))):
                kink, outside = "", KINK_NOT_IT
            else:
                outside = ""
            note = kink or outside or row_note(d, a, s.atol, s.rtol) or forward_note(a, t, d.value, s)
            rows.append(GradRow(name, xs[j], a, d.value, KINK if kink else FAIL, note, t, graph.output(k), j))
    return rows, diffs


KINK_NOT_IT = "a kink is near, but it does not explain this: backward() is wrong"
NO_BAD_NODE = ("Every node's backward step that could be checked agrees with central differences on the "
               "values it saw, so the graph does not compute f: an input was probably used through .data "
               "(math.* on x.data, say), outside the graph, or a node's parents are incomplete.")


_SHORT = [("f is not deterministic", "f is not deterministic"), ("The numerical derivative moves", "noisy f"),
          ("f raised on one side", "at the edge of f's domain"), ("One-sided differences disagree", "a branch in f"),
          ("f is NaN or ±∞ within", "f is NaN or ±∞ nearby"), ("backward() is not finite", "backward() is not finite")]


def failed_rows(rows: Sequence[GradRow], s: Settings) -> list[GradRow]:
    return [r for r in rows if r.status == FAIL or (s.fail_on_kink and r.status == KINK)]


def finish(where: str, f: Callable[..., Any], xs: Sequence[float], names: Sequence[str], graph: Graph, s: Settings,
           rows: list[GradRow], diffs: Diffs, at: Evaluator, fx: Sequence[float], *,
           check_nodes: bool = True, fwd_mode: bool = False, lead: Sequence[str] = (),
           things: str = "inputs") -> Report:
    """A passed ``Report``, or raise ``GradcheckError``: headline, table, first wrong node or diagnosis."""
    failed = failed_rows(rows, s)
    if not failed:
        return Report(rows)
    node: NodeCheck | None = None
    paragraphs = list(lead)
    bad = [r for r in rows if r.status == FAIL]
    if bad:
        if check_nodes:
            k0 = bad[0].output or 0
            node = find_bad_node(graph.roots[k0], f=f, xs=xs, names=names, eps=s.eps, atol=s.atol, rtol=s.rtol,
                                 output=graph.output(k0))
        if node is not None:
            paragraphs.append(node_message(node))
        elif check_nodes:
            pairs = [(r.output or 0, r.input) for r in bad if (r.output or 0, r.input) in diffs]
            shown = diagnosis(at, xs, names, fx, s.eps, pairs, graph.grads, diffs, graph.roots, s.atol, s.rtol)
            paragraphs.extend(shown or [NO_BAD_NODE])
    top = worst(failed)
    told = next((short for p in paragraphs for start, short in _SHORT if p.startswith(start)), "")
    if top.note == KINK_NOT_IT and node is None:
        told = "backward() is wrong (not the kink)"
    verdict = ("at a kink (fail_on_kink=True)" if top.status == KINK else f"first wrong node: {node.node._op}"
               if node is not None else told or "backward() ≠ central differences")
    kinked = len(failed) - len(bad)
    count = (f"{where}: {len(bad)} of {len(rows)} {things} disagree with central differences"
             + (f", {kinked} sit at a kink (fail_on_kink=True)" if kinked else "") + f" ({s.text()})")
    footer = ("reverse: backward(); forward: forward mode (jvp); numerical: central differences; a row passes "
              "when |reverse − numerical| and |forward − numerical| ≤ atol + rtol·|numerical|" if fwd_mode else
              "analytic: backward(); numerical: central differences; a row passes when "
              "|analytic − numerical| ≤ atol + rtol·|numerical| (an infinity only equals itself)")
    text = "\n\n".join([f"{headline(where, top, 'numerical', verdict)}\n{count}",
                        format_report(rows, limit=LIMIT), *paragraphs, footer])
    raise GradcheckError(text, rows, node)
