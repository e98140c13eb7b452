"""Every checker decides "close" as numpy's and torch's ``allclose`` do, on a grid with ±inf, NaN, ±0, subnormals.

A tester's tool must never pass a wrong gradient: ``assert_grad(lambda x: x * 2, 1.0, expected=math.inf)``
used to pass, since |a − b| ≤ atol + rtol·|b| holds for b = ∞. Here each checker gets a planted
analytic value a (a user op whose derivative returns a) and a planted reference b (your expected
value, or an op whose forward makes central differences come out at b), and its verdict on the row
must be ``numpy.allclose(a, b, rtol, atol, equal_nan)`` — and ``torch.allclose`` on the same numbers.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from autograd import Op, Value, check_graph, gradcheck, gradgradcheck
from autograd.checking import GradcheckError, close
from autograd.testing import assert_grad, assert_hessian, assert_jacobian

torch = pytest.importorskip("torch")

TINY = 5e-324  # the smallest subnormal
GRID = [0.0, -0.0, TINY, -TINY, 2.2e-308, 1e-300, 1.0, 1.0 + 1e-4, 1.0005, -1.0, 1e308, -1e308,
        math.inf, -math.inf, math.nan]
ATOL, RTOL = 1e-5, 1e-3


def oracle(a: float, b: float, *, atol: float = ATOL, rtol: float = RTOL, equal_nan: bool = False) -> bool:
    """numpy's verdict, after checking that torch's is the same."""
    ours_np = bool(np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan))
    ours_torch = bool(torch.allclose(torch.tensor(a, dtype=torch.float64), torch.tensor(b, dtype=torch.float64),
                                     rtol=rtol, atol=atol, equal_nan=equal_nan))
    assert ours_np == ours_torch, (a, b)
    return ours_np


@pytest.mark.parametrize("equal_nan", [False, True])
def test_close_is_allclose_on_the_whole_grid(equal_nan: bool) -> None:
    for a in GRID:
        for b in GRID:
            assert close(a, b, ATOL, RTOL, equal_nan) == oracle(a, b, equal_nan=equal_nan), (a, b)


def test_the_issues_examples_fail_now() -> None:
    with pytest.raises(GradcheckError, match="expected inf"):
        assert_grad(lambda x: x * 2, 1.0, expected=math.inf)
    with pytest.raises(GradcheckError):
        assert_grad(lambda x: x * 2, 1.0, expected=-math.inf)
    with pytest.raises(GradcheckError):
        assert_grad(lambda x: x * 2, 1.0, expected=math.nan)
    assert assert_grad(lambda x: x.sqrt(), 0.0, expected=math.inf)  # √′(0) = +∞ is right


# ---------------------------------------------------------------------------------------------
# Planting: an op whose derivative returns a, and forwards whose central difference at 0 is b.

H = 1e-6  # gradcheck's step at x = 0


def forward_for(b: float) -> Callable[[float], float]:
    """g with g(0) = 0 whose central difference at 0 with step 1e-6 is b (or the nearest the floats give)."""
    if math.isnan(b):
        return lambda t: math.nan
    if math.isinf(b) or abs(b) < 1e-300:  # a jump: (g(h) − g(−h)) / 2h is ±∞ or subnormal
        top = math.copysign(math.inf, b) if math.isinf(b) else math.copysign(TINY, b) if b else 0.0
        return lambda t: top if t > 0 else 0.0
    return lambda t: b * t


def planted(a: float, b: float, name: str = "planted") -> Op:
    return Op(name, forward_for(b), lambda x, y, c: a)


REFERENCES = [0.0, TINY, 1e-300, 1.0, -1.0, 1e308, math.inf, -math.inf, math.nan]
PAIRS = [(a, b) for a in GRID for b in REFERENCES]


def _rows(check: Callable[..., Any], *args: Any, **options: Any) -> list[Any]:
    """The rows of ``check(*args, **options)``, passed or failed."""
    try:
        return check(*args, **options).rows
    except GradcheckError as e:
        return e.rows


@pytest.mark.parametrize("equal_nan", [False, True])
def test_gradcheck_decides_as_allclose(equal_nan: bool) -> None:
    for a, b in PAIRS:
        op = planted(a, b)
        (row,) = _rows(gradcheck, lambda x, op=op: op(x), [0.0], equal_nan=equal_nan)
        assert row.analytic == a or (math.isnan(a) and math.isnan(row.analytic))
        want = oracle(row.analytic, row.reference, equal_nan=equal_nan)
        assert (row.status == "ok") == want, (a, b, row)


@pytest.mark.parametrize("equal_nan", [False, True])
def test_gradcheck_forward_mode_decides_as_allclose(equal_nan: bool) -> None:
    for a, b in PAIRS:
        op = planted(a, b)
        (row,) = _rows(gradcheck, lambda x, op=op: op(x), [0.0], modes=("rev", "fwd"), equal_nan=equal_nan)
        assert row.forward is not None
        want = oracle(row.analytic, row.reference, equal_nan=equal_nan) and \
            oracle(row.forward, row.reference, equal_nan=equal_nan)
        assert (row.status == "ok") == want, (a, b, row)


def test_gradcheck_fast_mode_decides_as_allclose() -> None:
    """A projection allclose refuses always fails the check; one it accepts passes unless the input's
    own row (which fast mode then computes) is refused by allclose."""
    for a, b in PAIRS:
        op = planted(a, b)
        try:
            rows, passed = gradcheck(lambda x, op=op: op(x), [0.0], fast_mode=True, directions=1).rows, True
        except GradcheckError as e:
            rows, passed = e.rows, False
        direction = rows[0]
        assert direction.name.startswith("∇f·v")
        assert (direction.status == "ok") == oracle(direction.analytic, direction.reference), (a, b, direction)
        own = [r for r in rows if r.input == 0]
        want = oracle(direction.analytic, direction.reference) and all(
            oracle(r.analytic, r.reference) for r in own)
        assert passed == want, (a, b, rows)


@pytest.mark.parametrize("equal_nan", [False, True])
def test_assert_grad_and_assert_jacobian_decide_as_allclose(equal_nan: bool) -> None:
    for a in GRID:
        op = planted(a, 0.0)
        for b in GRID:
            (row,) = _rows(assert_grad, lambda x, op=op: op(x), [1.0], expected=[b], atol=ATOL, rtol=RTOL,
                                               equal_nan=equal_nan)
            assert (row.status == "ok") == oracle(a, b, equal_nan=equal_nan), (a, b, row)
            rows = _rows(assert_jacobian, lambda x, op=op: [op(x), x * 2.0], [1.0], expected=[[b], [2.0]],
                                                 atol=ATOL, rtol=RTOL, equal_nan=equal_nan)
            assert (rows[0].status == "ok") == oracle(a, b, equal_nan=equal_nan) and rows[1].status == "ok"


def _second(a: float, b: float) -> Op:
    """An op whose first derivative is q (a node op, whose forward makes central differences b) and
    whose second derivative is a."""
    q = Op("q", forward_for(b), lambda x, y, c: a)
    return Op("p", lambda t: 0.0, lambda x, y, c: q.forward(x) if isinstance(x, float) else q(x))


@pytest.mark.parametrize("equal_nan", [False, True])
def test_gradgradcheck_and_assert_hessian_decide_as_allclose(equal_nan: bool) -> None:
    for a, b in PAIRS:
        op = _second(a, b)
        (row,) = _rows(gradgradcheck, lambda x, op=op: op(x), [0.0], equal_nan=equal_nan)
        assert (row.status == "ok") == oracle(row.analytic, row.reference, equal_nan=equal_nan), (a, b, row)
    for a in GRID:
        op = _second(a, 0.0)
        for b in GRID:
            (row,) = _rows(assert_hessian, lambda x, op=op: op(x), [0.0], expected=[[b]], atol=ATOL, rtol=RTOL,
                                                  equal_nan=equal_nan)
            assert (row.status == "ok") == oracle(a, b, equal_nan=equal_nan), (a, b, row)


def test_gradgradcheck_no_longer_calls_zero_close_to_minus_infinity() -> None:
    # f″ = 0 by a (planted) constant derivative, numerically −∞ (√′ differenced at 0): a failure, not ok
    op = Op("flat_sqrt", math.sqrt,  # the old √ entry: a constant ∞ at 0, so f″ = 0 there
            lambda x, y, c: math.inf if (y if isinstance(y, float) else y.data) == 0.0 else 0.5 / y)
    with pytest.raises(GradcheckError) as info:
        gradgradcheck(lambda x, op=op: op(x), [0.0])
    (row,) = info.value.rows
    assert (row.analytic, row.reference, row.status) == (0.0, -math.inf, "FAIL")


def test_check_graph_decides_as_allclose() -> None:
    for a, b in PAIRS:
        op = planted(a, b)
        try:
            checks = check_graph(op(Value(0.0))).checks
        except GradcheckError as e:
            assert e.node is not None
            checks = [e.node]
        (c,) = checks
        assert c.expected[0] is not None, (a, b)  # f is defined on both sides: a referee always exists
        assert (c.status == "ok") == oracle(c.recorded[0], c.expected[0]), (a, b, c.recorded, c.expected)
