"""Bad, hostile or unusual inputs to the engine: each is refused with an error that names the
operation, the offending value or node, and what to do, or (where it is valid) gives the right number.

Kinds (``KINDS`` at the end counts the inputs each kind tries, for the issue's closing note):
math.* / float() / int() on a node; a user op's derivative returning something that is not a real
number; a derivative or closure that raises (in backward, grad, grad(create_graph=True), gradcheck);
a parameter listed twice in an optimiser; threads sharing leaves; wrong seeds; sin/cos of ±inf.
"""

from __future__ import annotations

import math
import sys
import threading
from collections.abc import Callable, Iterator
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
import nn
from autograd import Value, grad
from autograd.checking import gradcheck
from autograd.custom import op
from autograd.graph import DerivativeError
from autograd.ops import BadDerivativeError

finite = st.floats(min_value=-50.0, max_value=50.0, allow_nan=False)

# ---------------------------------------------------------------------------------------------
# math.* and float() on a node: refused, naming the node's own method and .data


MATH_FUNCTIONS: list[Callable[[Any], Any]] = [
    math.exp, math.log1p, math.sin, math.cos, math.tanh, math.sqrt, math.fabs, math.floor, math.ceil,
    math.isfinite, math.isnan, math.erf, math.atan, math.expm1, math.degrees, float, int, complex,
    lambda x: math.pow(x, 2.0), lambda x: math.atan2(x, 1.0), lambda x: math.copysign(1.0, x),
    lambda x: np.float64(x),
]


@settings(max_examples=40, deadline=None)
@given(data=st.floats(min_value=0.1, max_value=5.0), which=st.sampled_from(range(len(MATH_FUNCTIONS))))
def test_math_functions_refuse_a_value(data: float, which: int) -> None:
    x = Value(data, label="x")
    with pytest.raises(TypeError) as info:
        MATH_FUNCTIONS[which](x)
    text = str(info.value)
    assert "math.exp(x)" in text and "x.exp()" in text and "x.data / x.item()" in text
    assert repr(data) in text  # the node


def test_x_times_math_exp_x_is_refused_not_silently_wrong() -> None:
    x = Value(1.0)
    with pytest.raises(TypeError, match=r"outside the graph.*x\.exp\(\)"):
        x * math.exp(x)  # type: ignore[arg-type]
    assert x.item() == 1.0 and type(x.item()) is float


# ---------------------------------------------------------------------------------------------
# A user op's derivative that returns something other than real numbers


BAD_RESULTS: list[tuple[str, Any, str]] = [
    ("complex", 1 + 2j, "left the real numbers"),
    ("list", [1.0], "one float per input"),
    ("ndarray", np.array([1.0, 2.0]), r"float\(\.\.\.\) or \.item\(\)"),
    ("0-d ndarray", np.array(2.0), r"float\(\.\.\.\) or \.item\(\)"),
    ("Value", Value(3.0), "returned a Value"),
    ("None", None, "forget its return"),
    ("str", "1.0", "return a float"),
    ("bool", True, "return a float"),
    ("numpy complex", np.complex128(1j), "left the real numbers"),
]


def _made_three_ways(deriv_value: Any) -> Iterator[tuple[str, Callable[[Value], Value]]]:
    """The same one-input op made with ``Op(...)``, ``@op`` with a derivative of x, and of (x, y)."""
    direct = autograd.Op("twice", lambda x: 2.0 * x, lambda x, y, c: deriv_value)
    yield "Op", direct

    @op("twice")
    def dec(x: float) -> float:
        return 2.0 * x

    @dec.derivative  # type: ignore[no-redef]
    def dec(x: Any) -> Any:
        return deriv_value

    yield "@op", dec
    with_y = op("twice", derivative=lambda x, y: deriv_value)(lambda x: 2.0 * x)
    yield "@op(derivative=)", with_y


