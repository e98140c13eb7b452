"""Gradient checking: compare ``backward()`` with central differences, and say where they differ.

The by-hand workflow: derive ∂f/∂x on paper, then ::

    gradcheck(lambda x, y: (x * y).tanh(), [0.5, -1.5])   # backward() vs central differences
    assert_grad(lambda x, y: x * y, [2.0, 3.0], expected=[3.0, 2.0])  # vs your formula (autograd.testing)

``f`` is always called with ``Value`` leaves, one positional argument per input, and must return
a ``Value`` (``numerical_grad`` also accepts a plain number, so ``math.sin`` works there). Inputs
are numbers or ``Value`` nodes; only their ``data`` and ``label`` are used, fresh leaves are made
for every evaluation, so the caller's nodes and gradients are never touched. f must be
deterministic (the same inputs give the same graph and value).

Central differences: for input x_i with step h = eps·max(1, |x_i|) (the step grows with the input
so that x ± h stays many ulps away from x), ∂f/∂x_i ≈ (f(x + h) − f(x − h)) / ((x + h) − (x − h)),
in float64, with graph recording off (``no_grad``). Its error is O(h²) from the Taylor series plus
about ε_mach·|f|/h from rounding, so eps = 1e-6 gives ~1e-10 relative on smooth functions. Near
the edge of f's domain (log at 5e-7) the step is cut until x ± h fits inside; exactly on it (√x at
0) the one-sided difference is used. The row's note says so.

A row passes when |analytic − numerical| ≤ atol + rtol·|numerical| (PyTorch's defaults: eps 1e-6,
atol 1e-5, rtol 1e-3). Over all built-in ops and a small network at 3,000 random points the worst
error at eps = 1e-6 was 4e-5 of that allowance, and 1e-6 beat 1e-4, 1e-5, 1e-7 and 1e-8
(``tests/checking/test_checking.py::test_gradcheck_passes_on_every_builtin_op_with_a_wide_margin`` keeps it so).

A row that fails because an op in the graph sits at (or the step crosses) a point where it is not
differentiable (relu, abs, leaky_relu at 0; any ``Op`` with a ``kink`` predicate) is reported as
``kink``, not as a failure, unless ``fail_on_kink=True``: at a kink the one-sided derivatives
differ, so no single number is "the" derivative and the engine's convention (relu′(0) = 0, as
PyTorch) cannot be checked numerically.
"""

from __future__ import annotations

import html
import inspect
import math
import numbers
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from autograd.compat.surface import NotANumberError
from autograd.engine import Value
from autograd.errors import DeltagradError
from autograd.modes import is_grad_enabled, no_grad
from autograd.operators import describe

EPS = 1e-6
ATOL = 1e-5
RTOL = 1e-3

OK, FAIL, KINK = "ok", "FAIL", "kink"


class GradcheckError(DeltagradError, AssertionError):
    """A gradient check failed. The message is the report; ``rows`` and ``node`` hold it as data.

    ``rows``: the ``GradRow`` of every input (empty for ``check_graph``); ``node``: the first
    wrong node found (a ``graphcheck.NodeCheck``) or None.
    """

    def __init__(self, message: str, rows: Sequence[GradRow] = (), node: Any = None) -> None:
        super().__init__(message)
        self.rows = list(rows)
        self.node = node


# ---------------------------------------------------------------------------------------------
# The report table (reused by every check: gradcheck, assert_grad, and second-order checks).


@dataclass(frozen=True)
class GradRow:
    """One row of a report: an input, its value, the analytic gradient and what it is compared with.

    ``reference`` is the numerical gradient (gradcheck) or the hand-derived one (assert_grad);
    ``status`` is ``"ok"``, ``"FAIL"`` or ``"kink"``; ``note`` explains a non-ok row. ``forward`` is
    forward mode's J·e_i (``gradcheck(modes=("rev", "fwd"))``), None when it was not computed.
    """

    name: str
    value: float
    analytic: float
    reference: float
    status: str = OK
    note: str = ""
    forward: float | None = None

    @property
    def abs_err(self) -> float:
        """|analytic − reference| (0 when both are the same infinity)."""
        return 0.0 if self.analytic == self.reference else abs(self.analytic - self.reference)

    @property
    def rel_err(self) -> float:
        """|analytic − reference| / |reference| (inf when the reference is 0 and they differ)."""
        err = self.abs_err
        if err == 0.0:
            return 0.0
        return err / abs(self.reference) if self.reference != 0.0 else math.inf

    @property
    def worst_err(self) -> tuple[float, float]:
        """(abs err, rel err) of the analytic value or of the forward one, whichever is larger."""
        if self.forward is None:
            return self.abs_err, self.rel_err
        fwd = GradRow(self.name, self.value, self.forward, self.reference)
        return max(self.abs_err, fwd.abs_err), max(self.rel_err, fwd.rel_err)


