"""pytest helpers for unit-testing gradients by hand: import and assert, no fixtures or set-up.

::

    from autograd.testing import assert_grad, assert_jacobian, assert_gradcheck

    def test_product_rule():
        # y = x·sin(w):  ∂y/∂x = sin w,  ∂y/∂w = x·cos w   (derived on paper)
        assert_grad(lambda x, w: x * w.sin(), [2.0, 0.5],
                    expected=lambda x, w: [math.sin(w), x * math.cos(w)])

On failure the ``AssertionError`` (a ``GradcheckError``) shows, per input, the analytic gradient
(``backward()``), your expected one, the errors, and the numerical one as a referee, with its own
error estimate: if it agrees with your formula (within your tolerances plus that error),
``backward()`` is wrong and the first wrong node is named; if it agrees with ``backward()``, the
derivation on paper is. Plain ``assert`` works too: the helpers return a truthy ``Report``.
Nothing here imports pytest; pytest hides these frames from tracebacks.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence
from typing import Any

from autograd.checking.gradcheck import gradcheck
from autograd.checking.kinks import kinks_by_input
from autograd.checking.nodes import find_bad_node, node_message
from autograd.checking.numerical import (
    EPS,
    Difference,
    Evaluator,
    along,
    analytic_grads,
    as_list,
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
    fmt,
    format_report,
    worst,
)
from autograd.checking.report import headline as first_line
from autograd.checking.rows import Graph, row_name
from autograd.engine import Value
from autograd.symbolic import formula

__all__ = ["assert_grad", "assert_gradcheck", "assert_jacobian", "expected_matrix"]


def _number(v: Any, where: str, at: str) -> float:
    if isinstance(v, bool) or not isinstance(v, numbers.Real):
        raise TypeError(f"{where}: expected{at} must be a number, got {v!r}")
    return float(v)


def expected_matrix(expected: Any, xs: Sequence[float], m: int, single: bool, where: str) -> list[list[float]]:
    """Your expectation as rows E[k][j] = ∂f_k/∂x_j: a list (or numpy array), or a function of the
    input floats returning one. For one output, a list with one number per input (or one number)."""
    values = as_list(expected(*xs) if callable(expected) else expected)
    n = len(xs)
    if isinstance(values, numbers.Real) and not isinstance(values, bool):
        values = [values]
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
        raise TypeError(f"{where}: expected must be a list of numbers, one per input (or a function of the "
                        f"inputs returning one), got {values!r}")
    rows = [list(values)] if single or (values and not isinstance(values[0], (list, tuple))) else list(values)
    if not single and n == 1 and len(rows) == 1 and len(rows[0]) == m:  # one input: [∂f_0/∂x, ∂f_1/∂x, …]
        rows = [[v] for v in rows[0]]
    if len(rows) != m:
        raise ValueError(f"{where}: expected has {len(rows)} row(s) but f has {m} output(s); give the Jacobian "
                         "J[k][j] = ∂f_k/∂x_j, one row per output")
    out = []
    for k, row in enumerate(rows):
        if isinstance(row, (str, bytes)) or not isinstance(row, Sequence):
            raise TypeError(f"{where}: expected[{k}] must be a list of numbers, got {row!r}")
        if len(row) != n:
            raise ValueError(f"{where}: expected has {len(row)} value(s) but there are {n} input(s); "
                             "give one ∂f/∂input per input, in order")
        out.append([_number(v, where, f"[{j}]" if single else f"[{k}][{j}]") for j, v in enumerate(row)])
    return out


def verdict(analytic: float, expected: float, d: Difference, est: float, atol: float, rtol: float) -> str:
    """Who is wrong, by the referee (central differences ``d``) within your tolerances plus its error."""
    n = d.value
    agrees_e = close(expected, n, atol + 3.0 * est, rtol)
    agrees_a = close(analytic, n, atol + 3.0 * est, rtol)
    if agrees_e and not agrees_a:
        return f"numerical {fmt(n)} agrees with expected: backward() is wrong"
    if agrees_a and not agrees_e:
        return f"numerical {fmt(n)} agrees with analytic: re-check the derivation"
    if agrees_a and agrees_e:
        return (f"numerical {fmt(n)} (±{est:.1g}, its own error) cannot tell them apart: their difference is "
                "within the referee's error; check by hand, or with sympy (symbolic=True)")
    note = f"; {d.note}" if d.note else ""
    return f"numerical {fmt(n)} (±{est:.1g}) agrees with neither{note}"


def _kink_verdict(where_kinks: list[str], d: Difference) -> str:
    return (f"at the kink of {', '.join(where_kinks[:2])}: no derivative exists there (one-sided "
            f"{fmt(d.backward)} | {fmt(d.forward)}); backward() uses the op's convention (relu′(0) = 0, "
            "as PyTorch); check a point off the kink")


def assert_grad(f: Callable[..., Any], inputs: Any, expected: Any, *, atol: float = 1e-10, rtol: float = 1e-7,
                eps: float = EPS, check_nodes: bool = True, symbolic: bool = False, fail_on_kink: bool = False,
                equal_nan: bool = False) -> Report:
    """Assert that ``backward()`` gives your hand-derived gradient ∂f/∂x_i at ``inputs``.

    ``f`` takes one ``Value`` per input and returns a ``Value`` (or a list of them: then
    ``expected`` is the Jacobian, one row per output, as for ``assert_jacobian``); ``expected`` is
    a list of numbers (one per input, a single number for one input, or a numpy array) or a
    function of the input floats returning one — write the formula from paper there. The
    tolerances are tight (|analytic − expected| ≤ atol + rtol·|expected|, atol 1e-10, rtol 1e-7)
    since both sides are exact formulas in floats; an infinity only equals itself, NaN nothing
    unless ``equal_nan``. Raises ``GradcheckError`` with the table (the numerical gradient, with
    step ``eps``, referees each failed row using your tolerances plus its own error estimate; with
    ``check_nodes`` the first wrong node is named when backward() is wrong). An input at a kink
    (relu at 0) is reported as ``kink`` (and fails with ``fail_on_kink``). With ``symbolic=True``
    (needs sympy) the message also shows ∂f/∂x_i as sympy derives it from f's graph.
    """
    __tracebackhide__ = True
    return _assert("assert_grad", f, inputs, expected, atol, rtol, eps, check_nodes, symbolic, fail_on_kink,
                   equal_nan)


def assert_jacobian(f: Callable[..., Any], inputs: Any, expected: Any, *, atol: float = 1e-10, rtol: float = 1e-7,
                    eps: float = EPS, check_nodes: bool = True, symbolic: bool = False, fail_on_kink: bool = False,
                    equal_nan: bool = False) -> Report:
    """Assert that f's Jacobian J[k][j] = ∂f_k/∂x_j from ``backward()`` is ``expected``.

    ``f`` returns a list of ``Value``s (one row per output); ``expected`` is the matrix (nested
    lists or a 2-D numpy array) or a function of the input floats returning it. Rows of the
    report are "output k with respect to input j", named ``∂f[k]/∂x`` (or by the output's label).
    Otherwise as ``assert_grad``.
    """
    __tracebackhide__ = True
    return _assert("assert_jacobian", f, inputs, expected, atol, rtol, eps, check_nodes, symbolic, fail_on_kink,
                   equal_nan)


def _assert(where: str, f: Callable[..., Any], inputs: Any, expected: Any, atol: float, rtol: float, eps: float,
            check_nodes: bool, symbolic: bool, fail_on_kink: bool, equal_nan: bool) -> Report:
    __tracebackhide__ = True
    check_settings(where, eps=eps, atol=atol, rtol=rtol)
    xs, names = resolve_inputs(f, inputs, where)
    roots, leaves, grads, single = analytic_grads(f, xs, names, where)
    graph = Graph(roots, leaves, grads, single)
    want = expected_matrix(expected, xs, len(roots), single, where)
    kinks = kinks_by_input(roots, leaves)
    pairs = [(k, j) for k in range(len(roots)) for j in range(len(xs))]
    bad = {(k, j) for k, j in pairs if not close(grads[k][j], want[k][j], atol, rtol, equal_nan)}
    at = Evaluator(f, where)
    fx = at(xs) if bad or kinks else []
    refs: dict[tuple[int, int], tuple[Difference, float]] = {}
    for j in sorted({j for _, j in bad} | set(kinks)):
        gs = along(at, xs, j, len(fx))
        for k in range(len(fx)):
            diff = difference(gs[k], xs[j], fx[k], eps)
            refs[(k, j)] = (diff, error_estimate(gs[k], xs[j], fx[k], diff))
    rows = []
    for k, j in pairs:
        a, e, name = grads[k][j], want[k][j], row_name(names, j, k, graph)
        ref = refs.get((k, j))
        d: Difference | None = ref[0] if ref is not None else None
        est = ref[1] if ref is not None else math.inf
        jump = j in kinks and d is not None and not close(d.forward, d.backward, 1e-5, 1e-3)
        if (k, j) in bad and d is not None:
            note = _kink_verdict(kinks[j], d) if jump else verdict(a, e, d, est, atol, rtol)
            rows.append(GradRow(name, xs[j], a, e, FAIL, note, None, graph.output(k), j))
        else:
            note = f"at the kink of {', '.join(kinks[j][:2])}: the op's convention" if jump else ""
            rows.append(GradRow(name, xs[j], a, e, KINK if jump else OK, note, None, graph.output(k), j))
    failed = [r for r in rows if r.status == FAIL or (fail_on_kink and r.status == KINK)]
    if not failed:
        return Report(rows, "expected")
    node = None
    paragraphs = []
    wrong = [r for r in rows if r.note.endswith("backward() is wrong")]
    if check_nodes and wrong:
        k0 = wrong[0].output or 0
        node = find_bad_node(roots[k0], f=f, xs=xs, names=names, eps=eps, atol=atol, rtol=rtol,
                             output=graph.output(k0))
        if node is not None:
            paragraphs.append(node_message(node))
    if symbolic:
        paragraphs.append(_symbolic(roots, leaves, single))
    top = worst(failed)
    short = ("backward() is wrong" if top.note.endswith("backward() is wrong") else
             "re-check the derivation" if top.note.endswith("re-check the derivation") else
             "at a kink" if top.status == KINK or top.note.startswith("at the kink") else "")
    text = "\n\n".join([
        f"{first_line(where, top, 'expected', short)}\n{where}: {len(failed)} of {len(rows)} gradients differ "
        f"from the expected ones (atol={atol:g}, rtol={rtol:g})",
        format_report(rows, reference="expected", limit=LIMIT), *paragraphs,
        "analytic: backward(); expected: yours; numerical: central differences, as a referee"])
    raise GradcheckError(text, rows, node)


def _symbolic(roots: Sequence[Value], leaves: list[Value], single: bool) -> str:
    """∂f/∂x_i from sympy, one line per (output, input), for a failure message; where sympy cannot
    evaluate (a custom op, which it only knows by name) the line says so instead of a number."""
    lines = []
    for k, root in enumerate(roots):
        for g in formula(root, leaves):
            head = f"  ∂f/∂{g.symbol}" if single else f"  ∂f[{k}]/∂{g.symbol}"
            try:
                value = g.at()
                here = f"(= {fmt(value)} here)" if math.isfinite(value) or math.isinf(value) else "(NaN here)"
            except (TypeError, ValueError):
                here = "(sympy cannot evaluate it: a custom op is known to sympy only by its name)"
            lines.append(f"{head} = {g.expr}   {here}")
    return "symbolic (sympy, from f's graph):\n" + "\n".join(lines)


def assert_gradcheck(f: Callable[..., Any], *inputs: Any, **options: Any) -> Report:
    """``gradcheck(f, inputs, **options)`` with the inputs as arguments: ``assert_gradcheck(f, 0.5, 2.0)``."""
    __tracebackhide__ = True
    return gradcheck(f, list(inputs), **options)