@pytest.mark.parametrize(("kind", "result", "hint"), BAD_RESULTS, ids=[k for k, _, _ in BAD_RESULTS])
def test_a_derivative_returning_a_non_number_is_refused_naming_op_and_node(kind: str, result: Any, hint: str) -> None:
    for how, twice in _made_three_ways(result):
        x = Value(0.5, label="x")
        h = twice(x * 1.0)
        h.label = "hidden"
        with pytest.raises(BadDerivativeError, match=hint) as info:
            (h * 3.0).backward()
        text = str(info.value)
        assert "op 'twice'" in text and "'hidden'" in text and "inputs (0.5)" in text, (how, text)
        assert isinstance(info.value.__cause__, BadDerivativeError)
        assert h._pending == 0  # the failed pass left no count behind
        with pytest.raises(BadDerivativeError, match="op 'twice'"):
            grad(h * 3.0, x)


@pytest.mark.parametrize("number", [np.float64(1.5), np.float32(1.5), np.int64(3), np.int32(-2), 3, Fraction(3, 2)],
                         ids=["float64", "float32", "int64", "int32", "int", "Fraction"])
def test_a_derivative_returning_a_real_number_of_another_type_is_stored_as_a_float(number: Any) -> None:
    for _, twice in _made_three_ways(number):
        x = Value(0.5)
        (twice(x) * 2.0).backward()
        assert x.grad == 2.0 * float(number) and type(x.grad) is float
        assert grad(twice(x), x) == float(number)


@settings(max_examples=30, deadline=None)
@given(a=finite, b=finite, bad=st.sampled_from([r for _, r, _ in BAD_RESULTS]), slot=st.sampled_from([0, 1]))
def test_two_input_and_n_input_derivatives_are_checked_per_entry(a: float, b: float, bad: Any, slot: int) -> None:
    pair = [1.0, 1.0]
    pair[slot] = bad
    add2 = autograd.Op("add2", lambda u, v: u + v, lambda u, v, y, c: tuple(pair), arity=2)
    many = autograd.Op("addn", lambda *xs: sum(xs), lambda xs, y, c: [*pair, 1.0], arity=0)
    for made in (add2(Value(a), Value(b)), many(Value(a), Value(b), Value(1.0))):
        with pytest.raises(BadDerivativeError, match=r"op 'add(2|n)'.*not a real number"):
            made.backward()


def test_a_derivative_with_the_wrong_number_of_entries_is_refused() -> None:
    short = autograd.Op("short", lambda u, v: u + v, lambda u, v, y, c: (1.0,), arity=2)
    scalar = autograd.Op("scalar", lambda u, v: u + v, lambda u, v, y, c: 1.0, arity=2)
    many = autograd.Op("many", lambda *xs: sum(xs), lambda xs, y, c: [1.0], arity=0)
    for node, pattern in ((short(Value(1.0), Value(2.0)), r"'short' returned 1 derivative\(s\) for 2 input\(s\)"),
                          (scalar(Value(1.0), Value(2.0)), r"'scalar'.*returned 1\.0 of type float"),
                          (many(Value(1.0), Value(2.0), Value(3.0)), r"'many' returned 1 derivative\(s\) for 3")):
        with pytest.raises(BadDerivativeError, match=pattern):
            node.backward()


def test_a_value_returned_by_a_derivative_given_nodes_is_a_graph() -> None:
    """grad(create_graph=True) passes nodes in, so a Value back is right there: ∂(x²)/∂x = 2x."""
    square = autograd.Op("square", lambda x: x * x, lambda x, y, c: 2.0 * x)
    x = Value(3.0)
    g = grad(square(x), x, create_graph=True)
    assert isinstance(g, Value) and g.data == 6.0
    assert grad(g, x) == 2.0