def close(a: float, b: float, atol: float, rtol: float) -> bool:
    """|a − b| ≤ atol + rtol·|b|, with equal infinities close and NaN close to nothing."""
    if a == b:
        return True
    return abs(a - b) <= atol + rtol * abs(b)


def fmt(x: float) -> str:
    """A number for a report: 6 significant digits."""
    return f"{x:.6g}"


def format_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Left-aligned columns under a header and a rule, two spaces apart (trailing blanks removed)."""
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]
    lines = [headers, ["-" * w for w in widths], *rows]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip() for line in lines)


def format_report(rows: Sequence[GradRow], *, reference: str = "numerical", analytic: str = "analytic") -> str:
    """The table of a report: input, value, analytic, reference, abs err, rel err, status (and note).

    ``reference`` and ``analytic`` name those two columns: a second-order check passes e.g.
    ``analytic="analytic ∂²"``. The note column appears only when some row has a note; a
    ``forward`` column (forward mode) only when some row has one, and the errors are then the
    larger of reverse's and forward's.
    """
    forward = any(r.forward is not None for r in rows)
    if forward and analytic == "analytic":
        analytic = "reverse"  # beside forward mode, backward()'s column is reverse mode
    headers = ["input", "value", analytic, *(["forward"] if forward else []), reference, "abs err", "rel err",
               "status"]
    notes = any(r.note for r in rows)
    if notes:
        headers.append("note")
    body = []
    for r in rows:
        fwd = [fmt(r.forward) if r.forward is not None else "–"] if forward else []
        abs_err, rel_err = r.worst_err
        cells = [r.name, fmt(r.value), fmt(r.analytic), *fwd, fmt(r.reference), f"{abs_err:.2g}", f"{rel_err:.2g}",
                 r.status]
        body.append([*cells, r.note] if notes else cells)
    return format_table(headers, body)


class Report:
    """What a passed check returns: its rows. ``print(report)`` shows the table; it is truthy.

    ``report.kinks`` are the rows that sat at a kink (passed because ``fail_on_kink`` was False).
    """

    def __init__(self, rows: Sequence[GradRow], reference: str = "numerical") -> None:
        self.rows = list(rows)
        self.reference = reference

    @property
    def kinks(self) -> list[GradRow]:
        return [r for r in self.rows if r.status == KINK]

    def __bool__(self) -> bool:
        return all(r.status != FAIL for r in self.rows)

    def __str__(self) -> str:
        return format_report(self.rows, reference=self.reference)

    def __repr__(self) -> str:
        return f"<Report: {len(self.rows)} inputs, {len(self.kinks)} at kinks>"

    def summary(self) -> str:
        """One line: how many inputs passed, failed, or sat at a kink."""
        fails = sum(1 for r in self.rows if r.status == FAIL)
        verdict = "passed" if not fails else f"{fails} FAILED"
        return f"gradient check {verdict}: {len(self.rows)} inputs, {len(self.kinks)} at kinks"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:  # IPython / Jupyter: the table, not <Report>
        printer.text(f"{self.summary()}\n\n{self}")

    def _repr_html_(self) -> str:  # Jupyter's rich display: the same text, monospaced
        return f"<pre>{html.escape(self.summary())}\n\n{html.escape(str(self))}</pre>"


# ---------------------------------------------------------------------------------------------
# Inputs and evaluations.


MIN_EPS = sys.float_info.epsilon
"""The smallest step factor accepted (2.2e-16): below it x ± eps·max(1, |x|) may round back to x."""


def check_settings(where: str, **settings: float) -> None:
    """eps, atol, rtol must be finite numbers (eps ≥ ``MIN_EPS``, tolerances ≥ 0), else ValueError naming them.

    An eps below float resolution would make the step (x + h) − (x − h) round to 0 and the
    difference quotient divide by zero; it is refused here, before anything is computed.
    """
    for key, val in settings.items():
        ok = isinstance(val, numbers.Real) and not isinstance(val, bool) and math.isfinite(val)
        if not ok or val < 0 or (key == "eps" and val == 0):
            need = "a positive number such as 1e-6" if key == "eps" else "a number >= 0"
            raise ValueError(f"{where}: {key} must be {need}, got {describe(val)}")
        if key == "eps" and val < MIN_EPS:
            raise ValueError(
                f"{where}: eps={val!r} is below float resolution (the smallest usable step factor is "
                f"{MIN_EPS:.3g}: x ± eps·max(1, |x|) would round back to x); use eps=1e-6 (the default)")


def resolve_inputs(f: Any, inputs: Any, where: str) -> tuple[list[float], list[str]]:
    """The input floats and the row names: each Value's label, else f's parameter name, else ``#i``."""
    if not callable(f):
        raise TypeError(f"{where}: f must be a function of the inputs returning a Value, got {describe(f)}")
    items = [inputs] if isinstance(inputs, (Value, numbers.Real)) else inputs
    if isinstance(items, (str, bytes)) or not isinstance(items, Sequence):
        raise TypeError(f"{where}: inputs must be a list of numbers or Values, got {describe(inputs)}")
    if not items:
        raise ValueError(f"{where}: needs at least one input (got an empty list)")
    xs: list[float] = []
    for i, x in enumerate(items):
        if isinstance(x, Value):
            xs.append(x.data)
        elif isinstance(x, numbers.Real) and not isinstance(x, bool):
            xs.append(float(x))
        else:
            raise TypeError(f"{where}: inputs[{i}] must be a real number or a Value, got {describe(x)}; "
                            "pass float(...) or Value(...)")
        if not math.isfinite(xs[-1]):
            raise ValueError(f"{where}: inputs[{i}] is {xs[-1]!r}; gradients can only be checked at finite points")
    params = _positional_names(f)
    names = []
    for i, x in enumerate(items):
        name = x.label if isinstance(x, Value) and x.label else (params[i] if i < len(params) else f"#{i}")
        names.append(name if name not in names else f"{name} (#{i})")
    return xs, names


