"""What a failure says, as a gradient tester reads it: who is wrong, and what f itself shows.

Each case is one a tester meets: a custom op with a planted bug under ``symbolic=True``, a branch on
``x.data``, √(x·x) at 0, an f that returns NaN, a random f, a float32 forward (noise), a 0.05 % slip
under tight tolerances, and kinks (relu, abs) in every checker.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable

import numpy as np
import pytest

from autograd import Op, Value, gradcheck, gradgradcheck, op
from autograd.checking import GradcheckError
from autograd.testing import assert_grad


def failure(call: object) -> GradcheckError:
    with pytest.raises(GradcheckError) as info:
        call()  # type: ignore[operator]
    return info.value


def flat(e: Exception) -> str:
    """The message with its line wraps undone."""
    return " ".join(str(e).split())


# y = softplus(x·w) with the derivative taken at x instead of the op's input: 1 − e^(−x) is wrong,
# σ(z) = 1/(1 + e^(−z)) is right; on paper ∂y/∂x = σ(xw)·w, ∂y/∂w = σ(xw)·x.
BAD_SOFTPLUS = op("softplus_bug", derivative=lambda x, y: 1.0 - math.exp(-y) * 0.0 - math.exp(-x))(
    lambda x: math.log1p(math.exp(x)))


def sig(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def test_symbolic_with_a_custom_op_keeps_the_table_and_says_what_sympy_cannot_do() -> None:
    err = failure(lambda: assert_grad(lambda x, w: BAD_SOFTPLUS(x * w), [0.5, -1.5],
                                      expected=lambda x, w: [sig(x * w) * w, sig(x * w) * x], symbolic=True))
    text = str(err)
    assert [r.status for r in err.rows] == ["FAIL", "FAIL"]
    assert "agrees with expected: backward() is wrong" in text
    assert "symbolic (sympy, from f's graph):" in text
    assert "Derivative(softplus_bug" in flat(err) and "sympy cannot evaluate it" in flat(err)


def test_symbolic_shows_numbers_where_sympy_can() -> None:
    # y = x³: y′ = 3x² = 12 at 2 (the paper said 2x² = 8)
    err = failure(lambda: assert_grad(lambda x: x ** 3, [2.0], expected=[8.0], symbolic=True))
    assert "∂f/∂x = 3*x**2   (= 12 here)" in str(err)


def test_a_branch_on_data_is_named_not_called_a_domain_edge() -> None:
    # f = 2x for x > 0, 0.5x otherwise, at 0: backward sees the 0.5 branch; one-sided slopes 0.5 and 2
    err = failure(lambda: gradcheck(lambda x: x * 2.0 if x.data > 0 else x * 0.5, [0.0]))
    text = flat(err)
    assert "domain" not in text
    assert "one-sided differences disagree (0.5 | 2)" in text and "an `if` on x.data" in text
    assert str(err).splitlines()[0].endswith("a branch in f")


def test_sqrt_of_x_squared_at_zero_names_the_infinite_local_derivative() -> None:
    # √(x²) = |x|: backward gives √′(0)·2x = ∞·0 = NaN, central differences (|h| − |−h|)/2h = 0
    err = failure(lambda: gradcheck(lambda x: (x * x).sqrt(), [0.0]))
    row = err.rows[0]
    assert math.isnan(row.analytic) and row.reference == 0.0
    text = flat(err)
    assert "domain" not in text
    assert "sqrt at (x * x)=0 has the local derivative inf" in text and "detect_anomaly()" in text


def test_an_f_returning_nan_says_so_and_blames_no_node() -> None:
    err = failure(lambda: gradcheck(lambda x: x * math.nan, [1.0]))
    text = flat(err)
    assert "central differences are NaN" in text and "f is NaN or ±∞ within the step" in text
    assert err.node is None and "First wrong node" not in text
    assert "domain" not in text


def test_a_random_f_is_called_not_deterministic() -> None:
    rng = random.Random(5)
    err = failure(lambda: gradcheck(lambda x: x * 2.0 + rng.random() * 1e-3, [1.0]))
    assert str(err).splitlines()[0].endswith("f is not deterministic")
    assert "three calls at the same inputs gave" in flat(err) and "domain" not in flat(err)


# sin computed in float32: its central differences at h = 1e-6 are off by ~0.2 %, at 1e-4 fine
SIN32 = Op("sin32", lambda t: float(np.float32(math.sin(t))), lambda x, y, c: math.cos(x))


def test_noise_in_the_forward_pass_is_found_with_a_second_step_and_no_node_blamed() -> None:
    err = failure(lambda: gradcheck(lambda x: SIN32(x) * 1000.0, [0.3]))
    text = flat(err)
    assert "The numerical derivative moves with the step" in text
    assert "backward() agrees with the larger step" in text
    assert err.node is None and str(err).splitlines()[0].endswith("noisy f")


SLIP = Op("slip", math.sin, lambda x, y, c: math.cos(x) * 1.0005)  # a 0.05 % slip in sin′


def test_a_small_slip_fails_assert_grad_with_a_verdict_and_the_node() -> None:
    # under gradcheck's 1e-3 it would pass; under assert_grad's 1e-7 the referee (error ~1e-10) decides
    assert gradcheck(lambda x: SLIP(x), [0.3])
    err = failure(lambda: assert_grad(lambda x: SLIP(x), [0.3], expected=[math.cos(0.3)]))
    assert "agrees with expected: backward() is wrong" in str(err)
    assert err.node is not None and err.node.node.operation is SLIP
    assert str(err).splitlines()[0].endswith("backward() is wrong")


def test_the_verdict_uses_the_users_tolerances() -> None:
    # with rtol = 1e-2 the slip is within tolerance: it passes
    assert assert_grad(lambda x: SLIP(x), [0.3], expected=[math.cos(0.3)], rtol=1e-2)
    # a wrong paper formula off by 0.05 %: the derivation is blamed, not backward()
    err = failure(lambda: assert_grad(lambda x: x.sin(), [0.3], expected=[math.cos(0.3) * 1.0005]))
    assert "agrees with analytic: re-check the derivation" in str(err) and err.node is None


def test_a_difference_below_the_referees_error_is_not_decided() -> None:
    # a and the expected value 1e-12 apart (relative), tolerance rtol 0: central differences can't tell
    err = failure(lambda: assert_grad(lambda x: x.sin(), [0.3], expected=[math.cos(0.3) * (1 + 1e-12)],
                                      rtol=0.0, atol=0.0))
    assert "cannot tell them apart" in flat(err)


# ---------------------------------------------------------------------------------------------
# Kinks, everywhere.


def test_fail_on_kink_fires_at_abs_zero() -> None:
    # |x| at 0: analytic 0 (convention) equals the central difference 0, yet it is a kink (slopes −1, 1)
    report = gradcheck(lambda x: x.abs(), [0.0])
    assert [r.status for r in report.rows] == ["kink"]
    err = failure(lambda: gradcheck(lambda x: x.abs(), [0.0], fail_on_kink=True))
    assert "sit at a kink" in str(err).splitlines()[1]


@pytest.mark.parametrize("f", [lambda x: x.relu(), lambda x: x.abs(), lambda x: x.leaky_relu(0.1)],
                         ids=["relu", "abs", "leaky_relu"])
def test_every_checker_reports_an_input_on_a_kink(f: Callable[[Value], Value]) -> None:
    assert gradcheck(f, [0.0]).rows[0].status == "kink"
    assert gradcheck(f, [0.0], fast_mode=True).kinks
    assert gradcheck(f, [0.0], modes=("rev", "fwd")).rows[0].status == "kink"
    convention = f(Value(0.0))
    convention.backward()
    leaf = convention._prev[0]
    assert assert_grad(f, [0.0], expected=[leaf.grad]).rows[0].status == "kink"
    with pytest.raises(GradcheckError):
        assert_grad(f, [0.0], expected=[leaf.grad], fail_on_kink=True)


def test_assert_grad_explains_relu_at_zero_instead_of_a_bare_number() -> None:
    err = failure(lambda: assert_grad(lambda x: x.relu(), [0.0], expected=[0.5]))
    text = flat(err)
    assert "at the kink of ReLU at x=0: no derivative exists there (one-sided 0 | 1)" in text
    assert "relu′(0) = 0" in text


def test_an_input_the_kink_does_not_move_is_not_a_kink() -> None:
    # f = relu(x·y) + x at (0, 3): ∂f/∂y = x·relu′ = 0 on both sides: ok, not kink
    report = gradcheck(lambda x, y: (x * y).relu() + x, [0.0, 3.0])
    assert [r.status for r in report.rows] == ["kink", "ok"]


def test_gradgradcheck_reports_kinks_where_the_numbers_agree() -> None:
    # relu(x)·x at 0: f″ jumps from 0 to 2
    report = gradgradcheck(lambda x: x.relu() * x, [0.0])
    assert [r.status for r in report.rows] == ["kink"]