def test_built_in_ops_are_not_wrapped() -> None:
    """The table's derivatives run unchecked (the speed of backward()); only ops made after it are checked."""
    for entry in autograd.ops.TABLE:
        assert not hasattr(entry.deriv, "__wrapped__"), entry.name
    assert hasattr(autograd.Op("mine", lambda x: x, lambda x, y, c: 1.0).deriv, "__wrapped__")


# ---------------------------------------------------------------------------------------------
# A derivative that raises: named with its op, node and inputs; the original as __cause__


class NeedsTwoArguments(Exception):
    def __init__(self, a: int, b: int) -> None:
        super().__init__(f"{a} and {b}")


def _raise(error: BaseException) -> Callable[..., Any]:
    def deriv(*args: Any) -> Any:
        raise error

    return deriv


RAISING = [ZeroDivisionError("division by zero"), ValueError("math domain error"), OverflowError("range"),
           KeyError("k"), NeedsTwoArguments(1, 2)]


@pytest.mark.parametrize("error", RAISING, ids=[type(e).__name__ for e in RAISING])
def test_a_raising_derivative_is_named_in_backward_grad_and_gradcheck(error: Exception) -> None:
    bad = autograd.Op("fragile", lambda x: x + 1.0, _raise(error))
    want = DerivativeError if isinstance(error, NeedsTwoArguments) else type(error)

    def f(x: Value) -> Value:
        y = bad(x * 2.0)
        y.label = "y"
        return y * 3.0

    calls: list[tuple[str, Callable[[], Any]]] = [
        ("backward()", lambda: f(Value(0.25)).backward()),
        ("grad", lambda: grad(f(v := Value(0.25)), v)),
        ("grad(create_graph=True)", lambda: grad(f(w := Value(0.25)), w, create_graph=True)),
        ("backward()", lambda: gradcheck(f, [0.25])),  # gradcheck runs backward() on f's graph
    ]
    for where, call in calls:
        with pytest.raises(want) as info:
            call()
        text = info.value.args[0]  # str() of a KeyError adds quotes
        assert text.startswith(f"{where}: the derivative of op 'fragile' at node"), text
        assert "label='y'" in text and "inputs (0.5)" in text and type(error).__name__ in text
        assert "fix the op's derivative" in text
        assert info.value.__cause__ is error


def test_after_a_failed_pass_the_graph_can_be_backpropagated_again() -> None:
    state = {"fail": True}

    def deriv(x: float, y: float, c: Any) -> float:
        if state["fail"]:
            raise ZeroDivisionError("once")
        return 2.0

    twice = autograd.Op("twice", lambda x: 2.0 * x, deriv)
    x = Value(1.0)
    y = twice(x * 1.0) * 1.0
    with pytest.raises(ZeroDivisionError, match="op 'twice'"):
        y.backward()
    state["fail"] = False
    x.grad = 0.0
    y.backward()
    assert x.grad == 2.0


def test_a_raising_micrograd_closure_is_named() -> None:
    x = Value(2.0, label="x")
    out = Value(x.data * 2, (x,), "double")
    out.label = "out"

    def _backward() -> None:
        raise ValueError("broken closure")

    out._backward = _backward
    with pytest.raises(ValueError, match=r"_backward closure of node .*'out'.*op 'double'.*broken closure") as info:
        (out * 1.0).backward()
    assert str(info.value.__cause__) == "broken closure"
    with pytest.raises(ValueError, match=r"^grad: the _backward closure"):
        grad(out * 1.0, x)


def test_an_overflowing_built_in_derivative_is_named() -> None:
    """x⁻¹ at 1e-300 is 1e300, but its derivative −x⁻² overflows: the pow node is named, not a bare error."""
    x = Value(1e-300, label="x")
    with pytest.raises(OverflowError, match=r"op '\*\*' at node.*inputs \(1e-300\)"):
        (x ** -1.0).backward()


# ---------------------------------------------------------------------------------------------
# Parameters listed twice are updated once


