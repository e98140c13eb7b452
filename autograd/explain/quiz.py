"""``step_through(y, quiz=True)``: the step-through page as a quiz on the backward pass.

The page shows the drawn graph with every forward value filled in and walks ``explain(y)``'s steps
in order. Each step ∂L/∂p += ∂L/∂v · ∂v/∂p is shown with its upstream ∂L/∂v and p.grad before it;
its result is hidden, and the learner types p.grad after the step (the step's ``total``):

* Enter (or the check button) compares with a relative tolerance of 1e-3 (|yours − total| ≤ 1e-3·|total|,
  or ≤ 1e-9 when the total is 0), so numbers rounded to four digits pass; the total worked out from the
  page's own rounded numbers (y shown as 0.9951 in tanh′ = 1 − y²) passes too when within 5 % of the
  true one (not 1 − 1² = 0 for tanh(−6), whose y is shown as −1), and the question gives
  the upstream and p.grad before with 6 significant digits;
* right: the step's full equation is shown and the next step asked;
* wrong: the page stays and says whether the sign or the size is off (or that the answer is the
  step's contribution alone, or p.grad before it); from the second wrong try on it shows the op
  table's local derivative for the edge and offers "show the answer" (counted as missed);
* text that is not a number is not a try: the feedback says what to type;
* at the end, the score: steps right at the first try, at a later try, shown.

For tests and assistive tools the answer box is ``[data-role=answer]``, the feedback element
``[data-role=feedback]`` (``data-verdict`` is ``right``, ``wrong``, ``invalid`` or ``shown``; it is
``aria-live``), the score ``[data-role=score]``; ``body[data-step]`` is the step asked (0-based).
Keyboard only works: the answer box has the focus, Enter checks, Tab reaches the buttons.
The page is as offline and locked as the step-through page: Content-Security-Policy ``default-src
'none'`` with its script and style allowed by hash, no inline handlers, labels written with
``textContent``, the data as JSON with ``<``, ``>`` and ``&`` escaped. A lone surrogate in a label (text
decoded from bad bytes) is shown as a visible escape (``\\ud800``), as in every drawing.
"""

from __future__ import annotations

import html
import json
import math
import re
from importlib import resources
from typing import Any

from autograd.drawing.labels import fmt_sig, visible
from autograd.explain.policy import policy_of
from autograd.explain.steps import Explanation, Step
from autograd.graph import call_deriv, constant_of, has_rule, parents_of

RTOL, ZERO = 1e-3, 1e-9  # the page's tolerance: relative, and absolute for a total of exactly 0
PAGE_ROUNDING = 0.05  # the page-numbers answer counts only within 5 % of the true total, never 0 for 2.5e-5
ASKED = 6  # significant digits of the upstream ∂L/∂v and p.grad before in a question (4 decimals lost digits: 0.0046)


def quiz_flag(quiz: Any) -> bool:
    """``step_through(quiz=...)`` checked: True or False, nothing else (a string "no" would be truthy)."""
    if not isinstance(quiz, bool):
        raise TypeError(f"step_through: quiz must be True or False, got {type(quiz).__name__} {quiz!r:.40}")
    return quiz


def _template() -> str:
    return (resources.files("autograd.explain") / "quiz.html").read_text(encoding="utf-8")


def _text(s: str) -> str:
    """Text that encodes as UTF-8, escaped as every writer escapes it (``labels.visible``: a lone
    surrogate from bad bytes becomes the visible ``\\ud800``)."""
    return visible(s)


def _number(x: float) -> float | str:
    """A float for JSON: non-finite ones as the text JavaScript's ``Number()`` reads (JSON has no NaN)."""
    return x if x - x == 0.0 else ("NaN" if x != x else "Infinity" if x > 0 else "-Infinity")


def _from_page(s: Step, precision: int) -> float:
    """The step's total worked out from the numbers the page shows: the question's upstream and p.grad
    before (``ASKED`` digits) and the local derivative at the graph's shown data (``precision`` digits).
    A learner who applies the formula to those (tanh′ = 1 − y² with y shown as 0.9951) is right, even
    where rounding moves the result by more than the tolerance; the true total is accepted as well."""
    v = s.node
    op = v.operation
    if s.closure or op is None or not has_rule(v):
        return s.total
    shown = lambda x: float(fmt_sig(x, precision))
    try:
        d = call_deriv(op, [shown(q.data) for q in parents_of(v)], shown(v.data), constant_of(v))[s.position]
        total = float(fmt_sig(s.before, ASKED)) + float(fmt_sig(s.upstream, ASKED)) * float(d)
    except Exception:  # the shown numbers are outside the op's domain (log of a rounded 0): no second answer
        return s.total
    if not math.isfinite(total) or abs(total - s.total) > PAGE_ROUNDING * abs(s.total):
        return s.total  # the shown digits are too few for this step (tanh(−6) shown as −1 gives 1 − 1² = 0)
    return total


def questions(ex: Explanation, index: dict[Any, int], precision: int = 4) -> list[dict[str, Any]]:
    """One question per step of ``ex``: what to highlight, what to ask, and the answer and its parts."""
    L = ex.naming.root_name
    out = []
    for s in ex:
        i = index[s.node]
        v, p = s.node_name, s.parent_name
        up, before = fmt_sig(s.upstream, ASKED).replace("-", "−"), fmt_sig(s.before, ASKED).replace("-", "−")
        ask = (f"step {s.index} of {len(ex)}: ∂{L}/∂{p} += ∂{L}/∂{v} · ∂{v}/∂{p}, where ∂{L}/∂{v} = {up} "
               f"and {p}.grad before this step is {before}. What is ∂{L}/∂{p} ({p}.grad) after it?")
        out.append({"node": i, "op": i, "parent": index[s.parent], "edge": f"dg-e{i}-{s.position}",
                    "question": ask, "answer": _number(s.total), "before": _number(s.before),
                    "accept": _number(_from_page(s, precision)),
                    "contribution": _number(s.contribution),
                    "shown": fmt_sig(s.total, precision), "formula": s.formula or "(no formula)",
                    "solution": f"step {s.index}: {s}", "parent_name": p})
    return out


def quiz_page(walk: Any) -> str:
    """The quiz page for ``walk`` (a ``StepThrough``: its ``svg``, ``order``, ``explanation``, ``title``)."""
    ex: Explanation = walk.explanation
    order = walk.order
    index = {v: i for i, v in enumerate(order)}
    sig = lambda x: fmt_sig(x, walk.precision)
    cells = [[sig(v.data), sig(ex.seed) if v is ex.root else "?"] for v in order]
    payload = json.dumps({"steps": questions(ex, index, walk.precision), "cells": cells, "rtol": RTOL,
                          "zero": ZERO, "root": ex.naming.root_name}, ensure_ascii=False, allow_nan=False)
    payload = _text(payload).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    page = _template()
    csp = policy_of(page)
    title = walk.title or f"backward() quiz: {len(ex)} step(s) from {ex.naming.root_name}"
    parts = {"CSP": csp, "TITLE": html.escape(_text(title)), "SVG": _text(walk.svg), "DATA": payload}
    return re.sub(r"@@(CSP|TITLE|SVG|DATA)@@", lambda m: parts[m.group(1)], page)
