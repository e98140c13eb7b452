"""Hostile custom ops that used to make a checker pass a wrong gradient.

A ``kink`` predicate only says where an op *may* not be differentiable. When it claims a kink where
the forward is in fact smooth (the one-sided differences agree), a wrong derivative there is a plain
failure: it used to be reported as ``kink`` (a pass) by gradcheck, fast mode, gradgradcheck and
check_graph, whatever the derivative said.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest

from autograd import Value, gradcheck, gradgradcheck
from autograd.checking import GradcheckError, check_graph
from autograd.custom import op

# |x| is smooth at x = 1 (derivative 1), but the predicate claims a kink there; the derivative is 5.
mislabelled = op("mislabelled", derivative=lambda x: 5.0, kink=lambda x: x == 1.0)(lambda x: abs(x))
# 2x is smooth everywhere, yet every point is claimed a kink; its derivative 5 is wrong (2 by hand).
always = op("always", derivative=lambda x: 5.0, kink=lambda x: True)(lambda x: 2.0 * x)

CHECKS: list[tuple[str, Callable[[], Any]]] = [
    ("gradcheck", lambda: gradcheck(lambda a: mislabelled(a), [1.0])),
    ("gradcheck fast", lambda: gradcheck(lambda a: mislabelled(a), [1.0], fast_mode=True)),
    ("gradcheck fwd", lambda: gradcheck(lambda a: mislabelled(a), [1.0], modes=("rev", "fwd"))),
    ("gradcheck everywhere", lambda: gradcheck(lambda a: always(a), [1.0])),
    ("gradcheck everywhere fast", lambda: gradcheck(lambda a: always(a), [1.0], fast_mode=True)),
    # ∂²(2x·x)/∂x² = 4 by hand; the wrong derivative gives 10 analytically, 7 numerically
    ("gradgradcheck", lambda: gradgradcheck(lambda a: always(a) * a, [1.0])),
]


@pytest.mark.parametrize("name, check", CHECKS, ids=[c[0] for c in CHECKS])
def test_a_kink_claimed_where_f_is_smooth_excuses_no_wrong_derivative(name: str, check: Callable[[], Any]) -> None:
    with pytest.raises(GradcheckError) as info:
        check()
    first = str(info.value).splitlines()[0]
    assert "FAIL" in first and "at a kink" not in first


def test_check_graph_blames_the_node_whose_claimed_kink_is_smooth() -> None:
    y = mislabelled(Value(1.0))
    y.backward()
    with pytest.raises(GradcheckError) as info:
        check_graph(y)
    first = str(info.value).splitlines()[0]
    assert "mislabelled" in first and "recorded 5" in first and "expected 1" in first


@pytest.mark.parametrize("build", [lambda x: x.relu(), lambda x: abs(x), lambda x: x.leaky_relu()])
def test_a_real_kink_is_still_a_kink(build: Callable[[Value], Value]) -> None:
    x = Value(0.0)
    y = build(x)
    y.backward()
    report = check_graph(y)
    assert [c.status for c in report.checks][-1] == "kink"
    gradcheck(build, [0.0])  # relu′(0) = 0 (the convention) vs central 0.5: a kink, not a failure


# relu with a wrong slope: 5 for x > 0 (1 by hand), 0 for x < 0 (right); kink at 0.
steep = op("steep", derivative=lambda x: 5.0 if (x.data if isinstance(x, Value) else x) > 0 else 0.0,
           kink=lambda x: x == 0.0)(lambda x: max(x, 0.0))
# 2x with a wrong derivative 3 (2 by hand), no kink: hidden beside a real kink on the same input.
slip = op("slip", derivative=lambda x: 3.0)(lambda x: 2.0 * x)

NEAR: list[tuple[str, Callable[[], Any], str]] = [
    # the step ±1e-6 crosses steep's kink: central differences 0.55, but 5 is outside the one-sided
    # differences (0.1 | 1), so no kink convention explains it
    ("step crosses a wrong kinked op", lambda: gradcheck(lambda a: steep(a), [1e-7]), "a"),
    ("step crosses, fast mode", lambda: gradcheck(lambda a: steep(a), [1e-7], fast_mode=True), "a"),
    # relu at 0 (convention 0) + slip: analytic 3 = 0 + 3, by hand 0 + 2; slip is the wrong node
    ("relu at its kink beside a wrong op", lambda: gradcheck(lambda a: a.relu() + slip(a), [0.0]), "slip"),
    ("relu crossing beside a wrong op", lambda: gradcheck(lambda a: a.relu() + slip(a), [1e-7]), "slip"),
    ("wrong op after relu", lambda: gradcheck(lambda a: slip(a.relu()), [1e-7]), "slip"),
    # |a| + slip(a)·a: ∂² by hand 4 (away from 0), analytic 6; slip is wrong, not the kink of abs
    ("gradgradcheck abs at 0 beside a wrong op", lambda: gradgradcheck(lambda a: abs(a) + slip(a) * a, [0.0]), ""),
]


@pytest.mark.parametrize("name, check, blamed", NEAR, ids=[c[0] for c in NEAR])
def test_a_kink_nearby_excuses_no_derivative_outside_its_one_sided_slopes(name: str, check: Callable[[], Any],
                                                                          blamed: str) -> None:
    with pytest.raises(GradcheckError) as info:
        check()
    first = str(info.value).splitlines()[0]
    assert "FAIL" in first and "at a kink" not in first and "noisy" not in first
    assert blamed in first


def test_a_right_row_beside_a_wrong_input_is_still_a_kink() -> None:
    """relu at 1e-7 is right (1); slip on the other input b is wrong: only b's row fails."""
    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda a, b: a.relu() + slip(b), [1e-7, 1.0])
    statuses = {r.name: r.status for r in info.value.rows}
    assert statuses == {"a": "kink", "b": "FAIL"}
    gradcheck(lambda a: steep(a), [-1e-7])  # steep is right on the negative side: 0
    gradcheck(lambda a: a.relu(), [1e-7])
    gradcheck(lambda a: a.relu(), [-1e-7])
    gradcheck(lambda a: abs(a) * 3.0, [1e-7])


