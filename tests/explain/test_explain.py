"""explain(y): the steps are backward()'s own, bit for bit, with the op table's formulas and the note's names.

Oracles: central differences for each local derivative, nn.delta (the delta rule written out on
floats) for the note's δ_k and δ_j, and the running sums recomputed here from the steps' numbers.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

import pytest

import autograd
import nn
from autograd import Value, ops
from autograd.custom import op
from autograd.explain import ExplainError, Explanation, explain
from autograd.explain.names import fmt
from nn import delta, losses
from tests.support.op_cases import CASES as SHARED_CASES

# (op, f, inputs): f's output node is made by op, from the shared cases (tests/op_cases.py), at the
# first of each case's sample points that sits away from the op's kink.
CASES: list[tuple[ops.Op, Callable[..., Any], list[float]]] = [
    (c.op, c.build, list(next(p for p in c.points if c.op.kink is None or all(x != 0.0 for x in p))))
    for c in SHARED_CASES
]


def test_every_table_op_has_a_case() -> None:
    assert {id(c[0]) for c in CASES} == {id(op) for op in ops.TABLE}


def _check_sums(ex: Explanation, before: dict[Value, float]) -> None:
    """Adding each parent's contributions in step order, from its start, gives its .grad exactly."""
    running = dict(before)
    for s in ex:
        assert s.before == running.get(s.parent, 0.0)
        running[s.parent] = s.before if s.skipped else s.before + s.upstream * s.local  # type: ignore[operator]
        assert running[s.parent] == s.total
    for p, g in running.items():
        assert p.grad == g and math.copysign(1.0, p.grad) == math.copysign(1.0, g)


@pytest.mark.parametrize("case", CASES, ids=[c[0].name + str(i) for i, c in enumerate(CASES)])
def test_each_op_step_is_backwards_and_its_local_is_the_derivative(case: tuple[Any, Any, list[float]]) -> None:
    op, f, xs = case
    leaves = [Value(x, label=f"x{i}") for i, x in enumerate(xs)]
    y = f(*leaves)
    assert y.operation is op
    root = y * 1.0
    ex = explain(root)
    _check_sums(ex, {v: 0.0 for v in leaves})
    steps = [s for s in ex if s.node is y]
    assert [s.parent for s in sorted(steps, key=lambda s: s.position)] == leaves
    for s in steps:
        h = 1e-6
        up = [x + (h if i == s.position else 0.0) for i, x in enumerate(xs)]
        down = [x - (h if i == s.position else 0.0) for i, x in enumerate(xs)]
        numeric = (f(*map(Value, up)).data - f(*map(Value, down)).data) / (2 * h)
        assert s.local == pytest.approx(numeric, rel=1e-6, abs=1e-8)
        assert s.formula.split(": ", 1)[1] in op.formula and s.formula  # the table's text for this edge
        assert s.local is not None and s.contribution == s.upstream * s.local


def test_a_plus_a_gives_two_steps_and_leaves_accumulate() -> None:
    a = Value(3.0, label="a")
    a.grad = 0.25  # from an earlier backward(): leaves accumulate
    y = a + a
    ex = explain(y)
    assert [(s.parent, s.before, s.contribution, s.total) for s in ex] == [(a, 0.25, 1.0, 1.25), (a, 1.25, 1.0, 2.25)]
    assert a.grad == 2.25


def test_a_reused_node_receives_from_every_consumer_before_passing_on() -> None:
    x = Value(0.5, label="x")
    b = (x * 2.0).tanh()
    b.label = "b"
    y = b * b + b.exp() + b
    ex = explain(y)
    into = [s.index for s in ex if s.parent is b]
    out = [s.index for s in ex if s.node is b]
    assert len(into) == 4 and max(into) < min(out)
    assert ex.of(b)[-1].total == b.grad
    assert "∂L/∂b += ∂L/∂v" in str(ex) or "∂L/∂b +=" in str(ex)


def test_printed_in_the_notes_notation_with_the_tables_formula() -> None:
    x = Value(0.5, label="x")
    z = x * 2.0
    z.label = "z"
    y = z.tanh()
    y.label = "E"
    ex = explain(y)
    first = str(ex[0])
    assert first.startswith(f"∂E/∂z += ∂E/∂E · ∂E/∂z = ({fmt(1.0)}) · {fmt(1 - math.tanh(1.0) ** 2)}")
    assert "[tanh: 1 − E²]" in first and f"(z.grad now {fmt(z.grad)})" in first  # y of the table is E here
    assert ex[0].formula == "tanh: 1 − y²"  # the table's own text stays on the step
    assert str(ex).splitlines()[0].startswith("backward() from E")


