"""``gradgradcheck``: second derivatives from a differentiated gradient graph vs central differences.

The analytic side: ``grad(f(x), x, create_graph=True)`` gives the gradient as a graph, and one
more walk over each ∂f/∂x_i gives the row H_i· = ∂²f/∂x_i∂x_· of the Hessian. The reference:
central differences of the **analytic first derivatives**,

    H_ij ≈ (∂f/∂x_i(x + h e_j) − ∂f/∂x_i(x − h e_j)) / ((x_j + h) − (x_j − h)),  h = eps·max(1, |x_j|),

so the check isolates the second-order machinery: if ``gradcheck`` passes (first derivatives
right) and this fails, some op's derivative is right on floats but not differentiable as written
— typically a user ``Op`` whose ``deriv`` applies ``math.*`` to ``x.data``, which turns the
node into a constant. Rows are reported in ``autograd.checking``'s table, one per entry (i, j);
the rules for tolerances and kinks are ``gradcheck``'s (see ``autograd.checking``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from autograd.checking.nodes import kink_note
from autograd.checking.numerical import (
    ATOL,
    EPS,
    FAIL,
    KINK,
    OK,
    RTOL,
    GradcheckError,
    GradRow,
    Report,
    build,
    check_settings,
    close,
    difference,
    format_report,
    resolve_inputs,
)
from autograd.functional.gradients import float_gradients, graph_gradients

_ANALYTIC = "analytic ∂²"
_REFERENCE = "numerical"


class SecondOrderReport(Report):
    """A passed ``gradgradcheck``: one row per Hessian entry; ``print`` it to see the table."""

    def __str__(self) -> str:
        return format_report(self.rows, reference=_REFERENCE, analytic=_ANALYTIC)


def gradgradcheck(f: Callable[..., Any], inputs: Any, *, eps: float = EPS, atol: float = ATOL,
                  rtol: float = RTOL, fail_on_kink: bool = False) -> SecondOrderReport:
    """Check every ∂²f/∂x_i∂x_j from ``grad(..., create_graph=True)`` against central differences.

    ``f`` and ``inputs`` as for ``gradcheck``. Raises ``GradcheckError`` whose message is the
    table, one row ``∂²/∂x_i∂x_j`` per entry (its value column is x_j, the input stepped), each
    compared with the central difference of the analytic ∂f/∂x_i along x_j. A row that fails
    because an op with a kink (relu, abs, leaky_relu) sits at it, or the step crosses it, is
    reported as ``kink`` and passes unless ``fail_on_kink``. Returns a truthy report on success.
    """
    __tracebackhide__ = True
    where = "gradgradcheck"
    check_settings(where, eps=eps, atol=atol, rtol=rtol)
    xs, names = resolve_inputs(f, inputs, where)
    root, leaves = build(f, xs, names, where)
    first = float_gradients(root, leaves)
    hess = [float_gradients(g, leaves) for g in graph_gradients(root, leaves)]
    n = len(xs)
    moved: dict[tuple[int, float], list[float]] = {}

    def along(i: int, j: int) -> Callable[[float], float]:
        """t ↦ the analytic ∂f/∂x_i with x_j moved to t (cached: every row i reuses the walks)."""

        def g(t: float) -> float:
            if (j, t) not in moved:
                y, ls = build(f, [*xs[:j], t, *xs[j + 1 :]], names, where)
                moved[(j, t)] = float_gradients(y, ls)
            return moved[(j, t)][i]

        return g

    rows = []
    for i in range(n):
        for j in range(n):
            d = difference(along(i, j), xs[j], first[i], eps)
            name = f"∂²/∂{names[i]}∂{names[j]}"
            if close(hess[i][j], d.value, atol, rtol):
                rows.append(GradRow(name, xs[j], hess[i][j], d.value, OK, d.note))
                continue
            kink = kink_note(f, root, leaves, j, eps, atol, rtol)
            rows.append(GradRow(name, xs[j], hess[i][j], d.value, KINK if kink else FAIL, kink or d.note))
    failed = [r for r in rows if r.status == FAIL or (fail_on_kink and r.status == KINK)]
    if not failed:
        return SecondOrderReport(rows, _REFERENCE)
    raise GradcheckError(_message(failed, rows, xs, names, eps, atol, rtol), rows)


def _message(failed: Sequence[GradRow], rows: Sequence[GradRow], xs: Sequence[float], names: Sequence[str],
             eps: float, atol: float, rtol: float) -> str:
    point = ", ".join(f"{n}={x:.6g}" for n, x in zip(names, xs, strict=True))
    return (
        f"gradgradcheck: {len(failed)} of {len(rows)} second derivatives disagree with central differences of "
        f"the first derivatives at {point} (eps={eps:g}, atol={atol:g}, rtol={rtol:g})\n\n"
        f"{format_report(rows, reference=_REFERENCE, analytic=_ANALYTIC)}\n\n"
        "analytic ∂²: grad(create_graph=True) differentiated once more; numerical: central differences of the\n"
        "analytic first derivatives; value: the input stepped (x_j). If gradcheck passes but this fails, an op's\n"
        "derivative is right on floats but not differentiable as written (math.* on a Value's .data makes it\n"
        "a constant): write it with Value arithmetic and methods."
    )
