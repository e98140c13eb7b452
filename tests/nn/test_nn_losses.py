"""Losses: values and derivatives stated as formulas, checked by hand, by central differences and by sympy.

* half_sse  E = ½ Σ (t − y)²                          ∂E/∂y_k = −(t_k − y_k)
* mse       E = (1/n) Σ (t − y)²                      ∂E/∂y_k = −2 (t_k − y_k) / n
* hinge     E = (1/n) Σ max(0, 1 − t s)               ∂E/∂s_k = −t_k / n if 1 − t_k s_k > 0 else 0
* bce       E = (1/n) Σ [max(z,0) − z t + ln(1 + e^{−|z|})]    ∂E/∂z_k = (σ(z_k) − t_k) / n
* l2        R = α Σ p²                                 ∂R/∂p = 2 α p
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import sympy

import nn
from autograd import Value
from tests.support.numeric import central_partials, sigmoid

Loss = Callable[[Any, Any], Value]


def grads(loss: Loss, ys: list[float], ts: list[Any]) -> tuple[float, list[float]]:
    nodes = [Value(y) for y in ys]
    E = loss(nodes, ts)
    E.backward()
    return E.data, [v.grad for v in nodes]


def central(loss: Loss, ys: list[float], ts: list[Any], h: float = 1e-6) -> list[float]:
    return central_partials(lambda vs: loss([Value(v) for v in vs], ts).data, ys, h)


CASES: dict[str, tuple[Loss, list[float], list[Any], Callable[[list[float], list[Any]], float],
                       Callable[[list[float], list[Any]], list[float]]]] = {
    "half_sse": (nn.half_sse, [0.8, -0.3, 1.7], [1.0, 0.0, 2.0],
                 lambda y, t: 0.5 * sum((tk - yk) ** 2 for yk, tk in zip(y, t, strict=True)),
                 lambda y, t: [-(tk - yk) for yk, tk in zip(y, t, strict=True)]),
    "mse": (nn.mse, [0.8, -0.3, 1.7], [1.0, 0.0, 2.0],
            lambda y, t: sum((tk - yk) ** 2 for yk, tk in zip(y, t, strict=True)) / 3,
            lambda y, t: [-2 * (tk - yk) / 3 for yk, tk in zip(y, t, strict=True)]),
    "hinge": (nn.hinge, [0.4, -2.5, 0.3, 1.5], [1, 1, -1, 1],
              lambda s, t: sum(max(0.0, 1 - tk * sk) for sk, tk in zip(s, t, strict=True)) / 4,
              lambda s, t: [(-tk / 4 if 1 - tk * sk > 0 else 0.0) for sk, tk in zip(s, t, strict=True)]),
    "bce": (nn.bce_with_logits, [2.0, -1.5, 0.3], [1.0, 0.0, 0.25],
            lambda z, t: sum(-(tk * math.log(sigmoid(zk)) + (1 - tk) * math.log(1 - sigmoid(zk)))
                             for zk, tk in zip(z, t, strict=True)) / 3,
            lambda z, t: [(sigmoid(zk) - tk) / 3 for zk, tk in zip(z, t, strict=True)]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_value_and_gradient_by_formula_and_central_differences(name: str) -> None:
    loss, ys, ts, value, slope = CASES[name]
    E, g = grads(loss, ys, ts)
    assert E == pytest.approx(value(ys, ts), rel=1e-13)
    assert g == pytest.approx(slope(ys, ts), rel=1e-12, abs=1e-15)
    assert g == pytest.approx(central(loss, ys, ts), rel=1e-6, abs=1e-8)


def _sympy_check(loss: Loss, expr: Any, syms: list[sympy.Symbol], ys: list[float], ts: list[Any]) -> None:
    at = dict(zip(syms, ys, strict=True))
    E, g = grads(loss, ys, ts)
    assert E == pytest.approx(float(expr.subs(at)), rel=1e-12)
    for s, gk in zip(syms, g, strict=True):
        assert gk == pytest.approx(float(sympy.diff(expr, s).subs(at)), rel=1e-12, abs=1e-15)


def test_half_sse_and_mse_against_sympy() -> None:
    y = sympy.symbols("y0:3")
    t = [1.0, 0.0, 2.0]
    half = sympy.Rational(1, 2) * sum((tk - yk) ** 2 for yk, tk in zip(y, t, strict=True))
    _sympy_check(nn.half_sse, half, list(y), [0.8, -0.3, 1.7], t)
    _sympy_check(nn.mse, 2 * half / 3, list(y), [0.8, -0.3, 1.7], t)


def test_bce_against_sympy() -> None:
    """The stable formula equals −[t ln σ(z) + (1 − t) ln(1 − σ(z))], derivative σ(z) − t."""
    z = sympy.symbols("z0:3")
    t = [1.0, 0.0, 0.25]
    sig = [1 / (1 + sympy.exp(-zk)) for zk in z]
    expr = -sum(tk * sympy.log(s) + (1 - tk) * sympy.log(1 - s) for s, tk in zip(sig, t, strict=True)) / 3
    _sympy_check(nn.bce_with_logits, expr, list(z), [2.0, -1.5, 0.3], t)


def test_hinge_against_sympy_away_from_the_kink() -> None:
    s = sympy.symbols("s0:4")
    t = [1, 1, -1, 1]
    expr = sum(sympy.Max(0, 1 - tk * sk) for sk, tk in zip(s, t, strict=True)) / 4
    _sympy_check(nn.hinge, expr, list(s), [0.4, -2.5, 0.3, 1.5], t)


def test_bce_never_overflows() -> None:
    """At |z| = 1000 the naive ln σ(z) would be ln 0; the stable form gives |z| or 0 and σ(z) − t."""
    E, g = grads(nn.bce_with_logits, [1000.0, -1000.0, 1000.0], [0.0, 1.0, 1.0])
    assert E == pytest.approx((1000.0 + 1000.0 + 0.0) / 3, rel=1e-15)
    assert g == pytest.approx([1 / 3, -1 / 3, 0.0], abs=1e-15)
    assert all(math.isfinite(v) for v in (E, *g))


def test_l2_is_alpha_sum_of_squares_with_gradient_two_alpha_p() -> None:
    ps = [Value(0.5), Value(-2.0), Value(3.0)]
    R = nn.l2(ps, alpha=0.1)
    R.backward()
    assert R.data == pytest.approx(0.1 * (0.25 + 4.0 + 9.0), rel=1e-15)
    assert [p.grad for p in ps] == pytest.approx([2 * 0.1 * 0.5, 2 * 0.1 * -2.0, 2 * 0.1 * 3.0], rel=1e-15)
    assert len(R._prev) == 1  # α · (one dot node)


def test_targets_may_be_numpy_scalars_and_single_predictions_bare() -> None:
    y = Value(0.8)
    assert nn.half_sse(y, 1).data == pytest.approx(0.02, rel=1e-12)
    assert nn.hinge([Value(0.5)], np.array([-1])).data == pytest.approx(1.5)
    assert nn.half_sse([Value(1.0), Value(2.0)], np.array([1.5, 2.5])).data == pytest.approx(0.25)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: nn.half_sse([Value(1.0)], [1.0, 2.0]), ValueError, "1 prediction\\(s\\) but 2 target\\(s\\)"),
        (lambda: nn.mse([], []), ValueError, "no predictions"),
        (lambda: nn.hinge([Value(1.0)], ["yes"]), TypeError, "targets must be real numbers"),
        (lambda: nn.bce_with_logits([Value(1.0)], [-1]), ValueError, "targets must lie in \\[0, 1\\]"),
        (lambda: nn.l2([Value(1.0)], alpha=-1.0), ValueError, "alpha must be a finite number >= 0"),
    ],
)
def test_bad_input_says_what_is_wrong(call: Callable[[], Any], error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        call()
