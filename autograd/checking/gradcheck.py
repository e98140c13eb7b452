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
from autograd.forward import jacfwd

MODES = ("rev", "fwd")


def gradcheck(f: Callable[..., Any], inputs: Any, *, eps: float = EPS, atol: float = ATOL, rtol: float = RTOL,
              fail_on_kink: bool = False, check_nodes: bool = True, modes: Any = ("rev",)) -> Report:
    """Check ``backward()``'s ∂f/∂x_i against central differences at ``inputs``; raise if they differ.

    Raises ``GradcheckError`` (an ``AssertionError``) whose message is the report table, one row
    per input. Rows at a kink (see the module docstring) pass unless ``fail_on_kink``. With
    ``check_nodes`` (default) a failure also runs ``check_graph`` on f's graph and names the first
    node whose recorded backward step is wrong (op, inputs, expected and recorded local derivative).
    ``modes=("rev", "fwd")`` also computes each ∂f/∂x_i by forward mode (``autograd.forward``, one
    tangent sweep per input) and shows it in a ``forward`` column: a row then passes only when
    reverse mode, forward mode and central differences all agree.
    Returns a truthy ``Report`` on success (``print`` it to see the table).
    """
    __tracebackhide__ = True
    check_settings("gradcheck", eps=eps, atol=atol, rtol=rtol)
    fwd_mode = _check_modes(modes)
    xs, names = resolve_inputs(f, inputs, "gradcheck")
    root, leaves, grads = analytic_grads(f, xs, names, "gradcheck")
    diffs = differences(f, xs, eps, "gradcheck")
    forward: list[float | None] = list(jacfwd(f)(*xs)) if fwd_mode else [None] * len(xs)
    rows = []
    for i, (name, x, a, d, t) in enumerate(zip(names, xs, grads, diffs, forward, strict=True)):
        if close(a, d.value, atol, rtol) and (t is None or close(t, d.value, atol, rtol)):
            rows.append(GradRow(name, x, a, d.value, OK, d.note, t))
            continue
        kink = kink_note(f, root, leaves, i, eps, atol, rtol)
        note = kink or _failure_note(d, atol, rtol) or _forward_note(a, t, d.value, atol, rtol)
        rows.append(GradRow(name, x, a, d.value, KINK if kink else FAIL, note, t))
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
    text += ("\nreverse: backward(); forward: forward mode (jvp); numerical: central differences; a row passes "
             "when |reverse − numerical| and |forward − numerical| ≤ atol + rtol·|numerical|" if fwd_mode else
             "\nanalytic: backward(); numerical: central differences; a row passes when "
             "|analytic − numerical| ≤ atol + rtol·|numerical|")
    raise GradcheckError(text, rows, node)


def _check_modes(modes: Any) -> bool:
    """Validate ``modes`` (a tuple of "rev" and "fwd", "rev" first); return whether "fwd" is in it."""
    ok = isinstance(modes, (tuple, list)) and modes and all(m in MODES for m in modes) and "rev" in modes
    if not ok:
        raise ValueError(f"gradcheck: modes must be ('rev',) or ('rev', 'fwd'), got {modes!r}")
    return "fwd" in modes


def _forward_note(a: float, t: float | None, numerical: float, atol: float, rtol: float) -> str:
    if t is None or close(t, numerical, atol, rtol):
        return ""
    if close(a, numerical, atol, rtol):
        return "forward mode disagrees with reverse mode and central differences"
    return "forward and reverse mode agree with each other, not with central differences" if close(a, t, atol, rtol) \
        else "all three disagree"


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
