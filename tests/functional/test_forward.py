"""Forward mode: jvp and jacfwd against backward(), central differences, sympy and formulas by hand.

The random expressions are the engine's own (``tests/engine/test_engine_properties.py``): the same trees,
points and kink filter, so forward mode is held to the same oracles as reverse mode.
"""

from __future__ import annotations

import importlib
import math
from typing import Any

import pytest
import sympy
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import autograd
from autograd import Value, gradcheck, jacfwd, jvp, no_grad
from autograd.checking.numerical import GradcheckError
from autograd.graph import MissingDerivativeError
from nn.data import NOTE_INPUT, note_model
from tests.support.op_cases import EACH_CASE
from tests.support.trees import (
    NAMES,
    SYMBOLS,
    Tree,
    build,
    engine_gradients,
    points,
    trees,
)

GRADCHECK = importlib.import_module("autograd.checking.gradcheck")  # the module (the package re-exports the function)
directions = st.tuples(*[st.floats(-2.0, 2.0, allow_nan=False) for _ in NAMES])


def tree_function(tree: Tree) -> Any:
    return lambda *vs: build(tree, False, dict(zip(NAMES, vs, strict=True)), [])


@settings(max_examples=200, deadline=None)
@given(trees, points, directions)
def test_jvp_agrees_with_backward_sympy_and_central_differences(tree: Tree, point: tuple[float, ...],
                                                                direction: tuple[float, ...]) -> None:
    result = engine_gradients(tree, point)  # None where the point is not a fair test (kinks, huge values)
    assume(result is not None)
    assert result is not None
    root, env = result
    value, dot = jvp(tree_function(tree), list(point), list(direction))
    assert value == root.data
    # reverse mode: J·v = Σ_i ∂f/∂x_i · v_i from backward()'s gradients
    reverse = math.fsum(env[n].grad * v for n, v in zip(NAMES, direction, strict=True))
    scale = math.fsum(abs(env[n].grad * v) for n, v in zip(NAMES, direction, strict=True))
    assert math.isclose(dot, reverse, rel_tol=1e-9, abs_tol=1e-9 * max(1.0, scale))
    # sympy: the exact directional derivative
    expr = build(tree, True, dict(zip(NAMES, SYMBOLS, strict=True)), [])
    at = dict(zip(SYMBOLS, point, strict=True))
    exact = sum(float(sympy.diff(expr, s).evalf(30, subs=at)) * v for s, v in zip(SYMBOLS, direction, strict=True))
    assert math.isclose(dot, exact, rel_tol=1e-7, abs_tol=1e-7 * max(1.0, scale))
    # central differences along the direction: g(t) = f(x + t·v), g′(0) ≈ (g(h) − g(−h)) / 2h
    f = tree_function(tree)

    def g(t: float) -> float:
        with no_grad():
            return float(f(*[Value(x + t * v) for x, v in zip(point, direction, strict=True)]).data)

    h = 1e-6
    try:
        numerical = (g(h) - g(-h)) / (2 * h)
    except (ValueError, ArithmeticError):
        return
    assert math.isclose(dot, numerical, rel_tol=1e-3, abs_tol=1e-4 * max(1.0, scale))


@EACH_CASE
@settings(max_examples=10, deadline=None)
@given(data=st.data())
def test_every_builtin_op_passes_the_three_way_check(case: Any, data: st.DataObject) -> None:
    op, f = case.op, case.build
    xs = [data.draw(s) for s in case.strategies()]
    assert f(*[Value(x) for x in xs]).operation is op
    report = gradcheck(f, xs, modes=("rev", "fwd"))
    for row in report.rows:
        assert row.forward is not None and row.status == "ok"
        assert math.isclose(row.forward, row.analytic, rel_tol=1e-12, abs_tol=1e-300)


def test_jvp_by_hand() -> None:
    # f(x, y) = x²·y + sin y:  ∂f/∂x = 2xy, ∂f/∂y = x² + cos y;  J·v = 2xy·a + (x² + cos y)·b
    x, y, a, b = 1.5, -0.5, 2.0, -3.0
    value, dot = jvp(lambda x, y: x * x * y + y.sin(), [x, y], [a, b])
    assert math.isclose(value, x * x * y + math.sin(y), rel_tol=1e-15)
    assert math.isclose(dot, 2 * x * y * a + (x * x + math.cos(y)) * b, rel_tol=1e-14)


def test_jvp_of_several_outputs_and_reductions() -> None:
    # f = (Σ(x, y, x), dot([x, y], [y, 2]) + 1, 2 ** x):  rows of J: (2, 1), (y, x + 2), (2ˣ ln 2, 0)
    x, y = 0.7, -1.2
    values, dots = jvp(lambda x, y: [autograd.sum([x, y, x]), autograd.dot([x, y], [y, 2.0], 1.0), 2 ** x],
                       [x, y], [1.0, 0.0])
    assert values == [2 * x + y, x * y + 2 * y + 1.0, 2**x]
    assert dots[0] == 2.0 and dots[1] == y and math.isclose(dots[2], 2**x * math.log(2), rel_tol=1e-15)


