"""Every consumer of the op table covers every op: ``Value``'s methods, the command line, drawings, tests.

The lists below are read from ``autograd.ops.TABLE`` (never written by hand), so an op added to the
table and forgotten by a consumer fails here, naming the op and the consumer.
"""

from __future__ import annotations

import pytest

from autograd import Value, ops
from autograd.cli.expr import FUNCTIONS, evaluate, parse_expression
from autograd.drawing.draw import draw_dot
from autograd.drawing.labels import html_text
from autograd.graph import constant_of
from tests.support.op_cases import CASES, Case, missing_cases, missing_oracles

WITH_METHOD = [op for op in ops.TABLE if op.method]
EACH_METHOD = pytest.mark.parametrize("op", WITH_METHOD, ids=lambda op: op.method)


def test_every_table_op_has_a_shared_test_case() -> None:
    missing = missing_cases()
    assert missing == [], f"table ops without a case in tests/op_cases.py CASES: {missing}; add one (case(op, …))"


def test_every_table_op_has_a_hand_written_oracle() -> None:
    missing = missing_oracles()
    assert missing == [], (f"table ops without an oracle in tests/op_cases.py ORACLES: {missing}; write its "
                           "forward with math, its sympy expression and its derivatives by hand")


def test_the_table_names_each_op_once() -> None:
    assert len({id(op) for op in ops.TABLE}) == len(ops.TABLE)
    assert len({op.method for op in WITH_METHOD}) == len(WITH_METHOD)


@EACH_METHOD
def test_every_op_with_a_method_is_a_documented_value_method(op: ops.Op) -> None:
    assert op.method is not None
    method = getattr(Value, op.method, None)
    assert callable(method), f"{op!r}: Value has no method {op.method!r}"
    assert method.__doc__ and op.formula and op.formula in method.__doc__, (
        f"{op!r}: Value.{op.method}'s docstring {method.__doc__!r} lacks the formula {op.formula!r}")
    assert getattr(Value(0.5), op.method)().operation is op


@EACH_METHOD
def test_value_methods_compute_the_tables_forward(op: ops.Op) -> None:
    assert op.method is not None
    lo, hi = op.domain
    for x in (lo + (hi - lo) * f for f in (0.1, 0.35, 0.6, 0.85)):
        y = getattr(Value(x), op.method)()
        want = op.forward(x) if op.param is None else op.forward(x, op.default)
        assert y.data == want, f"{op!r} at {x}: Value.{op.method} gives {y.data!r}, op.forward {want!r}"
        if op.param is not None:
            assert getattr(Value(x), op.method)(0.3).data == op.forward(x, 0.3)


def test_the_command_line_offers_every_cli_op() -> None:
    assert all(op.method for op in ops.TABLE if op.cli), "an op offered on the command line needs a method name"
    wanted = {str(op.method): op for op in ops.TABLE if op.cli}
    missing = sorted(name for name in wanted if name not in FUNCTIONS)
    assert missing == [], f"cli=True ops missing from autograd/cli/expr.py FUNCTIONS: {missing}"
    assert all(FUNCTIONS[name] is op for name, op in wanted.items())


@pytest.mark.parametrize("op", [op for op in ops.TABLE if op.cli], ids=lambda op: str(op.method))
def test_every_cli_function_builds_its_op(op: ops.Op) -> None:
    x = 0.5 * (op.domain[0] + op.domain[1]) + 0.1
    y = evaluate(parse_expression(f"{op.method}(x)"), {"x": Value(x)})
    assert isinstance(y, Value) and y.operation is op


@pytest.mark.parametrize("case", CASES, ids=str)
def test_a_drawing_labels_every_op_with_its_description(case: Case) -> None:
    y = case.build(*[Value(p, label=f"in{i}") for i, p in enumerate(case.points[0])])
    assert y.operation is case.op
    label = case.op.describe(constant_of(y))
    assert f"label=<{html_text(label)}>" in draw_dot(y).source, f"{case}: the drawing lacks the op label {label!r}"


@EACH_METHOD
def test_each_value_method_is_written_out_and_names_its_op(op: ops.Op) -> None:
    """``Value.tanh??`` shows tanh: the method is defined in the class body and its source names its entry."""
    import inspect

    assert op.method is not None
    method = vars(Value).get(op.method)
    assert method is not None and method.__qualname__ == f"Value.{op.method}", op.method
    entry = next(name for name, v in vars(ops).items() if v is op and name.isupper())
    assert f"ops.{entry}" in inspect.getsource(method), (op.method, entry)


def test_value_has_no_catch_all_attribute_for_the_type_checker() -> None:
    """No ``__getattr__`` stub: a misspelt method (``v.tanhh()``) is an error for mypy as for Python."""
    assert "__getattr__" not in vars(Value)
    with pytest.raises(AttributeError):
        Value(1.0).tanhh()  # type: ignore[attr-defined]
