"""check_graph and gradcheck's node check: the first wrong node is named, for Op and closure nodes."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
from autograd import Op, Value, no_grad, walk
from autograd.checking import GradcheckError, fmt, gradcheck
from autograd.checking.nodes import NodeReport, check_graph, describe_node, expression
from autograd.checking.replay import least_squares
from autograd.graph import topological_order
from tests.support.op_cases import EACH_CASE, Case

SETTINGS = settings(max_examples=15, deadline=None)


@EACH_CASE
@SETTINGS
@given(data=st.data())
def test_check_graph_passes_on_every_builtin_op(case: Case, data: st.DataObject) -> None:
    op, f = case.op, case.build
    xs = [Value(data.draw(s), label=f"x{i}") for i, s in enumerate(case.strategies())]
    root = f(*xs)
    report = check_graph(root)
    assert isinstance(report, NodeReport) and [c.status for c in report.checks] == ["ok"]
    assert report.checks[0].node.operation is op


def test_check_graph_leaves_every_grad_as_it_was() -> None:
    x, y = Value(0.5, "x"), Value(-2.0, "y")
    loss = ((x * y).tanh() + x.exp()) * y
    loss.backward()
    before = {v: v.grad for v in walk(loss)}
    assert check_graph(loss)
    assert {v: v.grad for v in walk(loss)} == before


# ---------------------------------------------------------------------------------------------
# Op nodes with a broken local derivative.

AT_OUTPUT = Op("bad_sigmoid", lambda x: 1.0 / (1.0 + math.exp(-x)), lambda x, y, c: x * (1.0 - x))  # y(1 − y)
WRONG_SIGN = Op("bad_cos", math.cos, lambda x, y, c: math.sin(x))  # should be −sin x
SWAPPED = Op("bad_div", lambda a, b: a / b, lambda a, b, y, c: (-y / b, 1.0 / b), arity=2)  # (1/b, −a/b²)


def test_check_graph_names_a_derivative_taken_at_the_output() -> None:
    x = Value(0.8, "x")
    h = AT_OUTPUT(x * 2.0)
    h.label = "h"
    with pytest.raises(GradcheckError) as info:
        check_graph(h + 1.0)
    text = str(info.value)
    # σ′(z) = σ(z)(1 − σ(z)) at z = 1.6; the broken op computed z(1 − z)
    s = 1.0 / (1.0 + math.exp(-1.6))
    assert "1 of the 3 operations (4 nodes) has a wrong backward step" in text
    assert "First wrong node (3 of 4, counting from the inputs): bad_sigmoid at (x * 2)=1.6 (node 'h')" in text
    assert f"∂/∂(x * 2): expected {fmt(s * (1 - s))}, recorded {fmt(1.6 * (1 - 1.6))}" in text
    assert info.value.node.node is h


def test_check_graph_names_each_parent_of_a_binary_op() -> None:
    a, b = Value(3.0, "a"), Value(2.0, "b")
    with pytest.raises(GradcheckError) as info:
        check_graph(SWAPPED(a, b))
    text = str(info.value)
    # y = a/b: ∂y/∂a = 1/b = 0.5, ∂y/∂b = −a/b² = −0.75
    assert "∂/∂a: expected 0.5, recorded -0.75" in text
    assert "∂/∂b: expected -0.75, recorded 0.5" in text


def test_the_first_wrong_node_is_the_one_nearest_the_inputs() -> None:
    x = Value(0.3, "x")
    inner = WRONG_SIGN(x)
    inner.label = "inner"
    outer = AT_OUTPUT(inner)
    with pytest.raises(GradcheckError) as info:
        check_graph(outer)
    assert info.value.node.node is inner
    assert "2 of the 2 operations (3 nodes) have a wrong backward step" in str(info.value)
    # the table lists both
    assert "bad_cos at x=0.3" in str(info.value) and "bad_sigmoid at inner=" in str(info.value)


def test_a_node_without_a_derivative_rule_is_named() -> None:
    x = Value(2.0, "x")
    y = Value(4.0, (x,), "mystery")
    with pytest.raises(GradcheckError, match="it has parents but no derivative rule"):
        check_graph(y)


def test_a_kink_node_passes_as_a_kink() -> None:
    x = Value(0.0, "x")
    report = check_graph(x.relu() * 3.0)
    assert [c.status for c in report.checks] == ["kink", "ok"]


def test_check_graph_works_inside_no_grad() -> None:
    x = Value(1.5, "x")
    root = x.sin() * x
    with no_grad():
        assert check_graph(root)


def test_check_graph_of_a_non_value_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="check_graph: root must be a Value"):
        check_graph(1.0)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# micrograd-style closure nodes: out._backward = closure.


def closure_tanh(x: Value, bug: str = "") -> Value:
    """y = tanh x with a hand-written backward step; f′ = 1 − y². ``bug`` breaks it the classic ways."""
    t = math.tanh(x.data)
    out = Value(t, (x,), "my_tanh")

    def _backward() -> None:
        if bug == "=":
            x.grad = out.grad * (1 - t * t)
        elif bug == "no out.grad":
            x.grad += 1 - t * t
        elif bug == "at x":
            x.grad += out.grad * (1 - x.data**2)
        elif bug == "wrong node":
            out.grad += out.grad * (1 - t * t)
        else:
            x.grad += out.grad * (1 - t * t)

    out._backward = _backward
    return out


def closure_mul(a: Value, b: Value, bug: str = "") -> Value:
    """y = a·b with a hand-written step: ∂y/∂a = b, ∂y/∂b = a (``bug``: both get a)."""
    out = Value(a.data * b.data, (a, b), "my_mul")

    def _backward() -> None:
        a.grad += (a.data if bug else b.data) * out.grad
        b.grad += a.data * out.grad

    out._backward = _backward
    return out


def test_a_correct_closure_node_passes() -> None:
    x = Value(0.7, "x")
    report = check_graph(closure_tanh(x) * 2.0)
    assert [c.status for c in report.checks] == ["ok", "ok"]
    # its recorded local derivative is 1 − tanh² x; without f its expected one is unknown
    assert report.checks[0].recorded == pytest.approx([1 - math.tanh(0.7) ** 2])
    assert report.checks[0].expected == [None]
    assert gradcheck(lambda x, y: closure_mul(closure_tanh(x), y) + x, [0.7, -1.2])


@pytest.mark.parametrize(
    ("bug", "words"),
    [
        ("=", "does not add into the grad of x=0.7: starting from 0.5 it left {r} instead of {s}"),
        ("no out.grad", "does not scale with the upstream gradient out.grad"),
        ("wrong node", "also changed the grad of my_tanh at x=0.7, which is not among its parents"),
    ],
)
def test_check_graph_catches_a_broken_closure(bug: str, words: str) -> None:
    x = Value(0.7, "x")
    root = closure_tanh(x, bug) + 1.0
    root.backward()
    before = {v: v.grad for v in walk(root)}
    with pytest.raises(GradcheckError) as info:
        check_graph(root)
    d = 1 - math.tanh(0.7) ** 2  # tanh′
    assert words.format(r=fmt(d), s=fmt(0.5 + d)) in " ".join(str(info.value).split())
    assert "First wrong node (2 of 3, counting from the inputs): my_tanh at x=0.7" in str(info.value)
    assert {v: v.grad for v in walk(root)} == before  # saved and restored


@pytest.mark.parametrize("bug", ["=", "no out.grad", "at x"])
def test_gradcheck_names_a_broken_closure_with_its_expected_value(bug: str) -> None:
    # f = 3·my_tanh(x) + x: ∂f/∂x = 3(1 − tanh² x) + 1
    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda x: closure_tanh(x, bug) * 3.0 + x, [0.7])
    node = info.value.node
    assert node is not None and str(node.node._op) == "my_tanh"
    # expected: tanh′(0.7) = 1 − tanh²(0.7), read off the re-run graphs
    assert node.expected[0] == pytest.approx(1 - math.tanh(0.7) ** 2, rel=1e-6)
    if bug == "at x":
        assert node.recorded == pytest.approx([1 - 0.7**2])
        assert "its local derivative disagrees" in str(info.value)


def test_gradcheck_reads_both_local_derivatives_of_a_two_parent_closure() -> None:
    # y = a·b: ∂y/∂a = b, ∂y/∂b = a; the broken step adds a into a.grad
    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda a, b: closure_mul(a, b, bug="a"), [3.0, -2.0])
    node = info.value.node
    assert node.expected == pytest.approx([-2.0, 3.0], rel=1e-6)
    assert node.recorded == pytest.approx([3.0, 3.0])
    assert "∂/∂a: expected -2, recorded 3" in str(info.value)


def test_a_closure_that_adds_twice_into_a_repeated_parent() -> None:
    # y = x·x as my_mul(x, x): dy/dx = 2x, recorded per distinct parent
    report = check_graph(closure_mul(Value(1.5, "x"), Value(1.5, "x")))
    assert report
    x = Value(1.5, "x")
    report = check_graph(closure_mul(x, x))
    assert report.checks[0].recorded == pytest.approx([3.0])
    assert gradcheck(lambda x: closure_mul(x, x), [1.5])


# ---------------------------------------------------------------------------------------------
# The helpers.


def test_least_squares() -> None:
    # 2d1 + d2 = 4, d1 − d2 = −1, d1 + d2 = 3 → d = (1, 2)
    assert least_squares([([2.0, 1.0], 4.0), ([1.0, -1.0], -1.0), ([1.0, 1.0], 3.0)], 2) == pytest.approx([1, 2])
    assert least_squares([([2.0, 0.0], 4.0)], 2) == [pytest.approx(2.0), None]  # no input moves parent 2
    assert least_squares([([1.0, 1.0], 2.0), ([2.0, 2.0], 4.0)], 2) == [None, None]  # singular
    assert least_squares([], 1) == [None]


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 6), st.integers(0, 2**16))
def test_topological_order_puts_parents_first(n: int, seed: int) -> None:
    import random

    rng = random.Random(seed)
    nodes = [Value(rng.uniform(-1, 1), f"x{i}") for i in range(n)]
    for _ in range(8):
        a, b = rng.choice(nodes), rng.choice(nodes)
        nodes.append(a * b if rng.random() < 0.5 else a + b)
    order = topological_order(nodes[-1])
    assert len(order) == len(set(order)) == len(list(walk(nodes[-1])))
    pos = {v: i for i, v in enumerate(order)}
    assert all(pos[p] < pos[v] for v in order for p in v._prev)


def test_topological_order_of_a_deep_graph_needs_no_recursion() -> None:
    x = Value(1.0, "x")
    y = x
    for _ in range(20000):
        y = y + 1.0
    assert len(topological_order(y)) == 20001


@pytest.mark.parametrize(
    ("make", "text"),
    [
        (lambda x, y: x * y, "x * y"),
        (lambda x, y: (x * 2.0).tanh(), "tanh(x * 2)"),
        (lambda x, y: 2.0 - x**2, "2 - (x**2)"),
        (lambda x, y: autograd.dot([x], [y], 1.0), "linear(x, y, 1)"),
        (lambda x, y: ((x + y) * (x - y)) / y, "((x + y) * (x - y)) / y"),
    ],
)
def test_expression_names_a_node_by_how_it_was_made(make: Callable[[Value, Value], Value], text: str) -> None:
    assert expression(make(Value(1.0, "x"), Value(2.0, "y")), depth=3) == text


def test_describe_node() -> None:
    x = Value(0.5, "x")
    h = (x * 3.0).tanh()
    h.label = "h"
    assert describe_node(h) == "tanh at (x * 3)=1.5 (node 'h')"
    assert describe_node(x * 3.0) == "* 3 at x=0.5"


def test_a_large_graph_of_closures_is_checked_locally_and_restored() -> None:
    # over 2000 nodes a closure's writes are watched near it only (linear time); grads still restored
    y = x = Value(0.1, "x")
    for i in range(1100):
        y = closure_tanh(y, bug="wrong node" if i == 700 else "") + 0.01
    y.backward()
    before = {v: v.grad for v in walk(y)}
    with pytest.raises(GradcheckError) as info:
        check_graph(y)
    assert "also changed the grad of my_tanh" in str(info.value)
    assert info.value.node.index == 2 + 2 * 700  # x, then (my_tanh, + 0.01) per step
    assert {v: v.grad for v in walk(y)} == before
    assert x.grad == before[x]
