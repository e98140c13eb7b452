"""Why a row fails when no node is to blame: say what is known, not a guess.

A failing row's note says what its numbers show (``row_note``); the paragraph under the table
(``diagnosis``) says what f itself shows, checked rather than assumed:

* **not deterministic**: f is evaluated twice more at the same point; different values mean
  central differences measure noise, and nothing can be concluded;
* **noise in the forward pass**: the central difference is taken again with a 100× larger step;
  if the two disagree with each other (beyond their own error), the numerical side is unreliable;
* **a branch or a kink**: one-sided differences disagree, and no op of the graph sits at (or
  across) its kink: a Python ``if`` on ``x.data``, ``max``/``min`` or an undeclared kink;
* **the edge of f's domain**: only when f really raised on one side (√x at 0);
* **NaN**: f returned NaN near x, or ``backward()`` did (a node whose local derivative is ∞ or
  NaN — √ at 0 inside √(x·x) — is named).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from autograd.checking.nodes import describe_node
from autograd.checking.numerical import Difference, Evaluator, along, difference
from autograd.checking.report import close, fmt
from autograd.engine import Value
from autograd.graph import local_grads, topological_order_of


def row_note(d: Difference, analytic: float, atol: float, rtol: float) -> str:
    """What a failing row's numbers show (empty when nothing unusual)."""
    if d.note:
        return d.note
    if math.isnan(d.value):
        return "central differences are NaN: f is NaN or ±∞ at x ± h"
    if math.isnan(analytic):
        return "backward() gives NaN: some local derivative is ∞ or NaN (see below)"
    if not close(d.forward, d.backward, atol, rtol):
        return (f"one-sided differences disagree ({fmt(d.backward)} | {fmt(d.forward)}): "
                f"a kink or a branch within ±{d.step:.2g}")
    return ""


def _bad_local(roots: Sequence[Value]) -> str:
    """The first node (from the inputs) whose recorded local derivative is ∞ or NaN, and why that
    spreads (∞·0 = NaN; NaN taints every gradient through it)."""
    for v in topological_order_of(roots):
        if v.is_leaf or v.operation is None:
            continue
        try:
            ds = local_grads(v)
        except Exception:
            continue
        bad = [d for d in ds if not math.isfinite(d)]
        if bad:
            why = ("an ∞ local derivative times 0 gives NaN (√ at 0 inside √(x·x))" if math.isinf(bad[0]) else
                   "a NaN local derivative makes every gradient through it NaN")
            return f"{describe_node(v)} has the local derivative {fmt(bad[0])}; {why}"
    return ""


def diagnosis(at: Evaluator, xs: Sequence[float], names: Sequence[str], fx: Sequence[float], eps: float,
              failing: Sequence[tuple[int, int]],
              analytic: Sequence[Sequence[float]], diffs: dict[tuple[int, int], Difference], roots: Sequence[Value],
              atol: float, rtol: float) -> list[str]:
    """Paragraphs explaining the failing (output, input) pairs, most important first."""
    again = [at(xs), at(xs)]
    if any(not _same(a, b) for a in again for b in [fx]):
        shown = ", ".join(fmt(v[0]) for v in [fx, *again])
        return [f"f is not deterministic: three calls at the same inputs gave {shown} (first output). Central "
                "differences of a random or stateful f measure noise; seed it or make it a pure function."]
    out: list[str] = []
    noisy = []
    for k, j in failing[:5]:
        d = diffs[(k, j)]
        if d.note or not math.isfinite(d.value):
            continue
        wide = difference(along(at, xs, j, len(fx))[k], xs[j], fx[k], eps * 100.0)
        if not close(wide.value, d.value, max(atol, 1e-8), max(rtol, 1e-4)):
            noisy.append((j, d.value, wide.value, analytic[k][j]))
    if noisy:
        j, a, b, g = noisy[0]
        agrees = " (backward() agrees with the larger step)" if close(g, b, atol, rtol) else ""
        out.append(f"The numerical derivative moves with the step: for {names[j]} it is {fmt(a)} with step "
                   f"{eps:g} and {fmt(b)} with {eps * 100:g}{agrees}. f's forward pass is noisy (rounding, "
                   "a cancellation, a float32 or tabulated path), so central differences cannot referee here.")
    ds = [diffs[p] for p in failing]
    if any(d.note.startswith("one-sided: f is undefined") for d in ds):
        out.append("f raised on one side of the point (the edge of its domain, such as √x at 0): the "
                   "numerical derivative there is one-sided and the derivative itself may be infinite; "
                   "check a point inside the domain.")
    if any(math.isnan(d.value) and not d.note for d in ds):
        out.append("f is NaN or ±∞ within the step (an overflow?): central differences are NaN and cannot referee.")
    if any(math.isnan(analytic[k][j]) or math.isinf(analytic[k][j]) for k, j in failing):
        bad = _bad_local(roots)
        if bad:
            out.append(f"backward() is not finite because {bad}. detect_anomaly() names such steps as they "
                       "happen.")
    if any(not d.note and math.isfinite(d.value) and not close(d.forward, d.backward, atol, rtol) for d in ds):
        out.append("One-sided differences disagree and no op of the graph is at its kink: f has a branch or a "
                   "kink near the point that the graph does not show (an `if` on x.data, max/min, an op "
                   "without a kink predicate); backward() sees only the branch taken.")
    return out


def _same(a: Sequence[float], b: Sequence[float]) -> bool:
    return all(x == y or (math.isnan(x) and math.isnan(y)) for x, y in zip(a, b, strict=True))