def test_the_rule_names_the_operands_by_their_nodes() -> None:
    """A bias called b must not be confused with the b of the table's ∂y/∂a = b."""
    w, b, x = Value(-3.0, label="w"), Value(0.5, label="b"), Value(2.0, label="x")
    y = w * b + x * b  # b is an operand of both products, and the table calls the second input b too
    ex = explain(y)
    rules = {(s.node_name, s.parent_name): s.rule for s in ex}
    assert rules[("v2", "w")] == "*: ∂v2/∂w = b" and rules[("v2", "b")] == "*: ∂v2/∂b = w"
    assert rules[("v4", "x")] == "*: ∂v4/∂x = b" and rules[("v4", "b")] == "*: ∂v4/∂b = x"
    assert rules[("L", "v2")] == "+: ∂L/∂v2 = 1"
    for s in ex:  # the named rule, evaluated by hand, is the local derivative the step used
        if s.node_name in ("v2", "v4"):
            other = {"w": b, "x": b, "b": w if s.node_name == "v2" else x}[s.parent_name]
            assert s.local == other.data
    aa = Value(1.5, label="a")
    assert [s.rule for s in explain(aa * aa)] == ["*: ∂L/∂a = a"] * 2  # a·a: each a's derivative is the other a


@pytest.mark.parametrize("precision", [2, 4, 8])
def test_precision_is_a_parameter_and_small_numbers_never_print_as_zero(precision: int) -> None:
    x = Value(1e-3, label="x")
    y = (x * 4.565e-5).tanh()
    ex = explain(y, precision=precision)
    text = str(ex)
    shown = ex[-1].fmt(ex[-1].local or 0.0)  # ∂v1/∂x = 4.565e-05
    assert f"· {shown} =" in text
    assert abs(float(shown.replace("−", "-")) - 4.565e-5) <= 0.02 * 4.565e-5  # never 0.0000
    assert explain(y).fmt(4.565e-5) == "4.565e−05" and explain(y).fmt(-0.032) == "−0.0320"
    assert ex.fmt(0.5) == f"{0.5:.{precision}f}"
    for bad in (0, 18, 2.5, True, "4"):
        with pytest.raises(ValueError, match="precision"):
            explain(y, precision=bad)  # type: ignore[arg-type]


def test_latex_and_markdown_for_slides_are_safe_for_pdflatex() -> None:
    a = Value(2.0, label="a_{1}$%#&~^\\ <é> δ")  # every LaTeX special character, non-ASCII, a backslash
    y = (a * Value(3.0, label="z_j0")).tanh()
    y.label = "E"
    ex = explain(y)
    tex = ex.latex()
    assert tex.startswith("\\begin{align*}") and tex.rstrip().endswith("\\end{align*}")
    assert all(ord(ch) < 128 for ch in tex)  # pdflatex without inputenc tricks
    body = tex.replace("\\\\", "")
    depth = 0
    for ch in re.sub(r"\\[{}$%#&_]", "", body):  # escaped braces do not count
        depth += {"{": 1, "}": -1}.get(ch, 0)
        assert depth >= 0
    assert depth == 0
    unaligned = re.sub(r"^  &", "", body, flags=re.M)  # align*'s own column marker starts each line
    for special in "$%#&":
        assert re.search(rf"(?<!\\){re.escape(special)}", unaligned) is None, special
    assert "z_{j0}" in tex and "\\delta" in tex and "?" in tex  # é has no glyph: '?'
    assert "\\frac{\\partial E}{\\partial z_{j0}}" in tex
    md = ex.markdown()
    math_only = re.sub(r"`[^`]*`", "", md).replace("\\$", "")  # the rules are code spans; \\$ is a dollar sign
    assert math_only.count("$") == 2 * len(ex) and md.splitlines()[2].startswith("1. $")


def test_the_notes_network_names_parameters_and_its_deltas_match_the_delta_rule() -> None:
    model = nn.note_model()
    X, T = nn.note_example()
    trace = delta.trace(delta.Net.of(model), X[0], T[0])  # before backward: the oracle reads the weights
    E = losses.half_sse(model(X[0]), T[0])
    ex = explain(E, names=model)
    assert ex.deltas["δ_k"] == pytest.approx(trace.delta[1][0], rel=1e-12)
    assert ex.deltas["δ_j0"] == pytest.approx(trace.delta[0][0], rel=1e-12)
    assert ex.deltas["δ_j1"] == pytest.approx(trace.delta[0][1], rel=1e-12)
    bias = next(s for s in ex if s.parent is model.layers[1].neurons[0].b)
    assert str(bias).startswith("∂E/∂layers.1.neurons.0.b += ∂E/∂z_k · ∂z_k/∂layers.1.neurons.0.b")
    assert "δ_k = −∂E/∂z_k" in str(bias)
    _check_sums(ex, {p: 0.0 for p in model.parameters()})


