"""``gradcheck``: ``backward()``'s ∂f/∂x_i against central differences, naming the first wrong node.

The numbers come from ``autograd.checking.numerical``; when a row fails, the node-level checks of
``autograd.checking.nodes`` say whether a kink explains it and which node's backward step is wrong.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from autograd.checking.nodes import find_bad_node, kink_note, node_message
from autograd.checking.numerical import (
    ATOL,
    EPS,
    FAIL,
    KINK,
    OK,
    RTOL,
    Difference,
    GradcheckError,
    GradRow,
    Report,
    analytic_grads,
    check_settings,
    close,
    differences,
    fmt,
    format_report,
    resolve_inputs,
)


def gradcheck(f: Callable[..., Any], inputs: Any, *, eps: float = EPS, atol: float = ATOL, rtol: float = RTOL,
              fail_on_kink: bool = False, check_nodes: bool = True) -> Report:
    """Check ``backward()``'s ∂f/∂x_i against central differences at ``inputs``; raise if they differ.

    Raises ``GradcheckError`` (an ``AssertionError``) whose message is the report table, one row
    per input. Rows at a kink (see the module docstring) pass unless ``fail_on_kink``. With
    ``check_nodes`` (default) a failure also runs ``check_graph`` on f's graph and names the first
    node whose recorded backward step is wrong (op, inputs, expected and recorded local derivative).
    Returns a truthy ``Report`` on success (``print`` it to see the table).
    """
    __tracebackhide__ = True
    check_settings("gradcheck", eps=eps, atol=atol, rtol=rtol)
    xs, names = resolve_inputs(f, inputs, "gradcheck")
    root, leaves, grads = analytic_grads(f, xs, names, "gradcheck")
    diffs = differences(f, xs, eps, "gradcheck")
    rows = []
    for i, (name, x, a, d) in enumerate(zip(names, xs, grads, diffs, strict=True)):
        if close(a, d.value, atol, rtol):
            rows.append(GradRow(name, x, a, d.value, OK, d.note))
            continue
        kink = kink_note(f, root, leaves, i, eps, atol, rtol)
        rows.append(GradRow(name, x, a, d.value, KINK if kink else FAIL, kink or _failure_note(d, atol, rtol)))
    failed = [r for r in rows if r.status == FAIL or (fail_on_kink and r.status == KINK)]
    if not failed:
        return Report(rows)
    node = None
    text = (f"gradcheck: {len(failed)} of {len(rows)} inputs disagree with central differences "
            f"(eps={eps:g}, atol={atol:g}, rtol={rtol:g})\n\n{format_report(rows)}\n")
    if check_nodes and any(r.status == FAIL for r in rows):
        node = find_bad_node(root, f=f, xs=xs, names=names, eps=eps, atol=atol, rtol=rtol)
        edge = all(r.note.startswith("one-sided") for r in rows if r.status == FAIL)
        text += "\n" + (node_message(node) if node is not None else _AT_EDGE if edge else _NO_BAD_NODE) + "\n"
    text += "\nanalytic: backward(); numerical: central differences; a row passes when " \
            "|analytic − numerical| ≤ atol + rtol·|numerical|"
    raise GradcheckError(text, rows, node)


_NO_BAD_NODE = ("Every node's backward step that could be checked agrees with central differences on the "
                "values it saw, so the graph does not compute f: an input was probably used through .data "
                "(math.* on x.data, say), outside the graph, or a node's parents are incomplete.")


_AT_EDGE = ("The failing rows sit on the edge of f's domain (f is undefined on one side), where the numerical "
            "derivative can only be one-sided and the derivative itself may be infinite; check a point inside.")


def _failure_note(d: Difference, atol: float, rtol: float) -> str:
    if d.note:
        return d.note
    if not close(d.forward, d.backward, atol, rtol):
        return f"one-sided differences disagree ({fmt(d.backward)} | {fmt(d.forward)}): a kink within ±{d.step:.2g}?"
    return ""
