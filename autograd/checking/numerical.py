"""Gradient checking: compare ``backward()`` with central differences, and say where they differ.

The by-hand workflow: derive ∂f/∂x on paper, then ::

    gradcheck(lambda x, y: (x * y).tanh(), [0.5, -1.5])   # backward() vs central differences
    assert_grad(lambda x, y: x * y, [2.0, 3.0], expected=[3.0, 2.0])  # vs your formula (autograd.testing)

``f`` is always called with ``Value`` leaves, one positional argument per input, and must return
a ``Value`` or a list of them (``numerical_grad`` also accepts plain numbers, so ``math.sin`` works
there). Inputs are numbers, ``Value`` nodes or a 1-D numpy array; only their ``data`` and ``label``
are used, fresh leaves are made
for every evaluation, so the caller's nodes and gradients are never touched. f must be
deterministic (the same inputs give the same graph and value).

Central differences: for input x_i with step h = eps·max(1, |x_i|) (the step grows with the input
so that x ± h stays many ulps away from x), ∂f/∂x_i ≈ (f(x + h) − f(x − h)) / ((x + h) − (x − h)),
in float64, with graph recording off (``no_grad``). Its error is O(h²) from the Taylor series plus
about ε_mach·|f|/h from rounding, so eps = 1e-6 gives ~1e-10 relative on smooth functions. Near
the edge of f's domain (log at 5e-7) the step is cut until x ± h fits inside; exactly on it (√x at
0) the one-sided difference is used. The row's note says so.

A row passes when |analytic − numerical| ≤ atol + rtol·|numerical| (PyTorch's defaults: eps 1e-6,
atol 1e-5, rtol 1e-3), an infinity only equal to itself and NaN to nothing (``report.close``).
Over all built-in ops and a small network at 3,000 random points the worst error at eps = 1e-6
was 4e-5 of that allowance, and 1e-6 beat 1e-4, 1e-5, 1e-7 and 1e-8
(``tests/checking/test_checking.py::test_gradcheck_passes_on_every_builtin_op_with_a_wide_margin`` keeps it so).

A row that fails because an op in the graph sits at (or the step crosses) a point where it is not
differentiable (relu, abs, leaky_relu at 0; any ``Op`` with a ``kink`` predicate) is reported as
``kink``, not as a failure, unless ``fail_on_kink=True``: at a kink the one-sided derivatives
differ, so no single number is "the" derivative and the engine's convention (relu′(0) = 0, as
PyTorch) cannot be checked numerically.
"""

from __future__ import annotations

import inspect
import math
import numbers
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from autograd.checking.report import (  # noqa: F401  (re-exported: the report's names, from here as before)
    FAIL,
    KINK,
    OK,
    GradcheckError,
    GradRow,
    Report,
    close,
    fmt,
    format_report,
    format_table,
)
from autograd.engine import Value
from autograd.errors import NotANumberError, describe
from autograd.modes import is_grad_enabled, no_grad

EPS = 1e-6
ATOL = 1e-5
RTOL = 1e-3


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


def as_list(x: Any) -> Any:
    """A numpy array (anything with ``ndim`` and ``tolist``) as nested lists; anything else as it is."""
    if hasattr(x, "ndim") and hasattr(x, "tolist") and not isinstance(x, Value):
        return x.tolist()
    return x


def resolve_inputs(f: Any, inputs: Any, where: str) -> tuple[list[float], list[str]]:
    """The input floats and the row names: each Value's label, else f's parameter name, else ``#i``.

    ``inputs``: a number, a ``Value``, a list of them or a 1-D numpy array."""
    if not callable(f):
        raise TypeError(f"{where}: f must be a function of the inputs returning a Value, got {describe(f)}")
    flat = as_list(inputs)
    items = [flat] if isinstance(flat, (Value, numbers.Real)) else flat
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
            nested = " (one scalar per input: flatten the array)" if isinstance(x, (list, tuple)) else ""
            raise TypeError(f"{where}: inputs[{i}] must be a real number or a Value, got {describe(x)}{nested}; "
                            "pass float(...) or Value(...)")
        if not math.isfinite(xs[-1]):
            raise ValueError(f"{where}: inputs[{i}] is {xs[-1]!r}; gradients can only be checked at finite points")
    params = _positional_names(f)
    names: list[str] = []
    taken: set[str] = set()
    for i, x in enumerate(items):
        name = x.label if isinstance(x, Value) and x.label else (params[i] if i < len(params) else f"#{i}")
        names.append(name if name not in taken else f"{name} (#{i})")
        taken.add(names[-1])
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


