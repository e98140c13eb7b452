"""Vector-valued f, Jacobians and Hessians as a tester states them, numpy arrays in and out.

Every expected matrix is derived on paper in the comments and written as floats with ``math``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from autograd import Op, Value, gradcheck, gradgradcheck, numerical_grad
from autograd.checking import GradcheckError
from autograd.testing import assert_grad, assert_hessian, assert_jacobian

# f(x, y) = [x·y, sin(x) + y²]:  J = [[y, x], [cos x, 2y]]
X, Y = 0.7, -1.3


def f2(x: Value, y: Value) -> list[Value]:
    return [x * y, x.sin() + y * y]


def jac(x: float, y: float) -> list[list[float]]:
    return [[y, x], [math.cos(x), 2 * y]]


def test_gradcheck_takes_a_list_of_outputs_and_names_output_and_input() -> None:
    report = gradcheck(f2, [X, Y])
    assert [r.name for r in report.rows] == ["∂f[0]/∂x", "∂f[1]/∂x", "∂f[0]/∂y", "∂f[1]/∂y"]
    assert [(r.output, r.input) for r in report.rows] == [(0, 0), (1, 0), (0, 1), (1, 1)]
    want = jac(X, Y)
    for r in report.rows:
        assert r.analytic == pytest.approx(want[r.output or 0][r.input], rel=1e-12)


BAD_SIN = Op("bad_sin", math.sin, lambda x, y, c: -math.cos(x))  # sin′ = +cos


def test_a_wrong_output_is_reported_as_output_k_with_respect_to_input_j() -> None:
    def g(x: Value, y: Value) -> list[Value]:
        return [x * y, BAD_SIN(x) + y * y]

    with pytest.raises(GradcheckError) as info:
        gradcheck(g, [X, Y])
    bad = [r for r in info.value.rows if r.status == "FAIL"]
    assert [(r.output, r.input, r.name) for r in bad] == [(1, 0, "∂f[1]/∂x")]
    assert str(info.value).splitlines()[0].startswith("gradcheck: FAIL ∂f[1]/∂x: analytic")
    assert info.value.node is not None and info.value.node.node.operation is BAD_SIN


def test_outputs_with_labels_name_their_rows() -> None:
    def g(x: Value) -> list[Value]:
        a, b = x * 2.0, x.exp()
        a.label, b.label = "a", "b"
        return [a, b]

    assert [r.name for r in gradcheck(g, [0.3]).rows] == ["∂a/∂x", "∂b/∂x"]


def test_assert_jacobian_passes_and_blames_the_right_side() -> None:
    assert assert_jacobian(f2, [X, Y], expected=jac)
    assert assert_jacobian(f2, [X, Y], expected=np.array(jac(X, Y)))
    assert assert_grad(f2, [X, Y], expected=jac(X, Y))  # assert_grad accepts the Jacobian too
    wrong = [[Y, X], [math.cos(X), Y]]  # the paper forgot the 2 in ∂(y²)/∂y
    with pytest.raises(GradcheckError) as info:
        assert_jacobian(f2, [X, Y], expected=wrong)
    (row,) = [r for r in info.value.rows if r.status == "FAIL"]
    assert (row.output, row.input) == (1, 1) and "re-check the derivation" in row.note


@pytest.mark.parametrize(
    ("expected", "words"),
    [([[1.0, 2.0]], "expected has 1 row"), ([[1.0], [2.0]], "expected has 1 value"),
     ([[1.0, "a"], [1.0, 2.0]], r"expected\[0\]\[1\] must be a number"), ("ab", "list of numbers")],
)
def test_assert_jacobian_bad_shapes_say_what_is_expected(expected: object, words: str) -> None:
    with pytest.raises((TypeError, ValueError), match=words):
        assert_jacobian(f2, [X, Y], expected=expected)


def test_a_single_output_f_refuses_a_matrix_and_jacobian_points_to_the_rows() -> None:
    with pytest.raises(ValueError, match="expected has 2 value"):
        assert_grad(lambda x: x * 2.0, [1.0], expected=[2.0, 3.0])
    with pytest.raises(TypeError, match="assert_jacobian"):
        assert_hessian(f2, [X, Y], expected=[[0.0, 1.0], [1.0, 2.0]])


# h(a, b) = (1 − a)² + 100(b − a²)²:  H = [[2 − 400(b − a²) + 800a², −400a], [−400a, 200]]
def rosen(a: Value, b: Value) -> Value:
    return (1 - a) ** 2 + 100 * (b - a * a) ** 2


def hess(a: float, b: float) -> list[list[float]]:
    return [[2 - 400 * (b - a * a) + 800 * a * a, -400 * a], [-400 * a, 200.0]]


def test_gradgradcheck_and_assert_hessian_with_an_expected_hessian() -> None:
    assert gradgradcheck(rosen, [0.5, 1.5], expected=hess)
    assert assert_hessian(rosen, [0.5, 1.5], expected=hess(0.5, 1.5))
    assert assert_hessian(rosen, np.array([0.5, 1.5]), expected=np.array(hess(0.5, 1.5)))
    wrong = hess(0.5, 1.5)
    wrong[0][1] = wrong[1][0] = 400 * 0.5  # sign slip
    with pytest.raises(GradcheckError) as info:
        assert_hessian(rosen, [0.5, 1.5], expected=wrong)
    bad = [r.name for r in info.value.rows if r.status == "FAIL"]
    assert bad == ["∂²/∂a∂b", "∂²/∂b∂a"] and "re-check the derivation" in info.value.rows[1].note


# ---------------------------------------------------------------------------------------------
# numpy at the edges of the API


def test_numpy_arrays_as_inputs_and_expected() -> None:
    xs = np.array([0.5, -1.5])
    assert gradcheck(lambda x, w: (x * w).sigmoid(), xs)
    # y = x·w: ∂y/∂x = w, ∂y/∂w = x
    assert assert_grad(lambda x, w: x * w, xs, expected=np.array([-1.5, 0.5]))
    assert assert_grad(lambda x, w: x * w, xs, expected=lambda x, w: np.array([w, x]))
    assert assert_grad(lambda x: x * x, np.float64(3.0), expected=np.float64(6.0))
    assert numerical_grad(lambda x, w: x * w, xs) == pytest.approx([-1.5, 0.5], rel=1e-9)
    with pytest.raises(TypeError, match="flatten the array"):
        gradcheck(lambda x: x, np.array([[1.0, 2.0]]))


def test_numpy_functions_inside_f_get_our_hint() -> None:
    for call in (lambda: gradcheck(lambda x: np.sin(x), [0.5]),
                 lambda: assert_grad(lambda x: np.exp(x), [0.5], expected=[math.exp(0.5)]),
                 lambda: numerical_grad(lambda x: np.tanh(x), [0.5])):
        with pytest.raises(TypeError, match=r"use the Value's methods instead, x\.sin\(\) for np\.sin\(x\)"):
            call()


def test_a_numpy_array_of_values_is_a_list_of_outputs() -> None:
    # f returns np.array([x·2, x·3], dtype=object): two outputs, ∂ = 2 and 3
    rows = gradcheck(lambda x: np.array([x * 2.0, x * 3.0], dtype=object), [1.0]).rows
    assert [r.analytic for r in rows] == [2.0, 3.0]


def test_f_returning_nothing_useful_says_what_to_return() -> None:
    with pytest.raises(TypeError, match="must return a Value or a list of Values"):
        gradcheck(lambda x: [x, "a"], [1.0])
    with pytest.raises(TypeError, match="empty list"):
        gradcheck(lambda x: [], [1.0])
