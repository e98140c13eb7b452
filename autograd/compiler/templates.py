"""The inline float code of the commonest ops: a second spelling of their forward and derivative.

Generated code could call every op's own functions (``OPS[k].forward(x)``, ``OPS[k].deriv(x, y, c)``),
and it does for every op not listed here (``@op``-defined ones included). For the ops most nodes are
made of, a call costs more than the arithmetic, so their forward and local derivative are written
here once more, as Python source text. That is a second definition of a derivative, so it is held
to the first: tests/compile/test_compile_templates.py evaluates every template below against the table's
``op.forward`` and ``g * op.deriv(...)`` bit for bit, on ordinary, zero, signed-zero, infinite and
NaN inputs, and checks that every op of ``ops.TABLE`` either has a template checked there or falls
back to calling the table.

A template is a format string over the *names* of generated variables, never over values:
``{0}``, ``{1}`` … are the inputs, ``{y}`` the node's output, ``{c}`` its constant (a literal made
by ``repr`` of a float) and ``{g}`` its upstream gradient ∂L/∂y. A backward template gives, for each
input in the order ``backward()`` adds them, the term added into that input's gradient — exactly
the expression ``autograd.backprop`` evaluates (``g * d`` on its generic path, or its fast path's
``g``, ``g * b``), so the sums match bit for bit.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence

from autograd import ops
from autograd.ops import Op

Forward = Callable[[int], str]
"""(number of inputs) -> the expression of y, with {0}, {1}, … and {c}."""
Backward = Callable[[int], list[tuple[int, str]]]
"""(number of inputs) -> [(input index, term added into its gradient)] in backward()'s order."""

HELPERS: dict[str, Callable[..., float]] = {"_exp": math.exp, "_tanh": math.tanh, "_sin": math.sin,
                                            "_cos": math.cos}
"""The functions the templates call, by the names the generated code gives them (the same functions
as ``autograd.operators`` uses: ``operators.exp`` is ``math.exp`` plus an error message)."""


def _fixed(text: str) -> Forward:
    return lambda n: text


def _terms(*texts: str) -> Backward:
    return lambda n: list(enumerate(texts))


def _sum_forward(n: int) -> str:  # operators.total: from 0.0, left to right
    return " + ".join(["0.0", *(f"{{{i}}}" for i in range(n))])


def _linear_forward(n: int) -> str:  # operators.linear over (w_1…w_k, x_1…x_k, b): from b, in input order
    k = n // 2
    return " + ".join([f"{{{n - 1}}}", *(f"{{{i}}} * {{{k + i}}}" for i in range(k))])


def _linear_backward(n: int) -> list[tuple[int, str]]:  # backprop's fast path: w_i, x_i in turn, then b
    k = n // 2
    out: list[tuple[int, str]] = []
    for i in range(k):
        out += [(i, f"{{g}} * {{{k + i}}}"), (k + i, f"{{g}} * {{{i}}}")]
    return [*out, (n - 1, "{g}")]


FORWARD: dict[Op, Forward] = {
    ops.ADD: _fixed("{0} + {1}"),
    ops.SUB: _fixed("{0} - {1}"),
    ops.MUL: _fixed("{0} * {1}"),
    ops.DIV: _fixed("{0} / {1}"),  # ZeroDivisionError at 0, as operators.divide
    ops.ADD_C: _fixed("{0} + {c}"),
    ops.SUB_C: _fixed("{0} - {c}"),
    ops.RSUB: _fixed("{c} - {0}"),
    ops.MUL_C: _fixed("{0} * {c}"),
    ops.DIV_C: _fixed("{0} / {c}"),
    ops.RDIV: _fixed("{c} / {0}"),
    ops.NEG: _fixed("-{0}"),
    ops.EXP: _fixed("_exp({0})"),
    ops.TANH: _fixed("_tanh({0})"),
    ops.RELU: _fixed("(0.0 if {0} <= 0.0 else {0})"),
    ops.LEAKY_RELU: _fixed("({0} if {0} > 0.0 else {c} * {0})"),
    ops.ABS: _fixed("abs({0})"),
    ops.SIN: _fixed("_sin({0})"),
    ops.COS: _fixed("_cos({0})"),
    ops.SUM: _sum_forward,
    ops.LINEAR: _linear_forward,
}
"""Inline forwards; every other op's forward is called (``_F3(x)``)."""

