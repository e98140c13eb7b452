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

from autograd.checking.kinks import kink_excuses, kink_note, kinks_by_input
from autograd.checking.nodes import find_bad_node
from autograd.checking.numerical import (
    ATOL,
    EPS,
    RTOL,
    build,
    check_settings,
    difference,
    error_estimate,
    resolve_inputs,
)
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
from autograd.checking.testing import expected_matrix, verdict
from autograd.functional.gradients import float_gradients, graph_gradients

_ANALYTIC = "analytic ∂²"
_REFERENCE = "numerical"


class SecondOrderReport(Report):
    """A passed ``gradgradcheck``: one row per Hessian entry; ``print`` it to see the table."""

    def __str__(self) -> str:
        return format_report(self.rows, reference=self.reference, analytic=_ANALYTIC)


def gradgradcheck(f: Callable[..., Any], inputs: Any, *, eps: float = EPS, atol: float = ATOL,
                  rtol: float = RTOL, fail_on_kink: bool = False, expected: Any = None,
                  equal_nan: bool = False) -> SecondOrderReport:
    """Check every ∂²f/∂x_i∂x_j from ``grad(..., create_graph=True)`` against central differences.

    ``f`` and ``inputs`` as for ``gradcheck`` (f returns one ``Value``). Raises ``GradcheckError``
    whose message is the table, one row ``∂²/∂x_i∂x_j`` per entry (its value column is x_j, the
    input stepped), each compared with the central difference of the analytic ∂f/∂x_i along x_j.
    An entry whose input feeds an op at its kink (relu, abs, leaky_relu), or whose step crosses
    one, is reported as ``kink`` and passes unless ``fail_on_kink``. With ``expected`` (the Hessian
    H[i][j], nested lists, a numpy array or a function of the inputs returning one) the analytic
    entries are compared with it instead, and central differences referee (as ``assert_hessian``).
    Numbers are close as in numpy's ``allclose`` (``equal_nan`` as there). Returns a truthy report.
    """
    __tracebackhide__ = True
    return _check("gradgradcheck", f, inputs, eps, atol, rtol, fail_on_kink, expected, equal_nan)


def assert_hessian(f: Callable[..., Any], inputs: Any, expected: Any, *, atol: float = 1e-10, rtol: float = 1e-7,
                   eps: float = EPS, fail_on_kink: bool = False, equal_nan: bool = False) -> SecondOrderReport:
    """Assert that the Hessian H[i][j] = ∂²f/∂x_i∂x_j (``grad(create_graph=True)``) is ``expected``.

    The tight tolerances of ``assert_grad`` (your formula against the engine's, both exact);
    central differences of the analytic first derivatives referee each failed entry.
    """
    __tracebackhide__ = True
    return _check("assert_hessian", f, inputs, eps, atol, rtol, fail_on_kink, expected, equal_nan)


def _check(where: str, f: Callable[..., Any], inputs: Any, eps: float, atol: float, rtol: float, fail_on_kink: bool,
           expected: Any, equal_nan: bool) -> SecondOrderReport:
    __tracebackhide__ = True
    check_settings(where, eps=eps, atol=atol, rtol=rtol)
    xs, names = resolve_inputs(f, inputs, where)
    roots, leaves, single = build(f, xs, names, where)
    if not single:
        raise TypeError(f"{where}: f returned {len(roots)} outputs; a Hessian needs one Value (check each output "
                        "with its own function, or the Jacobian with assert_jacobian)")
    root = roots[0]
    first = float_gradients(root, leaves)
    hess = [float_gradients(g, leaves) for g in graph_gradients(root, leaves)]
    n = len(xs)
    want = expected_matrix(expected, xs, n, False, where) if expected is not None else None
    kinks = kinks_by_input(roots, leaves)
    moved: dict[tuple[int, float], list[float]] = {}

    def along(i: int, j: int) -> Callable[[float], float]:
        """t ↦ the analytic ∂f/∂x_i with x_j moved to t (cached: every row i reuses the walks)."""

        def g(t: float) -> float:
            if (j, t) not in moved:
                ys, ls, _ = build(f, [*xs[:j], t, *xs[j + 1 :]], names, where)
                moved[(j, t)] = float_gradients(ys[0], ls)
            return moved[(j, t)][i]

        return g

    rows = []
    for i in range(n):
        for j in range(n):
            g = along(i, j)
            d = difference(g, xs[j], first[i], eps)
            name = f"∂²/∂{names[i]}∂{names[j]}"
            a, ref = hess[i][j], (want[i][j] if want is not None else d.value)
            jump = (i in kinks or j in kinks) and not close(d.forward, d.backward, atol, rtol)
            if close(a, ref, atol, rtol, equal_nan):
                note = f"at the kink of {', '.join(kinks.get(j, kinks.get(i, []))[:2])}" if jump else d.note
                rows.append(GradRow(name, xs[j], a, ref, KINK if jump else OK, note, None, None, j))
                continue
            kink = (kink_note(f, root, leaves, j, eps, atol, rtol, jump=not close(d.forward, d.backward, atol, rtol))
                    if want is None else "")
            if kink and not kink_excuses(a, None, lambda p, q: close(p, q, atol, rtol), leaves[j],
                                         lambda: find_bad_node(root, f=f, xs=xs, names=names, eps=eps, atol=atol,
                                                               rtol=rtol)):
                kink = ""
            note = kink or (verdict(a, ref, d, error_estimate(g, xs[j], first[i], d), atol, rtol)
                            if want is not None else d.note)
            rows.append(GradRow(name, xs[j], a, ref, KINK if kink else FAIL, note, None, None, j))
    failed = [r for r in rows if r.status == FAIL or (fail_on_kink and r.status == KINK)]
    reference = "expected" if want is not None else _REFERENCE
    if not failed:
        return SecondOrderReport(rows, reference)
    raise GradcheckError(_message(where, failed, rows, xs, names, eps, atol, rtol, reference), rows)


def _message(where: str, failed: Sequence[GradRow], rows: Sequence[GradRow], xs: Sequence[float],
             names: Sequence[str], eps: float, atol: float, rtol: float, reference: str) -> str:
    point = ", ".join(f"{n}={x:.6g}" for n, x in zip(names, xs, strict=True))
    top = worst(failed)
    short = "at a kink" if top.status == KINK else ("backward() is wrong" if top.note.endswith("is wrong") else "")
    against = "the expected ones" if reference == "expected" else "central differences of the first derivatives"
    return (
        f"{headline(where, top, reference, short, 'analytic ∂²')}\n"
        f"{where}: {len(failed)} of {len(rows)} second derivatives disagree with {against} at {point} "
        f"(eps={eps:g}, atol={atol:g}, rtol={rtol:g})\n\n"
        f"{format_report(rows, reference=reference, analytic=_ANALYTIC, limit=LIMIT)}\n\n"
        "analytic ∂²: grad(create_graph=True) differentiated once more; numerical: central differences of the\n"
        "analytic first derivatives; value: the input stepped (x_j). If gradcheck passes but this fails, an op's\n"
        "derivative is right on floats but not differentiable as written (math.* on a Value's .data makes it\n"
        "a constant): write it with Value arithmetic and methods."
    )
