"""Hostile logits: softmax, log_softmax and cross-entropy against an exact reference, 1e0 … 1e300.

The reference is Python's ``decimal`` at 800 significant digits, so that m − z_t is exact for any two
floats (their exponents differ by at most ~2,100 binary places) and e^x, ln x carry far more digits
than a float: independent of the engine's float code. Written out:

* cross_entropy  L = ln Σ_k e^{z_k} − z_t          ∂L/∂z_k = p_k − [k = t]
* log_softmax    y_k = z_k − ln Σ_i e^{z_i}        ∂y_k/∂z_i = [i = k] − p_i
* softmax        p_k = e^{z_k} / Σ_i e^{z_i}        ∂p_k/∂z_i = p_k ([i = k] − p_i)

Before the fix (L = lse(z) − z_t with lse = m + ln s) the loss of [b, b, b] was 0 instead of ln 3 for
b ≥ 1e16, softmax summed to 3, and the relative error was 2 % at 1e15.
"""

from __future__ import annotations

import decimal
import math
import random
from collections.abc import Iterator
from decimal import Decimal

import pytest

import nn
from autograd import Value

CTX = decimal.Context(prec=800, Emin=-10**9, Emax=10**9)


def _d(x: float) -> Decimal:
    return Decimal(x)  # exact: every float is a finite binary fraction


def _sum(xs: list[Decimal]) -> Decimal:
    """Σ at 800 digits (the builtin ``sum`` works in the default 28-digit context)."""
    total = Decimal(0)
    for x in xs:
        total = CTX.add(total, x)
    return total


def ref_p(zs: list[float]) -> list[Decimal]:
    """p_k = e^{z_k − m} / Σ e^{z_i − m}, exactly enough (800 digits)."""
    m = max(_d(z) for z in zs)
    es = [CTX.exp(CTX.subtract(_d(z), m)) for z in zs]
    s = _sum(es)
    return [CTX.divide(e, s) for e in es]


def ref_log_softmax(zs: list[float], k: int) -> Decimal:
    """z_k − m − ln Σ e^{z_i − m}."""
    m = max(_d(z) for z in zs)
    s = _sum([CTX.exp(CTX.subtract(_d(z), m)) for z in zs])
    return CTX.subtract(CTX.subtract(_d(zs[k]), m), CTX.ln(s))


def close(ours: float, exact: Decimal, ulps: float = 8.0) -> bool:
    """``ours`` within a few rounding errors of the exact value (relative; absolute 1e-300 near 0)."""
    e = float(exact)
    return abs(Decimal(ours) - exact) <= Decimal(ulps * 2.0 ** -52) * abs(exact) + Decimal("1e-300") or ours == e


def _scales() -> Iterator[float]:
    for e in range(0, 301, 15):
        yield 10.0 ** e
    yield 1.7e308


def hostile_rows() -> Iterator[list[float]]:
    """Equal logits, one huge logit, spreads at every scale 1e0…1e300, negative and mixed."""
    rng = random.Random(27)
    for b in _scales():
        yield [b, b, b]
        yield [-b, -b]
        yield [b, 0.0, -1.0]
        yield [1.0, 2.0, b]
        yield [b, b * (1 - 2.0 ** -50), b * (1 - 2.0 ** -45)]
        yield [b * rng.uniform(-1, 1) for _ in range(4)]
        yield [b + rng.uniform(-3, 3) * max(1.0, b * 2.0 ** -52) for _ in range(3)]
    for _ in range(60):
        yield [rng.choice([-1, 1]) * 10.0 ** rng.uniform(-3, 300) for _ in range(rng.randint(1, 5))]


ROWS = list(hostile_rows())