def _positional_names(f: Any) -> list[str]:
    try:
        params = inspect.signature(f).parameters.values()
    except (TypeError, ValueError):
        return []
    names = []
    for p in params:
        if p.kind not in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            break
        names.append(p.name)
    return names


def output(y: Any, where: str, *, numbers_ok: bool) -> float:
    """f's result as a float; a Value always, a plain number only where ``numbers_ok``."""
    if isinstance(y, Value):
        return y.data
    if numbers_ok and isinstance(y, numbers.Real) and not isinstance(y, bool):
        return float(y)
    hint = (" (a float: an input went through math.* or .data, outside the graph; use the Value's methods)"
            if isinstance(y, numbers.Real) else "")
    raise TypeError(f"{where}: f must return a Value, got {describe(y)}{hint}")


def build(f: Callable[..., Any], xs: Sequence[float], names: Sequence[str], where: str) -> tuple[Value, list[Value]]:
    """Call f on fresh labelled leaves with recording on: (output node, leaves)."""
    if not is_grad_enabled():
        raise RuntimeError(f"{where}: called inside no_grad(), where f records no graph; call it outside")
    leaves = [Value(x, label=n) for x, n in zip(xs, names, strict=True)]
    y = f(*leaves)
    output(y, where, numbers_ok=False)
    return y, leaves


def analytic_grads(f: Callable[..., Any], xs: Sequence[float], names: Sequence[str],
                   where: str) -> tuple[Value, list[Value], list[float]]:
    """f's graph on fresh leaves, ``backward()`` run: (output, leaves, ∂f/∂x_i for each input)."""
    root, leaves = build(f, xs, names, where)
    root.backward()
    return root, leaves, [v.grad for v in leaves]