def test_a_linear_node_with_zero_upstream_is_shown_as_skipped_and_still_matches() -> None:
    w, x, b = Value(0.5), Value(2.0), Value(0.1)
    y = autograd.dot([w], [x], b) * 0.0
    ex = explain(y)
    skipped = [s for s in ex if s.skipped]
    assert len(skipped) == 3 and all("skips" in s.note for s in skipped)
    assert w.grad == 0.0 and x.grad == 0.0


def _micrograd_mul(a: Value, b: Value, overwrite: bool) -> Value:
    out = Value(a.data * b.data, (a, b), "*")

    def _backward() -> None:
        if overwrite:  # the classic bug
            a.grad = b.data * out.grad
            b.grad = a.data * out.grad
        else:
            a.grad += b.data * out.grad
            b.grad += a.data * out.grad

    out._backward = _backward
    return out


def test_a_closure_shows_its_effect_and_the_equals_bug_is_caught() -> None:
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    y = _micrograd_mul(a, b, overwrite=False) + a
    ex = explain(y)
    closure = [s for s in ex if s.closure]
    assert len(closure) == 2 and all(s.local is None and not s.note for s in closure)
    assert "only its effect can be shown" in str(closure[0])
    assert a.grad == -3.0 + 1.0
    a2, b2 = Value(2.0, label="a"), Value(-3.0, label="b")
    bad = explain(a2 + _micrograd_mul(a2, b2, overwrite=True))  # a2 gets 1 from +, then the closure overwrites it
    note = next(s.note for s in bad if s.closure and s.parent is a2)
    assert "REPLACED" in note and "+=" in note
    assert a2.grad == -3.0  # the lost contribution, made visible: 1 − 3 would be −2


def test_a_closure_writing_outside_its_parents_is_refused() -> None:
    a, c = Value(2.0, label="a"), Value(1.0, label="c")
    out = Value(a.data, (a,), "id")

    def _backward() -> None:
        a.grad += out.grad
        c.grad += 1.0  # c is in the graph but not out's parent

    out._backward = _backward
    y = out * c
    with pytest.raises(ExplainError, match="replaying backward"):
        explain(y)


def test_html_table_is_escaped_and_bad_input_is_named() -> None:
    a = Value(1.0, label="<script>alert(1)</script>")
    ex = explain(a * 2.0)
    page = ex._repr_html_()
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    with pytest.raises(TypeError, match="explain: expected a Value"):
        explain(1.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"explain\(names=...\)"):
        explain(a * 2.0, names=3)


def test_a_leaf_root_has_no_steps() -> None:
    a = Value(2.0)
    assert len(explain(a)) == 0 and a.grad == 1.0


def test_a_user_defined_op_shows_its_formula_or_says_it_has_none() -> None:
    @op("cube")
    def cube(x: float) -> float:
        """y = x³"""
        return x * x * x

    cube.derivative(lambda x: 3.0 * x * x)  # f′ = 3x²

    a = Value(1.5, label="a")
    ex = explain(cube(a) * 2.0)
    step = next(s for s in ex if s.parent is a)
    assert step.local == 3.0 * 1.5**2 and a.grad == 2.0 * 3.0 * 1.5**2
    assert step.formula == (f"cube: {cube.formula}" if cube.formula else "cube: (no formula given)")


def test_a_layer_from_dense_with_shared_inputs_matches_backward() -> None:
    model = nn.MLP(3, [4, 4, 1], "tanh", seed=3)
    xs = [Value(v, label=f"x{i}") for i, v in enumerate([0.3, -1.2, 0.8])]
    out = model(xs)
    root = losses.half_sse(out, 0.5)
    ex = explain(root, names=model)
    _check_sums(ex, {v: 0.0 for v in [*model.parameters(), *xs]})
    assert set(ex.deltas) == {f"δ_[L{L}.n{j}]" for L, n in ((0, 4), (1, 4), (2, 1)) for j in range(n)}


def test_a_node_without_a_rule_is_named_as_backward_names_it() -> None:
    a = Value(2.0, label="a")
    y = Value(4.0, (a,), "mystery") * 3.0
    with pytest.raises(autograd.backprop.MissingDerivativeError, match="'mystery'"):
        explain(y)