@pytest.mark.parametrize("zs", ROWS, ids=[f"row{i}" for i in range(len(ROWS))])
def test_cross_entropy_and_its_gradient_match_the_exact_reference(zs: list[float]) -> None:
    p = ref_p(zs)
    for t in range(len(zs)):
        z = [Value(v) for v in zs]
        loss = nn.cross_entropy(z, t)
        exact = -ref_log_softmax(zs, t)
        assert close(loss.data, exact), (zs, t, loss.data, float(exact))
        loss.backward()
        for k, v in enumerate(z):  # ∂L/∂z_k = p_k − [k = t], exactly
            want = CTX.subtract(p[k], 1 if k == t else 0)
            assert close(v.grad, want), (zs, t, k, v.grad, float(want))


@pytest.mark.parametrize("zs", ROWS, ids=[f"row{i}" for i in range(len(ROWS))])
def test_softmax_and_log_softmax_match_the_exact_reference(zs: list[float]) -> None:
    p = ref_p(zs)
    probs = nn.softmax(zs)
    logs = nn.log_softmax(zs)
    for k in range(len(zs)):
        assert close(probs[k].data, p[k]), (zs, k, probs[k].data, float(p[k]))
        assert close(logs[k].data, ref_log_softmax(zs, k)), (zs, k, logs[k].data)
    assert abs(math.fsum(q.data for q in probs) - 1.0) <= 4 * 2.0 ** -52 * len(zs)


@pytest.mark.parametrize("zs", ROWS[::3], ids=[f"row{3 * i}" for i in range(len(ROWS[::3]))])
def test_softmax_and_log_softmax_gradients_match_the_exact_reference(zs: list[float]) -> None:
    p = ref_p(zs)
    for k in range(len(zs)):
        z = [Value(v) for v in zs]
        nn.softmax(z)[k].backward()  # ∂p_k/∂z_i = p_k ([i = k] − p_i)
        for i, v in enumerate(z):
            want = CTX.multiply(p[k], CTX.subtract(1 if i == k else 0, p[i]))
            assert close(v.grad, want, 32), (zs, k, i, v.grad, float(want))
        z = [Value(v) for v in zs]
        nn.log_softmax(z)[k].backward()  # ∂y_k/∂z_i = [i = k] − p_i
        for i, v in enumerate(z):
            want = CTX.subtract(1 if i == k else 0, p[i])
            assert close(v.grad, want), (zs, k, i, v.grad, float(want))


GRAPH_ROWS = [[40.0, 0.0], [50.0, 1.0, 2.0], [-3.0, 700.0, 2.0], [0.0, 0.0, 0.0], [1e300, 0.0], [7.0]]


@pytest.mark.parametrize("zs", GRAPH_ROWS + ROWS[::5])
def test_create_graph_gradients_are_the_exact_ones_too(zs: list[float]) -> None:
    """grad(..., create_graph=True) builds the gradient from nodes; it must give the same exact numbers
    as backward(). It computed 1 − p_t as 1 − p_t (0 at [40, 0], exact −4.2e-18) before."""
    from autograd import grad

    p = ref_p(zs)
    for k in range(len(zs)):
        z = [Value(v) for v in zs]
        for i, g in enumerate(grad(nn.cross_entropy(z, k), z, create_graph=True)):
            want = CTX.subtract(p[i], 1 if i == k else 0)
            assert close(g.data, want), ("cross_entropy", zs, k, i, g.data, float(want))
        for i, g in enumerate(grad(nn.log_softmax(z)[k], z, create_graph=True)):
            want = CTX.subtract(1 if i == k else 0, p[i])
            assert close(g.data, want), ("log_softmax", zs, k, i, g.data, float(want))
        for i, g in enumerate(grad(nn.softmax(z)[k], z, create_graph=True)):
            want = CTX.multiply(p[k], CTX.subtract(1 if i == k else 0, p[i]))
            assert close(g.data, want, 32), ("softmax", zs, k, i, g.data, float(want))


