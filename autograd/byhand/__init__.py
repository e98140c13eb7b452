"""Backprop by hand, checked: which of a learner's numbers is wrong, and whose mistake it is.

::

    from autograd import Value, check_by_hand
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    e = a * b; e.label = "e"
    L = e.tanh(); L.label = "L"
    print(check_by_hand(L, {"e": 0.0099, "a": -0.0297, "b": 0.0198}))

``check_by_hand`` compares the learner's ∂L/∂v with the engine's without touching any ``.grad``
and says, for each wrong number, whether the mistake was made at that step (``"local"``: their
upstream numbers were right, so this step's local derivative is wrong) or carried from above
(``"inherited"``: the chain rule done right on their own wrong upstream numbers). The report names
the root cause first, with the op table's formula and the numbers to use. ``assert_by_hand`` raises
``ByHandError`` (an ``AssertionError``) with the report as message, for pytest.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from autograd.byhand.check import INHERITED, LOCAL, RIGHT, Row, Term, run
from autograd.byhand.report import ByHandError, ByHandReport

__all__ = ["INHERITED", "LOCAL", "RIGHT", "ByHandError", "ByHandReport", "Row", "Term", "assert_by_hand",
           "check_by_hand"]


def check_by_hand(loss: Any, expected: Any, *, atol: float = 1e-6, rtol: float = 1e-4,
                  values: Mapping[Any, Any] | None = None, names: Any = None) -> ByHandReport:
    """Judge a learner's gradients ``expected`` (node label or ``Value`` → ∂loss/∂node) against the engine's.

    A number passes when |yours − engine's| ≤ atol + rtol·|engine's|. ``values`` (label or Value →
    number) checks forward values too. ``names`` (a model with ``named_parameters()``, a mapping or
    pairs, as ``explain`` takes) lets the keys be parameter names and the note's z_k, y_j0, x_0.
    No ``.grad`` is read or written. Refused with a clear error: an unknown or ambiguous label, a
    node given twice, a number that is text, NaN, complex or too large for a float.
    """
    return ByHandReport(run(loss, expected, atol=atol, rtol=rtol, values=values, names=names,
                            where="check_by_hand"))


def assert_by_hand(loss: Any, expected: Any, *, atol: float = 1e-6, rtol: float = 1e-4,
                   values: Mapping[Any, Any] | None = None, names: Any = None) -> ByHandReport:
    """``check_by_hand``, raising ``ByHandError`` (an ``AssertionError``) whose message is the report."""
    __tracebackhide__ = True
    report = ByHandReport(run(loss, expected, atol=atol, rtol=rtol, values=values, names=names,
                              where="assert_by_hand"))
    if not report:
        raise ByHandError(report)
    return report