def call(f: Callable[..., Any], args: Sequence[Any], where: str) -> Any:
    """``f(*args)``; numpy's refusal of a ``Value`` (``np.sin(x)``) becomes a hint at our methods."""
    try:
        return f(*args)
    except TypeError as e:
        if "ufunc" not in str(e) or not any(isinstance(a, Value) for a in args):
            raise
        raise TypeError(f"{where}: f called a numpy function on a Value ({e}); numpy cannot record a graph: "
                        "use the Value's methods instead, x.sin() for np.sin(x) (also exp, log, tanh, sqrt, "
                        "abs, cos, sigmoid, relu)") from None


def outputs(y: Any, where: str, *, numbers_ok: bool) -> tuple[list[float], bool]:
    """f's result as floats, and whether it was one value: a Value, a list of Values (or a numpy
    array of them), or plain numbers only where ``numbers_ok``."""
    y = as_list(y)
    single = not isinstance(y, (list, tuple))
    items = [y] if single else list(y)
    if not items:
        raise TypeError(f"{where}: f returned an empty list; it must return a Value or a list of Values")
    out = []
    for k, v in enumerate(items):
        if isinstance(v, Value):
            out.append(v.data)
        elif numbers_ok and isinstance(v, numbers.Real) and not isinstance(v, bool):
            out.append(float(v))
        else:
            hint = (" (a float: an input went through math.* or .data, outside the graph; use the Value's methods)"
                    if isinstance(v, numbers.Real) else "")
            what = "" if single else f"output {k}: "
            raise TypeError(f"{where}: f must return a Value or a list of Values, {what}got {describe(v)}{hint}")
    return out, single


def output(y: Any, where: str, *, numbers_ok: bool) -> float:
    """f's result as a float: one Value (or, where ``numbers_ok``, one number)."""
    values, single = outputs(y, where, numbers_ok=numbers_ok)
    if not single:
        raise TypeError(f"{where}: f returned {len(values)} outputs where one Value was expected; "
                        "for a function with several outputs use autograd.jacobian(f) or assert_jacobian")
    return values[0]


def build(f: Callable[..., Any], xs: Sequence[float], names: Sequence[str],
          where: str) -> tuple[list[Value], list[Value], bool]:
    """Call f on fresh labelled leaves with recording on: (output nodes, leaves, one output?)."""
    if not is_grad_enabled():
        raise RuntimeError(f"{where}: called inside no_grad(), where f records no graph; call it outside")
    leaves = [Value(x, label=n) for x, n in zip(xs, names, strict=True)]
    y = as_list(call(f, leaves, where))
    _, single = outputs(y, where, numbers_ok=False)
    return ([y] if single else list(y)), leaves, single


def analytic_grads(f: Callable[..., Any], xs: Sequence[float], names: Sequence[str],
                   where: str) -> tuple[list[Value], list[Value], list[list[float]], bool]:
    """f's graph on fresh leaves and ``backward()`` from each output: (outputs, leaves, grads[k][j] =
    ∂f_k/∂x_j, one output?). Between outputs the leaves' grads are zeroed (interior ones are
    recomputed by every ``backward()``)."""
    roots, leaves, single = build(f, xs, names, where)
    grads = []
    for root in roots:
        for v in leaves:
            v.grad = 0.0
        root.backward()
        grads.append([v.grad for v in leaves])
    return roots, leaves, grads, single


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


