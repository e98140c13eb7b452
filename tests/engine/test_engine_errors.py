"""Inputs: numpy scalars are welcome; bad input gets a clear error naming the op, the value and the label."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import autograd
from autograd import Value
from autograd.graph import MissingDerivativeError


@pytest.mark.parametrize(
    ("data", "shown"),
    [
        (True, "True of type bool"),
        (False, "False of type bool"),
        ("1", "'1' of type str"),
        (None, "None of type NoneType"),
        (1j, "1j of type complex"),
        ([1], r"\[1\] of type list"),
        ((1.0,), r"\(1.0,\) of type tuple"),
        (np.array([1.0]), "of type ndarray"),
        (np.bool_(True), "of type bool"),
    ],
    ids=["True", "False", "str", "None", "complex", "list", "tuple", "ndarray", "np.bool_"],
)
def test_value_rejects_what_is_not_a_real_number(data: object, shown: str) -> None:
    with pytest.raises(TypeError, match=r"Value: data must be a real number.*" + shown):
        Value(data)  # type: ignore[arg-type]


def test_value_of_a_value_says_how_to_get_the_number() -> None:
    with pytest.raises(TypeError, match=r"got Value\(data=1\.0, grad=0\.0\) of type Value; use v\.data or v\.detach"):
        Value(Value(1))  # type: ignore[arg-type]


def test_value_rejects_bad_children_and_labels() -> None:
    with pytest.raises(TypeError, match=r"children must be Value nodes, got 'a'"):
        Value(1.0, ("a",), "+")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"label must be a str, got 3"):
        Value(1.0, label=3)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("action", "error", "pattern"),
    [
        (lambda: Value(0.0).log(), ValueError, r"^log: .*> 0, got 0\.0"),
        (lambda: Value(-1.0).log(), ValueError, r"^log: .*> 0, got -1\.0"),
        (lambda: Value(-1.0).sqrt(), ValueError, r"^sqrt: .*>= 0, got -1\.0"),
        (lambda: Value(3.0) / 0, ZeroDivisionError, r"^/ 0: division of 3\.0 by zero"),
        (lambda: Value(3.0) / 0.0, ZeroDivisionError, r"^/ 0: division of 3\.0 by zero"),
        (lambda: Value(3.0) / Value(0.0), ZeroDivisionError, r"^/: division of 3\.0 by zero"),
        (lambda: 1 / Value(0.0), ZeroDivisionError, r"^1 /: division of 1\.0 by zero"),
        (lambda: Value(0.0) ** -1, ZeroDivisionError, r"^\*\*-1: 0\.0 \*\* -1\.0 is undefined"),
        (lambda: Value(0.0) ** Value(-2.0), ZeroDivisionError, r"^\*\*: 0\.0 \*\* -2\.0 is undefined"),
        (lambda: Value(-8.0) ** (1 / 3), ValueError, r"-8\.0 \*\* 0\.333.* is not a real number"),
        (lambda: Value(-8.0) ** Value(0.5), ValueError, r"^\*\*: -8\.0 \*\* 0\.5 is not a real number"),
        (lambda: (-8) ** Value(0.5), ValueError, r"^-8 \*\*: -8\.0 \*\* 0\.5 is not a real number"),
        (lambda: 0 ** Value(-1.0), ZeroDivisionError, r"^0 \*\*: 0\.0 \*\* -1\.0 is undefined"),
        (lambda: Value(1000.0).exp(), OverflowError, r"^exp: e\*\*1000\.0 does not fit"),
        (lambda: Value(10.0) ** 400, OverflowError, r"10\.0 \*\* 400\.0 does not fit"),
        (lambda: 2 ** Value(5000.0), OverflowError, r"2\.0 \*\* 5000\.0 does not fit"),
    ],
    ids=["log(0)", "log(-1)", "sqrt(-1)", "x/0", "x/0.0", "x/Value(0)", "1/Value(0)", "0**-1", "0**Value(-2)",
         "(-8)**(1/3)", "(-8)**Value(.5)", "-8**Value(.5)", "0**Value(-1)", "exp(1000)", "10**400", "2**5000"],
)
def test_undefined_results_name_the_op_and_the_value(
    action: Callable[[], Value], error: type[Exception], pattern: str
) -> None:
    with pytest.raises(error, match=pattern):
        action()


@pytest.mark.parametrize(
    ("action", "error", "op"),
    [
        (lambda x: x.log(), ValueError, "log"),
        (lambda x: x.sqrt(), ValueError, "sqrt"),
        (lambda x: x**0.5, ValueError, "**0.5"),
        (lambda x: x ** Value(0.5), ValueError, "**"),
        (lambda x: 1.0 / x, ZeroDivisionError, "1 /"),
        (lambda x: Value(2.0) / x, ZeroDivisionError, "/"),
        (lambda x: x.exp(), OverflowError, "exp"),
    ],
    ids=["log", "sqrt", "**0.5", "**Value", "1/x", "Value/x", "exp"],
)
def test_errors_carry_the_node_label(action: Callable[[Value], Value], error: type[Exception], op: str) -> None:
    bad, shown = {ValueError: (-1.0, "-1.0"), ZeroDivisionError: (0.0, "by zero"), OverflowError: (1000.0, "1000.0")}[
        error
    ]
    x = Value(bad, label="x")
    with pytest.raises(error) as info:
        action(x)
    message = str(info.value)
    assert message.startswith(op + ":"), message
    assert "(node 'x')" in message and shown in message, message


def test_the_issues_example_log_of_minus_one_mentions_x() -> None:
    with pytest.raises(ValueError, match=re.escape("(node 'x')")):
        Value(-1.0, label="x").log()


@pytest.mark.parametrize(
    ("action", "pattern"),
    [
        (lambda v: v * "a", r"Value \* x: expected a real number or a Value, got 'a' of type str"),
        (lambda v: "a" * v, r"x \* Value: .*got 'a' of type str"),
        (lambda v: v + None, r"Value \+ x: .*got None of type NoneType"),
        (lambda v: {"a": 1} + v, r"x \+ Value: .*got \{'a': 1\} of type dict"),
        (lambda v: v - 1j, r"Value - x: .*got 1j of type complex"),
        (lambda v: "2" - v, r"x - Value: .*got '2'"),
        (lambda v: v / "2", r"Value / x: .*got '2'"),
        (lambda v: {} / v, r"x / Value: .*got \{\}"),
        (lambda v: v ** "2", r"Value \*\* x: .*got '2'"),
        (lambda v: "2" ** v, r"x \*\* Value: .*got '2'"),
        (lambda v: v + True, r"Value \+ x: .*got True of type bool"),
        (lambda v: np.array([1.0, 2.0]) * v, r"x \* Value: .*of type ndarray"),
        (lambda v: v.leaky_relu("0.1"), r"leaky_relu\(slope\): .*got '0\.1'"),
    ],
    ids=["v*str", "str*v", "v+None", "dict+v", "v-complex", "str-v", "v/str", "dict/v", "v**str", "str**v",
         "v+bool", "ndarray*v", "leaky(str)"],
)
def test_operands_of_the_wrong_type(action: Callable[[Value], object], pattern: str) -> None:
    with pytest.raises(TypeError, match=pattern):
        action(Value(2.0))


@pytest.mark.parametrize("other", ["a", None, [1.0], 1j, True])
@pytest.mark.parametrize("compare", ["<", "<=", ">", ">="])
def test_ordering_comparisons_with_bad_types(compare: str, other: object) -> None:
    ops: dict[str, Callable[[Value, object], bool]] = {
        "<": lambda a, b: a < b,  # type: ignore[arg-type]
        "<=": lambda a, b: a <= b,  # type: ignore[arg-type]
        ">": lambda a, b: a > b,  # type: ignore[arg-type]
        ">=": lambda a, b: a >= b,  # type: ignore[arg-type]
    }
    with pytest.raises(TypeError, match=rf"Value {re.escape(compare)} x: expected a real number"):
        ops[compare](Value(1.0), other)


def test_backward_seed_must_be_a_number() -> None:
    y = Value(2.0) * Value(3.0)
    with pytest.raises(TypeError, match=r"backward\(grad\): .*got 'a'"):
        y.backward("a")  # type: ignore[arg-type]


def test_backward_through_a_node_without_a_rule_names_it_and_leaves_the_graph_usable() -> None:
    a, b = Value(2.0), Value(3.0)
    ruleless = Value(5.0, (a, b), "myop")
    y = ruleless * 2.0
    with pytest.raises(MissingDerivativeError, match=r"made by op 'myop' with parents but no derivative rule"):
        y.backward()
    assert all(v._pending == 0 for v in autograd.walk(y))  # no half-counted node is left behind
    good = a * b
    good.backward()
    assert (a.grad, b.grad) == (3.0, 2.0)


def test_sum_and_dot_reject_non_numbers() -> None:
    with pytest.raises(TypeError, match=r"sum: .*got 'x'"):
        autograd.sum([Value(1.0), "x"])  # type: ignore[list-item]
    with pytest.raises(TypeError, match=r"dot\(xs\): .*got None"):
        autograd.dot([1.0], [None])  # type: ignore[list-item]


@pytest.mark.parametrize(
    ("action", "where"),
    [
        (lambda: Value(10**400), "Value"),
        (lambda: Value(2.0) * 10**400, r"Value \* x"),
        (lambda: 10**400 - Value(1.0), "x - Value"),
        (lambda: Value(1.0) < -(10**400), "Value < x"),
    ],
    ids=["Value(huge)", "v*huge", "huge-v", "v<huge"],
)
def test_an_integer_too_large_for_a_float_names_the_operation(action: Callable[[], object], where: str) -> None:
    with pytest.raises(OverflowError, match=rf"^{where}: -?1000000.*\.\.\. does not fit in a float"):
        action()


# ---------------------------------------------------------------------------------------------
# numpy habits: numpy scalars work on either side and give Values holding Python floats.


@pytest.mark.parametrize(
    ("make", "expected", "grad"),
    [
        (lambda v: Value(np.float64(1.5)), 1.5, None),
        (lambda v: Value(np.int64(3)), 3.0, None),  # type: ignore[arg-type]
        (lambda v: Value(np.float32(0.5)), 0.5, None),  # type: ignore[arg-type]
        (lambda v: np.float64(2) * v, 6.0, 2.0),
        (lambda v: -np.int64(1) * v, -3.0, -1.0),
        (lambda v: v + np.float32(1), 4.0, 1.0),
        (lambda v: np.float64(10) - v, 7.0, -1.0),
        (lambda v: np.float64(6) / v, 2.0, -6.0 / 9.0),
        (lambda v: v ** np.int64(2), 9.0, 6.0),
        (lambda v: np.int64(2) ** v, 8.0, 8.0 * math.log(2.0)),
        (lambda v: v.leaky_relu(np.float64(0.1)), 3.0, 1.0),
    ],
    ids=["Value(f64)", "Value(i64)", "Value(f32)", "f64*v", "-i64*v", "v+f32", "f64-v", "f64/v", "v**i64",
         "i64**v", "leaky(f64)"],
)
def test_numpy_scalars(make: Callable[[Value], Value], expected: float, grad: float | None) -> None:
    v = Value(3.0)
    y = make(v)
    assert type(y) is Value
    assert type(y.data) is float and y.data == expected
    if grad is not None:
        y.backward()
        assert type(v.grad) is float and math.isclose(v.grad, grad, rel_tol=1e-15)


def test_numpy_comparisons_return_python_bool() -> None:
    v = Value(3.0)
    assert (v < np.float64(4.0)) is True
    assert (v >= np.int64(4)) is False


@pytest.mark.parametrize("make", [lambda a, b: a + b, lambda a, b: a * b])
def test_a_huge_int_set_into_data_names_the_op_and_node(make: Any) -> None:
    a = Value(1.0, label="a")
    a.data = 10**400  # (data is a float; a user may store anything in it)
    with pytest.raises(OverflowError, match="'a'"):
        make(a, Value(2.0))