@pytest.mark.parametrize("make", [lambda ps: nn.SGD(ps, lr=0.1), lambda ps: nn.SGD(ps, lr=0.1, momentum=0.9),
                                  lambda ps: nn.Adam(ps, lr=0.1)], ids=["SGD", "SGD+momentum", "Adam"])
def test_a_parameter_listed_twice_is_stepped_once(make: Callable[[list[Value]], Any]) -> None:
    p, q = Value(1.0), Value(1.0)
    twice, once = make([p, p]), make([q])
    for opt, v in ((twice, p), (once, q)):
        v.grad = 0.5
        opt.step()
    assert p.data == q.data != 1.0 and len(twice.params) == 1


def test_tied_weights_are_one_parameter() -> None:
    model = nn.MLP(2, [2, 1])
    layer = model.layers[1].neurons[0]
    layer.w[0] = model.layers[0].neurons[0].w[0]  # tie a weight to another
    params = model.parameters()
    assert len(params) == len({id(p) for p in params})
    opt = nn.SGD(params, lr=0.1)
    tied = layer.w[0]
    tied.grad, before = 1.0, tied.data
    opt.step()
    assert tied.data == before - 0.1


# ---------------------------------------------------------------------------------------------
# Threads sharing leaves: no lost update


def _hammer(n_threads: int, calls: int, work: Callable[[], None]) -> None:
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible: a race shows within a few calls
    try:
        def loop() -> None:
            for _ in range(calls):
                work()

        threads = [threading.Thread(target=loop) for _ in range(n_threads)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(old)


def test_two_threads_backpropagating_into_a_shared_leaf_lose_no_update() -> None:
    p = Value(0.5, label="p")
    _hammer(2, 20_000, lambda: (p * 1.0 + 0.0).backward())
    assert p.grad == 40_000.0


def test_two_threads_through_one_graph_are_serialized() -> None:
    """The same interior nodes from two threads: each pass whole, so the leaves get 2·N·∂y/∂x exactly."""
    x = Value(3.0)
    h = x * x
    y = h * 2.0 + h
    _hammer(2, 2_000, y.backward)
    assert x.grad == 2 * 2_000 * (3 * 2 * 3.0) and h._pending == 0


# ---------------------------------------------------------------------------------------------
# Messages that said the wrong thing


def test_a_value_as_the_seed_says_to_pass_its_number() -> None:
    for y in (Value(2.0), Value(2.0) * 3.0):
        with pytest.raises(TypeError, match=r"backward\(grad\): the seed .* must be a number.*seed\.data"):
            y.backward(Value(1.0))  # type: ignore[arg-type]


@pytest.mark.parametrize("method", ["sin", "cos"])
@pytest.mark.parametrize("x", [math.inf, -math.inf])
def test_sin_and_cos_of_infinity_name_the_value(method: str, x: float) -> None:
    with pytest.raises(ValueError, match=rf"^{method}: .*finite inputs, got {x!r}; find where") as info:
        getattr(Value(x, label="t"), method)()
    assert "(node 't')" in str(info.value)
    assert math.isnan(getattr(Value(math.nan), method)().data)  # NaN in, NaN out, as math.sin


KINDS = {
    "math.* / float() / int() / complex() / numpy on a node": len(MATH_FUNCTIONS) + 1,
    "derivative returning a non-number (9 kinds x 3 ways to make an op, + 2- and n-input entries)":
        len(BAD_RESULTS) * 3 + len(BAD_RESULTS) * 2 + 3,
    "derivative returning a real number of another type (numpy, int, Fraction) x 3 ways": 6 * 3,
    "derivative or closure that raises (5 exception types x 4 entry points, closure x 2, overflow, retry)":
        len(RAISING) * 4 + 4,
    "parameter listed twice or tied (SGD, momentum, Adam, model)": 4,
    "threads sharing a leaf or a whole graph": 2,
    "a Value as the seed (leaf, interior)": 2,
    "sin/cos of ±inf": 4,
    "Value targets in nn's accuracy": 1,
}

