"""pytest helpers for unit-testing gradients by hand: import and assert, no fixtures or set-up.

::

    from autograd.testing import assert_grad, assert_gradcheck

    def test_product_rule():
        # y = x·sin(w):  ∂y/∂x = sin w,  ∂y/∂w = x·cos w   (derived on paper)
        assert_grad(lambda x, w: x * w.sin(), [2.0, 0.5],
                    expected=lambda x, w: [math.sin(w), x * math.cos(w)])

On failure the ``AssertionError`` (a ``GradcheckError``) shows, per input, the analytic gradient
(``backward()``), your expected one, the errors, and the numerical one as a referee: if it agrees
with your formula, ``backward()`` is wrong and the first wrong node is named; if it agrees with
``backward()``, the derivation on paper is. Plain ``assert`` works too: the helpers return a
truthy ``Report``. Nothing here imports pytest; pytest hides these frames from tracebacks.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from typing import Any

from autograd.checking.gradcheck import gradcheck
from autograd.checking.nodes import find_bad_node, node_message
from autograd.checking.numerical import (
    ATOL,
    EPS,
    FAIL,
    OK,
    RTOL,
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
from autograd.engine import Value
from autograd.symbolic import formula

__all__ = ["assert_grad", "assert_gradcheck"]


def _expected(expected: Any, xs: Sequence[float]) -> list[float]:
    values = expected(*xs) if callable(expected) else expected
    if isinstance(values, numbers.Real) and not isinstance(values, bool):
        values = [values]
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
        raise TypeError(f"assert_grad: expected must be a list of numbers, one per input (or a function of the "
                        f"inputs returning one), got {values!r}")
    if len(values) != len(xs):
        raise ValueError(f"assert_grad: expected has {len(values)} value(s) but there are {len(xs)} input(s); "
                         "give one ∂f/∂input per input, in order")
    out = []
    for i, v in enumerate(values):
        if isinstance(v, bool) or not isinstance(v, numbers.Real):
            raise TypeError(f"assert_grad: expected[{i}] must be a number, got {v!r}")
        out.append(float(v))
    return out


def _verdict(analytic: float, expected: float, numerical: float) -> str:
    agrees_e = close(expected, numerical, ATOL, RTOL)
    agrees_a = close(analytic, numerical, ATOL, RTOL)
    if agrees_e and not agrees_a:
        return f"numerical {fmt(numerical)} agrees with expected: backward() is wrong"
    if agrees_a and not agrees_e:
        return f"numerical {fmt(numerical)} agrees with analytic: re-check the derivation"
    return f"numerical {fmt(numerical)}"


def assert_grad(f: Callable[..., Any], inputs: Any, expected: Any, *, atol: float = 1e-10, rtol: float = 1e-7,
                eps: float = EPS, check_nodes: bool = True, symbolic: bool = False) -> Report:
    """Assert that ``backward()`` gives your hand-derived gradient ∂f/∂x_i at ``inputs``.

    ``f`` takes one ``Value`` per input and returns a ``Value``; ``expected`` is a list of numbers
    (one per input, a single number for one input) or a function of the input floats returning
    one — write the formula from paper there. The tolerances are tight (|analytic − expected| ≤
    atol + rtol·|expected|, atol 1e-10, rtol 1e-7) since both sides are exact formulas in floats.
    Raises ``GradcheckError`` with the table (the numerical gradient, with step ``eps``, referees
    each failed row; with ``check_nodes`` the first wrong node is named when backward() is wrong).
    With ``symbolic=True`` (needs sympy) the message also shows ∂f/∂x_i as sympy derives it from
    f's graph (``autograd.formula``), beside the numbers.
    """
    __tracebackhide__ = True
    check_settings("assert_grad", eps=eps, atol=atol, rtol=rtol)
    xs, names = resolve_inputs(f, inputs, "assert_grad")
    want = _expected(expected, xs)
    root, leaves, grads = analytic_grads(f, xs, names, "assert_grad")
    bad = [i for i, (a, e) in enumerate(zip(grads, want, strict=True)) if not close(a, e, atol, rtol)]
    if not bad:
        return Report([GradRow(n, x, a, e) for n, x, a, e in zip(names, xs, grads, want, strict=True)], "expected")
    numerical = [d.value for d in differences(f, xs, eps, "assert_grad")]
    rows = [GradRow(n, x, a, e, FAIL if i in bad else OK, _verdict(a, e, numerical[i]) if i in bad else "")
            for i, (n, x, a, e) in enumerate(zip(names, xs, grads, want, strict=True))]
    text = (f"assert_grad: {len(bad)} of {len(rows)} gradients differ from the expected ones "
            f"(atol={atol:g}, rtol={rtol:g})\n\n{format_report(rows, reference='expected')}\n")
    node = None
    if check_nodes and any(r.note.endswith("backward() is wrong") for r in rows):
        node = find_bad_node(root, f=f, xs=xs, names=names, eps=eps)
        if node is not None:
            text += "\n" + node_message(node) + "\n"
    if symbolic:
        text += "\n" + _symbolic(root, leaves) + "\n"
    text += "\nanalytic: backward(); expected: yours; numerical: central differences, as a referee"
    raise GradcheckError(text, rows, node)


def _symbolic(root: Value, leaves: list[Value]) -> str:
    """∂f/∂x_i from sympy, one line per input, for a failure message."""
    lines = [f"  ∂f/∂{g.symbol} = {g.expr}   (= {fmt(g.at())} here)" for g in formula(root, leaves)]
    return "symbolic (sympy, from f's graph):\n" + "\n".join(lines)


def assert_gradcheck(f: Callable[..., Any], *inputs: Any, **options: Any) -> Report:
    """``gradcheck(f, inputs, **options)`` with the inputs as arguments: ``assert_gradcheck(f, 0.5, 2.0)``."""
    __tracebackhide__ = True
    return gradcheck(f, list(inputs), **options)