@pytest.mark.parametrize("zs", GRAPH_ROWS[:4])
def test_the_hessian_of_cross_entropy_is_the_exact_one(zs: list[float]) -> None:
    """∂²L/∂z_i∂z_j = p_i ([i = j] − p_j), whatever the target."""
    from autograd import grad

    p = ref_p(zs)
    z = [Value(v) for v in zs]
    for i, g in enumerate(grad(nn.cross_entropy(z, 0), z, create_graph=True)):
        for j, h in enumerate(grad(g, z)):
            want = CTX.multiply(p[i], CTX.subtract(1 if i == j else 0, p[j]))
            assert close(h, want, 32), (zs, i, j, h, float(want))


@pytest.mark.parametrize("b", [1e16, 1e20, 1e100, 1e300])
def test_equal_huge_logits_give_ln_k_and_a_uniform_softmax(b: float) -> None:
    assert nn.cross_entropy([b, b, b], 1).data == pytest.approx(math.log(3), rel=1e-15)
    assert [p.data for p in nn.softmax([b, b, b])] == pytest.approx([1 / 3] * 3, rel=1e-15)


def test_a_batch_is_the_mean_of_its_exact_rows() -> None:
    rows, targets = [[1e17, 1e17], [3e200, -3e200], [5.0, 5.0 + 2e-15]], [0, 1, 1]
    loss = nn.cross_entropy([[Value(v) for v in r] for r in rows], targets)
    exact = sum((-ref_log_softmax(r, t) for r, t in zip(rows, targets, strict=True)), Decimal(0)) / 3
    assert close(loss.data, exact)


@pytest.mark.parametrize(("zs", "t", "want"), [
    ([math.inf, 0.0], 1, math.inf),  # the target is infinitely less likely: L = +inf (torch: inf)
    ([-math.inf, 0.0], 1, 0.0),  # the other class is impossible: L = 0
    ([-math.inf, 0.0, -math.inf], 0, math.inf),
])
def test_infinite_logits_give_the_limit(zs: list[float], t: int, want: float) -> None:
    assert nn.cross_entropy(zs, t).data == want


@pytest.mark.parametrize("zs", [[math.inf, math.inf], [-math.inf, -math.inf], [math.inf, 1.0],
                                [1.0, math.nan], [math.nan, 1.0], [math.inf, math.nan], [math.nan, math.inf]])
def test_an_undefined_loss_is_refused_naming_the_logit_whatever_its_position(zs: list[float]) -> None:
    t = 0
    with pytest.raises(ValueError, match=r"cross_entropy: the logits hold (nan|inf|-inf)"):
        nn.cross_entropy(zs, t)


def _ref_sigma(z: float) -> Decimal:
    return CTX.divide(1, CTX.add(1, CTX.exp(-_d(z))))


@pytest.mark.parametrize("z", [s * m for s in (1.0, -1.0) for m in (0.5, 10.0, 36.0, 40.0, 100.0, 700.0)])
@pytest.mark.parametrize("t", [0.0, 1.0, 0.3])
def test_bce_gradient_and_second_derivative_are_exact_at_large_logits(z: float, t: float) -> None:
    """∂E/∂z = σ(z) − t and ∂²E/∂z² = σ(z)(1 − σ(z)), for backward(), grad() and create_graph, against
    800 digits. σ(40) rounds to 1, so σ(z) − t gave 0 instead of −4.2e-18 at t = 1 (and ∂² gave 0)."""
    from autograd import grad

    s = _ref_sigma(z)
    d1 = CTX.subtract(s, _d(t))
    d2 = CTX.multiply(s, CTX.subtract(1, s))
    a = Value(z)
    nn.bce_with_logits([a], [t]).backward()
    assert close(a.grad, d1, 16), (z, t, a.grad, float(d1))
    (g,) = grad(nn.bce_with_logits([a], [t]), [a], create_graph=True)
    assert close(g.data, d1, 16), (z, t, g.data, float(d1))
    (h,) = grad(g, [a])
    assert close(h, d2, 16), (z, t, h, float(d2))