class Evaluator:
    """point ↦ f's outputs there as floats, f called on fresh leaves under ``no_grad``; ``single``:
    whether f returned one value. A function of floats (``math.sin``, which refuses a ``Value``)
    is evaluated on the floats instead."""

    def __init__(self, f: Callable[..., Any], where: str) -> None:
        self.f, self.where, self.on_floats, self.single, self.calls = f, where, False, True, 0

    def __call__(self, point: Sequence[float]) -> list[float]:
        self.calls += 1
        with no_grad():
            if not self.on_floats:
                try:
                    values, self.single = outputs(call(self.f, [Value(t) for t in point], self.where), self.where,
                                                  numbers_ok=True)
                    return values
                except NotANumberError:
                    self.on_floats = True
            values, self.single = outputs(self.f(*point), self.where, numbers_ok=True)
            return values


def along(at: Evaluator, xs: Sequence[float], i: int, m: int) -> list[Callable[[float], float]]:
    """One function t ↦ f_k(x with x_i = t) per output k, sharing their evaluations (and failures)."""
    memo: dict[float, list[float] | Exception] = {}

    def output_k(k: int) -> Callable[[float], float]:
        def g(t: float) -> float:
            if t not in memo:
                try:
                    memo[t] = at([*xs[:i], t, *xs[i + 1:]])
                except (ValueError, ArithmeticError) as e:
                    memo[t] = e
            got = memo[t]
            if isinstance(got, Exception):
                raise got
            return got[k]

        return g

    return [output_k(k) for k in range(m)]


def differences(f: Callable[..., Any], xs: Sequence[float], eps: float, where: str,
                at: Evaluator | None = None) -> list[list[Difference]]:
    """∂f_k/∂x_i by central differences: one list per input i, one ``Difference`` per output k."""
    at = at if at is not None else Evaluator(f, where)
    fx = at(xs)
    return [[difference(g, x, fx[k], eps) for k, g in enumerate(along(at, xs, i, len(fx)))]
            for i, x in enumerate(xs)]


def numerical_grad(f: Callable[..., Any], inputs: Any, eps: float = EPS) -> list[Any]:
    """[∂f/∂x_i] at ``inputs`` by central differences in float64 (step eps·max(1, |x_i|)).

    ``f`` receives one ``Value`` leaf per input and returns a ``Value`` or a number; no graph
    is recorded. ``inputs`` is a list of numbers or Values (or one of them, or a numpy array).
    Near the edge of f's domain the step is cut to fit (see ``difference``); exactly on it the
    one-sided difference is returned; where f is undefined on both sides, NaN. For f returning a
    list of outputs the result is the Jacobian's rows, ``J[k][i] = ∂f_k/∂x_i``.
    """
    check_settings("numerical_grad", eps=eps)
    xs, _ = resolve_inputs(f, inputs, "numerical_grad")
    at = Evaluator(f, "numerical_grad")
    cols = differences(f, xs, eps, "numerical_grad", at)
    rows = [[col[k].value for col in cols] for k in range(len(cols[0]))]
    return rows[0] if at.single else rows


def error_estimate(g: Callable[[float], float], x: float, gx: float, d: Difference) -> float:
    """How far the central difference ``d`` of g at x may be from g′(x): the truncation error
    |d(2h) − d(h)| / 3 (Richardson: the error grows as h²) plus the rounding error 4ε·|g|/h.
    Infinite where ``d`` is not finite or the doubled step leaves g's domain."""
    if not math.isfinite(d.value) or d.note.startswith(("one-sided", "f is")):
        return math.inf
    wide = _step(g, x, gx, 2.0 * d.step)
    if wide.note or not math.isfinite(wide.value):
        return math.inf
    size = abs(gx) + 2.0 * abs(d.value) * d.step  # about |g| over the step
    return abs(wide.value - d.value) / 3.0 + 4.0 * sys.float_info.epsilon * size / d.step
