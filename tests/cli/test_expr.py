"""The command line's expression parser: the whitelist, the limits, and the graphs it builds.

Values and gradients are checked against hand-written formulas, central differences and sympy.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import Value, ops
from autograd.cli.expr import MAX_DEPTH, MAX_LENGTH, Expression, ExpressionError, evaluate, parse_expression
from autograd.graph import constant_of
from tests.support.numeric import central_difference
from tests.support.op_cases import ORACLES

ROOT = Path(__file__).resolve().parents[2]


def run(text: str, **values: float) -> tuple[Value, dict[str, Value]]:
    expr = parse_expression(text)
    leaves = {name: Value(values[name], label=name) for name in expr.variables}
    out = evaluate(expr, leaves)
    assert isinstance(out, Value)
    out.backward()
    return out, leaves


def central(text: str, name: str, h: float = 1e-6, **values: float) -> float:
    """(f(v + h) − f(v − h)) / 2h, computing f with the parser."""
    def f(v: float) -> float:
        out, _ = run(text, **{**values, name: v})
        return out.data
    return central_difference(f, values[name], h)


def test_a_neuron_value_and_gradients_by_formula() -> None:
    x, w, b = 1.5, -0.5, 0.1
    out, leaves = run("tanh(x*w + b)", x=x, w=w, b=b)
    z = x * w + b
    assert out.data == pytest.approx(math.tanh(z), rel=1e-12)
    # y = tanh(z): ∂y/∂x = w(1 − y²), ∂y/∂w = x(1 − y²), ∂y/∂b = 1 − y²
    d = 1 - math.tanh(z) ** 2
    assert leaves["x"].grad == pytest.approx(w * d, rel=1e-12)
    assert leaves["w"].grad == pytest.approx(x * d, rel=1e-12)
    assert leaves["b"].grad == pytest.approx(d, rel=1e-12)
    assert leaves["x"].grad == pytest.approx(central("tanh(x*w + b)", "x", x=x, w=w, b=b), rel=1e-6)


# Every function the command line offers (each op of the table with cli=True), with its forward
# and derivative from the hand-written oracles of tests/op_cases.py, then operators written here.
CLI_CALLS = [(f"{op.method}(x)", op, op.default) for op in ops.TABLE if op.cli] + [("leaky_relu(x, 0.2)",
                                                                                     ops.LEAKY_RELU, 0.2)]


def from_oracle(op: ops.Op, c: float | None) -> tuple[Callable[[float], float], Callable[[float], float]]:
    oracle = ORACLES[op]
    return (lambda x: oracle.f(x, c)), (lambda x: oracle.d1(x, c)[0])


@pytest.mark.parametrize(("text", "f", "df"), [(text, *from_oracle(op, c)) for text, op, c in CLI_CALLS] + [
    ("-x ** 3 / 2", lambda x: -(x ** 3) / 2, lambda x: -1.5 * x * x),
    ("2 ** x - x", lambda x: 2 ** x - x, lambda x: 2 ** x * math.log(2) - 1),
    ("1 / (x + 1)", lambda x: 1 / (x + 1), lambda x: -1 / (x + 1) ** 2),
    ("+x * (3 - x)", lambda x: x * (3 - x), lambda x: 3 - 2 * x),
])
@pytest.mark.parametrize("x", [0.7, 2.5])
def test_functions_and_operators(text: str, f: object, df: object, x: float) -> None:
    out, leaves = run(text, x=x)
    assert out.data == pytest.approx(f(x), rel=1e-12)  # type: ignore[operator]
    assert leaves["x"].grad == pytest.approx(df(x), rel=1e-9)  # type: ignore[operator]
    assert leaves["x"].grad == pytest.approx(central(text, "x", x=x), rel=1e-5, abs=1e-8)


def _sympy_of(op: ops.Op) -> Callable[[Any], Any]:
    return lambda e: ORACLES[op].sym(e, op.default)


# The command line's functions that are smooth on all reals (no kink, no positive-only domain).
SAFE_FUNCS = {str(op.method): _sympy_of(op) for op in ops.TABLE if op.cli and op.kink is None and op.domain[0] <= 0}
SYMS = {name: sp.Symbol(name) for name in ("x", "y", "z")}


def _expressions() -> st.SearchStrategy[tuple[str, sp.Expr]]:
    leaf = st.one_of(
        st.sampled_from(sorted(SYMS)).map(lambda n: (n, SYMS[n])),
        st.integers(1, 5).map(lambda k: (str(k), sp.Integer(k))),
        st.sampled_from(["0.5", "1.25", "2e-1"]).map(lambda t: (t, sp.Rational(str(float(t))))),
    )

    def grow(kids: st.SearchStrategy[tuple[str, sp.Expr]]) -> st.SearchStrategy[tuple[str, sp.Expr]]:
        def binary(op: str, a: tuple[str, sp.Expr], b: tuple[str, sp.Expr]) -> tuple[str, sp.Expr]:
            if op == "/":  # keep the denominator away from 0
                return f"({a[0]}) / (({b[0]})**2 + 1)", a[1] / (b[1] ** 2 + 1)
            if op == "**":
                return f"({a[0]}) ** 2", a[1] ** 2
            sym = {"+": a[1] + b[1], "-": a[1] - b[1], "*": a[1] * b[1]}[op]
            return f"({a[0]}) {op} ({b[0]})", sym

        return st.one_of(
            st.builds(binary, st.sampled_from(["+", "-", "*", "/", "**"]), kids, kids),
            st.builds(lambda f, a: (f"{f}({a[0]})", SAFE_FUNCS[f](a[1])), st.sampled_from(sorted(SAFE_FUNCS)), kids),
            kids.map(lambda a: (f"-({a[0]})", -a[1])),
        )

    return st.recursive(leaf, grow, max_leaves=8)


@settings(max_examples=60, deadline=None)
@given(_expressions(), st.lists(st.floats(-1.0, 1.0), min_size=3, max_size=3))
def test_random_expressions_match_sympy(pair: tuple[str, sp.Expr], point: list[float]) -> None:
    text, symbolic = pair
    env = dict(zip(sorted(SYMS), point, strict=True))
    expr = parse_expression(text)
    leaves = {name: Value(env[name], label=name) for name in expr.variables}
    out = evaluate(expr, leaves)
    subs = {SYMS[n]: sp.Float(v, 30) for n, v in env.items()}
    assert float(out if isinstance(out, float) else out.data) == pytest.approx(
        float(symbolic.evalf(30, subs=subs)), rel=1e-9, abs=1e-12)
    if isinstance(out, Value):
        out.backward()
        for name, leaf in leaves.items():
            expected = float(sp.diff(symbolic, SYMS[name]).evalf(30, subs=subs))
            assert leaf.grad == pytest.approx(expected, rel=1e-7, abs=1e-9), (text, name)
    assert {s.name for s in symbolic.free_symbols} <= set(expr.variables)  # sympy may cancel x - x


def test_variables_in_order_of_appearance_and_one_leaf_each() -> None:
    expr = parse_expression("b*a + a - exp(b) + c")
    assert expr.variables == ("b", "a", "c")
    _, leaves = run("a*a + a", a=3.0)
    assert leaves["a"].grad == 2 * 3.0 + 1  # ∂(a² + a)/∂a = 2a + 1: both uses reach the same leaf


def test_constants_are_folded_and_recorded_as_op_constants() -> None:
    out, _ = run("2*3 + x", x=1.0)
    assert out.operation is ops.ADD_C and constant_of(out) == 6.0 and out._prev[0].label == "x"
    out, _ = run("x * 2", x=1.0)
    assert out.operation is ops.MUL_C and constant_of(out) == 2.0
    out, _ = run("x - y", x=1.0, y=2.0)
    assert out.operation is ops.SUB
    out, _ = run("-x", x=1.0)
    assert out.operation is ops.NEG
    constant = evaluate(parse_expression("2**10 - 24"), {})
    assert constant == 1000.0 and isinstance(constant, float)


@pytest.mark.parametrize(("text", "message"), [
    ("x.real", "attribute access"),
    ("math.exp(x)", "attribute access"),
    ("x[0]", "subscripts"),
    ("__import__('os').system('true')", "attribute access"),
    ("__import__('os')", "unknown function '__import__'"),
    ("open('f')", "unknown function 'open'"),
    ("eval('1')", "unknown function 'eval'"),
    ("exp(x=1)", "keyword arguments"),
    ("exp(*x)", "starred"),
    ("exp(x, y)", "takes 1 argument"),
    ("leaky_relu(x, y)", "slope must be a number"),
    ("leaky_relu()", "1 or 2 arguments"),
    ("import os", "statements such as import"),
    ("x = 1", "statements such as import"),
    ("x; y", "statements such as import"),
    ("lambda: 1", "lambda"),
    ("[i for i in x]", "comprehensions"),
    ("(i for i in x)", "comprehensions"),
    ("'text'", "strings are not allowed"),
    ("f'{x}'", "strings are not allowed"),
    ("b'x'", "strings are not allowed"),
    ("None", "None is not allowed"),
    ("True + x", "True is not allowed"),
    ("1j * x", "1j is not allowed"),
    ("x if y else z", "conditional"),
    ("x < y", "comparisons"),
    ("x and y", "and/or"),
    ("not x", "unary operator Not"),
    ("~x", "unary operator Invert"),
    ("x // 2", "operator //"),
    ("x % 2", "operator %"),
    ("x @ y", "operator @"),
    ("(y := x)", "assignment expressions"),
    ("[x, y]", "lists"),
    ("exp", "exp is a function"),
    ("1e400 * x", "too large for a float"),
    ("9" * 400 + " * x", "too large for a float"),
    ("", "empty"),
    ("   ", "empty"),
    ("x +", "not a valid expression"),
    ("x\x00", "null bytes"),
    ("x" * (MAX_LENGTH + 1), f"limit is {MAX_LENGTH}"),
    ("-" * (MAX_DEPTH + 5) + "x", f"limit is {MAX_DEPTH}"),
    ("+".join(["x"] * (MAX_DEPTH + 5)), f"limit is {MAX_DEPTH}"),
    ("exp(" * 250 + "x" + ")" * 250, "nested"),
])
def test_rejected_with_a_clear_message(text: str, message: str) -> None:
    with pytest.raises(ExpressionError, match=message.replace("(", r"\(").replace("*", r"\*")):
        parse_expression(text) if "slope" not in message else evaluate(
            parse_expression(text), {"x": Value(1.0), "y": Value(2.0)})


def test_towers_are_refused_only_when_they_overflow() -> None:
    assert evaluate(parse_expression("2**2**2**2"), {}) == 65536.0
    assert evaluate(parse_expression("1**1**1**1**1"), {}) == 1.0  # a tower is refused only when it overflows
    with pytest.raises(ExpressionError, match=r"2.0 \*\* 65536.0 does not fit in a float"):
        evaluate(parse_expression("2**2**2**2**2"), {})
    with pytest.raises(ExpressionError, match="does not fit in a float"):
        evaluate(parse_expression("10**400"), {})
    with pytest.raises(ExpressionError, match="does not fit in a float"):
        evaluate(parse_expression("1e308 * 10"), {})


@pytest.mark.parametrize(("text", "values", "message", "column"), [
    ("log(x)", {"x": -1.0}, "log is only defined", 0),
    ("1 + x/0", {"x": 1.0}, "division of 1.0 by zero", 5),
    ("sqrt(x - 4)", {"x": 1.0}, "sqrt is only defined", 0),
    ("2/0", {}, "division of 2.0 by zero", 1),
])
def test_domain_errors_point_at_the_operation(text: str, values: dict[str, float], message: str,
                                              column: int) -> None:
    with pytest.raises(ExpressionError, match=message) as e:
        evaluate(parse_expression(text), {k: Value(v, label=k) for k, v in values.items()})
    assert e.value.col == column
    assert e.value.pointer() == f"{text}\n{' ' * column}^"


def test_long_sums_and_deep_nesting_within_the_limits_work() -> None:
    names = [f"x{i}" for i in range(150)]
    out, leaves = run(" + ".join(f"{n}*{n}" for n in names), **{n: i / 10 for i, n in enumerate(names)})
    assert out.data == pytest.approx(sum((i / 10) ** 2 for i in range(150)))
    assert all(leaves[n].grad == pytest.approx(2 * i / 10) for i, n in enumerate(names))  # ∂(Σ x_i²)/∂x_i = 2x_i
    out, leaves = run("-" * (MAX_DEPTH - 5) + "x", x=2.0)
    assert (out.data, leaves["x"].grad) == (2.0 if (MAX_DEPTH - 5) % 2 == 0 else -2.0, out.data / 2.0)


def test_missing_variable() -> None:
    with pytest.raises(ExpressionError, match="no value for variable"):
        evaluate(parse_expression("x + y"), {"x": Value(1.0)})


def test_identifiers_are_normalized_as_python_does() -> None:
    assert parse_expression("ﬁ + 1").variables == ("fi",)  # NFKC, so --set must normalize too


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=80), st.text(alphabet="xyz0123456789.+-*/()[]'\"_ ,:;=<>!@%^&|~ abcdefghijklmnop",
                                               max_size=60)))
def test_any_text_is_parsed_or_rejected_never_crashes(text: str) -> None:
    try:
        expr = parse_expression(text)
    except ExpressionError:
        return
    assert isinstance(expr, Expression)
    try:
        evaluate(expr, {name: Value(0.5, label=name) for name in expr.variables})
    except ExpressionError:
        pass


def test_no_eval_exec_or_compile_in_the_parser_or_the_cli() -> None:
    for module in ("cli/expr.py", "cli/__init__.py"):
        tree = ast.parse((ROOT / "autograd" / module).read_text(encoding="utf-8"))
        names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
        attrs = {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
        assert not ({"eval", "exec", "compile", "__import__"} & (names | attrs)), module