BACKWARD: dict[Op, Backward] = {
    ops.ADD: _terms("{g}", "{g}"),  # backprop's fast path adds g itself
    ops.SUB: _terms("{g}", "-{g}"),  # g·1 and g·(−1): exact, as is −g
    ops.MUL: _terms("{g} * {1}", "{g} * {0}"),
    ops.DIV: _terms("{g} * (1.0 / {1})", "{g} * (-{y} / {1})"),
    ops.ADD_C: _terms("{g}"),
    ops.SUB_C: _terms("{g}"),
    ops.RSUB: _terms("-{g}"),
    ops.MUL_C: _terms("{g} * {c}"),
    ops.DIV_C: _terms("{g} * (1.0 / {c})"),
    ops.RDIV: _terms("{g} * (-{y} / {0})"),
    ops.NEG: _terms("-{g}"),
    ops.EXP: _terms("{g} * {y}"),
    ops.LOG: _terms("{g} * (1.0 / {0})"),
    ops.TANH: _terms("{g} * (1.0 - {y} * {y})"),
    ops.SIGMOID: _terms("{g} * ({y} * (1.0 - {y}))"),
    ops.RELU: _terms("{g} * (0.0 if {0} <= 0.0 else 1.0)"),
    ops.LEAKY_RELU: _terms("{g} * (1.0 if {0} > 0.0 else {c})"),
    ops.SIN: _terms("{g} * _cos({0})"),
    ops.COS: _terms("{g} * -_sin({0})"),
    ops.SUM: lambda n: [(i, "{g}") for i in range(n)],
    ops.LINEAR: _linear_backward,
}
"""Inline backward terms; every other op's derivative is called (``_d = _D3(x, y, c)``, term ``g * _d``)."""

GUARD: dict[Op, str] = {ops.LINEAR: "{g} or {y} - {y} != 0.0"}
"""Nodes whose backward is skipped unless this holds: backprop's fast path skips a ``linear`` node
reached with ∂L/∂z = 0 and a finite z, whose terms would all be ±0 (no 0·inf = NaN can hide there)."""


@functools.lru_cache(maxsize=512)
def forward_of(op: Op, n: int) -> str | None:
    """The inline forward of ``op`` with ``n`` inputs, or None (call ``op.forward``). Remembered per
    (op, n): a network's layers ask for the same few (``linear`` of 65 inputs, 32 times)."""
    if op is ops.LINEAR and not n & 1:
        return None
    make = FORWARD.get(op)
    return None if make is None else make(n)


def backward_of(op: Op, n: int, c: object = None) -> Sequence[tuple[int, str]] | None:
    """The inline backward terms of ``op`` with ``n`` inputs and constant ``c``, or None (call ``op.deriv``).

    ``{cm1}`` in a term is the literal of c − 1 (``x ** n``: n·xⁿ⁻¹, as ``operators.d_power`` computes it
    for n ≥ 1, where its special cases at n ∈ {0, 1} and x = 0 with n < 1 do not apply).
    """
    if op is ops.POW_C and type(c) is float:
        if c in (0.0, 1.0):
            return ((0, "{g} * {c}"),)
        return ((0, "{g} * ({c} * {0} ** {cm1})"),) if c > 1.0 else None
    return _terms_of(op, n)


@functools.lru_cache(maxsize=512)
def _terms_of(op: Op, n: int) -> tuple[tuple[int, str], ...] | None:
    if op is ops.LINEAR and not n & 1:  # backprop's generic path (and its error) for a malformed linear
        return None
    make = BACKWARD.get(op)
    return None if make is None else tuple(make(n))


def guard_of(op: Op, n: int) -> str | None:
    """The condition under which this node's backward runs (None: always)."""
    return GUARD.get(op) if backward_of(op, n) is not None else None


def covered(op: Op) -> str:
    """How the generated code computes ``op``: 'inline' (forward and derivative written here),
    'forward inline' / 'derivative inline' (one of them), or 'called' (both from the table)."""
    f, b = op in FORWARD, op in BACKWARD or op is ops.POW_C
    return "inline" if f and b else "forward inline" if f else "derivative inline" if b else "called"