def _huge_beside_one_slip(n: int, bad: int) -> Callable[..., Value]:
    """f = Σ_{i≠bad} ±1e6·x_i + slip(x_bad): ∂f/∂x_bad = 2 by hand, backward() says 3."""

    def f(*xs: Value) -> Value:
        out = Value(0.0)
        for i, x in enumerate(xs):
            out = out + (slip(x) if i == bad else x * (1e6 if i % 2 else -1e6))
        return out

    return f


@pytest.mark.parametrize("n, bad", [(2, 0), (2, 1), (5, 2), (50, 49), (500, 250)])
def test_fast_mode_finds_one_wrong_partial_hidden_among_huge_ones(n: int, bad: int) -> None:
    """The error (1 per unit of v) is far below rtol·|uᵀJv| (≈ 1e6·√n·1e-3) but far above what the
    directional difference can resolve: fast mode localises it and its full row fails, as the full check's."""
    xs = [0.1 * i for i in range(n)]
    with pytest.raises(GradcheckError) as info:
        gradcheck(_huge_beside_one_slip(n, bad), xs, fast_mode=True)
    row = next(r for r in info.value.rows if r.input == bad and r.status == "FAIL")
    assert row.analytic == 3.0 and row.reference == pytest.approx(2.0, rel=1e-3)
    assert str(info.value).splitlines()[0].startswith(f"gradcheck: FAIL #{bad}: analytic 3")


def test_fast_mode_one_wrong_output_among_huge_ones() -> None:
    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda a, b: [a * 1e8, b * 1e8, slip(a)], [1.0, 2.0], fast_mode=True)
    assert str(info.value).splitlines()[0].startswith("gradcheck: FAIL ∂f[2]/∂a: analytic 3, numerical 2")


@pytest.mark.parametrize("build, x", [(lambda v: v ** -1, 1e-7), (lambda v: 1.0 / v, -1e-7), (lambda v: v.sin(), 1e8)])
def test_a_step_too_large_for_the_point_blames_no_right_op(build: Callable[[Value], Value], x: float) -> None:
    """1/x at ±1e-7 (h = 1e-6 crosses the pole) and sin at 1e8 (h = eps·|x| = 100): central differences
    cannot referee, and the right op used to be named 'first wrong node'. d(x⁻¹)/dx = −x⁻², sin′ = cos."""
    with pytest.raises(GradcheckError) as info:
        gradcheck(build, [x])
    assert info.value.node is None and "first wrong node" not in str(info.value).splitlines()[0]
    row = info.value.rows[0]
    assert row.analytic == pytest.approx(-1.0 / x**2 if x < 1 else math.cos(x), rel=1e-12)


def test_a_wrong_op_is_still_blamed_at_the_same_points() -> None:
    wrong_inv = op("wrong_inv", derivative=lambda x: 1.0 / (x * x))(lambda x: 1.0 / x)  # sign slip: −1/x² by hand
    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda a: wrong_inv(a), [0.5])
    assert info.value.node is not None and info.value.node.node.operation is wrong_inv