@dataclass(frozen=True)
class Difference:
    """A numerical derivative: the central ``value``, the one-sided ``forward`` and ``backward``
    differences (NaN where f is undefined), the ``step`` h, and a ``note`` when it is one-sided."""

    value: float
    forward: float
    backward: float
    step: float
    note: str = ""


def _try(g: Callable[[float], float], t: float) -> float | None:
    try:
        return g(t)
    except (ValueError, ArithmeticError):
        return None


def _step(g: Callable[[float], float], x: float, gx: float, h: float, note: str = "") -> Difference:
    xp, xm = x + h, x - h
    gp, gm = _try(g, xp), _try(g, xm)
    fwd = (gp - gx) / (xp - x) if gp is not None else math.nan
    bwd = (gx - gm) / (x - xm) if gm is not None else math.nan
    if gp is not None and gm is not None:
        return Difference((gp - gm) / (xp - xm), fwd, bwd, h, note)
    if gp is None and gm is None:
        return Difference(math.nan, fwd, bwd, h, f"f is undefined at x ± {h:.2g}")
    side = "x + h" if gp is None else "x − h"
    return Difference(bwd if gp is None else fwd, fwd, bwd, h, f"one-sided: f is undefined at {side}")


def step_size(x: float, eps: float) -> float:
    """The central-difference step at x: h = eps·max(1, |x|), relative for large inputs."""
    return eps * max(1.0, abs(x))


def difference(g: Callable[[float], float], x: float, gx: float, eps: float) -> Difference:
    """g′(x) by central differences with h = eps·max(1, |x|); ``gx`` is g(x).

    The divisor is the step actually taken, (x + h) − (x − h), not 2h: x ± h is rounded. When g
    is undefined on one side (a domain edge such as log's 0 lies within the step), the step is
    cut by 10 until both sides are defined, then by 100 more so that the edge is far in step
    units (√x at 1e-12 needs h ≈ 1e-14); if no such step exists the one-sided difference is used.
    """
    h = step_size(x, eps)
    d = _step(g, x, gx, h)
    if not d.note.startswith("one-sided"):
        return d
    t = h
    while t > 1e-12 * h and x + t / 1000.0 != x:
        t /= 10.0
        if _try(g, x + t) is not None and _try(g, x - t) is not None:
            near = _step(g, x, gx, t / 100.0, f"step cut to {t / 100.0:.2g}: f is undefined at x ± {h:.2g}")
            return near if not near.note.startswith(("one", "f is")) else d
    return d


def differences(f: Callable[..., Any], xs: Sequence[float], eps: float, where: str) -> list[Difference]:
    """∂f/∂x_i for every input by central differences, f evaluated on fresh leaves under ``no_grad``.

    A function of floats (``math.sin``, which refuses a ``Value``) is evaluated on the floats instead."""
    on_floats = False

    def at(point: Sequence[float]) -> float:
        nonlocal on_floats
        with no_grad():
            if not on_floats:
                try:
                    return output(f(*[Value(t) for t in point]), where, numbers_ok=True)
                except NotANumberError:
                    on_floats = True
            return output(f(*point), where, numbers_ok=True)

    fx = at(xs)
    result = []
    for i, x in enumerate(xs):
        def g(t: float, i: int = i) -> float:
            return at([*xs[:i], t, *xs[i + 1:]])

        result.append(difference(g, x, fx, eps))
    return result


def numerical_grad(f: Callable[..., Any], inputs: Any, eps: float = EPS) -> list[float]:
    """[∂f/∂x_i] at ``inputs`` by central differences in float64 (step eps·max(1, |x_i|)).

    ``f`` receives one ``Value`` leaf per input and returns a ``Value`` or a number; no graph
    is recorded. ``inputs`` is a list of numbers or Values (or one of them). Near the edge of
    f's domain the step is cut to fit (see ``difference``); exactly on it the one-sided difference
    is returned; where f is undefined on both sides, NaN.
    """
    check_settings("numerical_grad", eps=eps)
    xs, _ = resolve_inputs(f, inputs, "numerical_grad")
    return [d.value for d in differences(f, xs, eps, "numerical_grad")]