def test_user_defined_ops_need_no_extra_code() -> None:
    @autograd.op("cube", derivative=lambda x: 3 * x * x)
    def cube(x: float) -> float:
        return x**3

    @autograd.op
    def hypot(a: float, b: float) -> float:
        return math.hypot(a, b)

    @hypot.derivative  # type: ignore[no-redef]  # the decorator returns the op, so the name stays bound to it
    def hypot(a: Any, b: Any, y: Any) -> tuple[Any, Any]:  # ∂√(a²+b²)/∂a = a/y, ∂/∂b = b/y
        return a / y, b / y

    _, dot = jvp(lambda x, w: hypot(cube(x), w), [0.5, 2.0], [1.0, 1.0])
    y = math.hypot(0.125, 2.0)
    assert math.isclose(dot, 0.125 / y * 3 * 0.25 + 2.0 / y, rel_tol=1e-14)


def test_jacfwd_matches_jacobian_on_the_notes_network() -> None:
    # Only the two inputs are differentiated: the 2-2-1 network's weights are constants here.
    model = note_model()
    f = lambda x0, x1: model([x0, x1])
    forward = jacfwd(f)(*NOTE_INPUT)
    reverse = autograd.grad(f, None)(*NOTE_INPUT)
    assert len(forward) == 2 and all(math.isclose(a, b, rel_tol=1e-12) for a, b in zip(forward, reverse, strict=True))
    rows = jacfwd(lambda a, b: [a * b, a + b.exp()])(2.0, 0.5)
    assert rows == [[0.5, 2.0], [1.0, math.exp(0.5)]]


def test_a_tangent_of_zero_is_an_exact_zero() -> None:
    # √y at y = 0 has ∂/∂y = ∞, but moving only x leaves √y unmoved: 0, not ∞·0 = NaN.
    _, dot = jvp(lambda x, y: x * 3 + y.sqrt(), [1.0, 0.0], [1.0, 0.0])
    assert dot == 3.0


def test_captured_values_are_constants() -> None:
    w = Value(4.0, "w")
    value, dot = jvp(lambda x: w * x * x, [3.0], [1.0])
    assert (value, dot) == (36.0, 24.0) and w.grad == 0.0


def test_closures_are_rejected_by_name() -> None:
    def tripled(x: Value) -> Value:
        out = Value(3 * x.data, (x,), "triple")

        def _backward() -> None:
            x.grad += 3 * out.grad

        out._backward = _backward
        return out

    with pytest.raises(MissingDerivativeError, match=r"jvp: node .*'triple'.*autograd\.op"):
        jvp(tripled, [1.0], [1.0])
    with pytest.raises(MissingDerivativeError, match="no local derivative"):
        jvp(lambda x: Value(1.0, (x,), "tag"), [1.0], [1.0])


@pytest.mark.parametrize(("call", "error", "match"), [
    (lambda: jvp(lambda x: x, [1.0, 2.0], [1.0]), ValueError, "2 primal"),
    (lambda: jvp(lambda x: x, [1.0], [math.inf]), ValueError, "finite"),
    (lambda: jvp(lambda x: x, ["a"], [1.0]), TypeError, r"primals\[0\]"),
    (lambda: jvp(lambda x: math.sin(x.data), [1.0], [1.0]), TypeError, "outside the graph"),
    (lambda: jvp(3.0, [1.0], [1.0]), TypeError, "f must be a function"),  # type: ignore[arg-type]
    (lambda: jacfwd(lambda x: x)("a"), TypeError, "argument 0"),
])
def test_bad_input_is_named(call: Any, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        call()


def test_jvp_inside_no_grad_says_why() -> None:
    with no_grad(), pytest.raises(RuntimeError, match="no_grad"):
        jvp(lambda x: x * x, [1.0], [1.0])


def test_gradcheck_modes_report_a_forward_column_and_which_mode_disagrees(monkeypatch: pytest.MonkeyPatch) -> None:
    report = gradcheck(lambda x, y: (x * y).tanh(), [0.5, -1.5], modes=("rev", "fwd"))
    header = str(report).splitlines()[0].split()
    assert header[:5] == ["input", "value", "reverse", "forward", "numerical"]
    monkeypatch.setattr(GRADCHECK, "jacfwd", lambda f: lambda *xs: [1.0 + 2.0 * x for x in xs])
    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda x: x * x, [2.0], modes=("rev", "fwd"))
    text = str(info.value)
    assert info.value.rows[0].forward == 5.0 and info.value.rows[0].status == "FAIL"
    assert "forward mode disagrees with reverse mode and central differences" in text
    header_line = next(line for line in text.splitlines() if line.startswith("input"))
    assert "reverse" in header_line and "forward" in header_line


def test_gradcheck_modes_both_wrong_when_the_op_table_entry_is() -> None:
    bad = autograd.op("bad_square", derivative=lambda x: 3 * x)(lambda x: x * x)  # ∂x²/∂x is 2x, not 3x
    with pytest.raises(GradcheckError, match="forward and reverse mode agree with each other, not with central"):
        gradcheck(lambda x: bad(x), [1.5], modes=("rev", "fwd"), check_nodes=False)


@pytest.mark.parametrize("modes", [(), ("fwd",), ("rev", "sideways"), "rev"])
def test_gradcheck_rejects_unknown_modes(modes: Any) -> None:
    with pytest.raises(ValueError, match="modes must be"):
        gradcheck(lambda x: x, [1.0], modes=modes)
