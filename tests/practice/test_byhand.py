"""check_by_hand / assert_by_hand: a learner's ∂L/∂v judged node by node, local vs inherited.

Oracles: gradients written as formulas on floats with ``math`` (Karpathy's lecture graph, a tanh
neuron), ``nn.delta`` (the note's δ rule on plain floats) and, for random expressions, a copy of the
graph with one op's derivative planted wrong (its ``backward()`` is what a learner with that one slip
would write down): the parent of the planted edge must be the root cause and every other wrong
number inherited.
"""

from __future__ import annotations

import math
import random
from fractions import Fraction
from typing import Any

import numpy as np
import pytest

import autograd
import autograd.testing
import nn
from autograd import Value
from autograd.byhand import ByHandError, assert_by_hand, check_by_hand
from autograd.byhand.keys import show
from autograd.custom import op
from autograd.exercises.graphs import lecture, neuron  # the same graphs the exercises grade
from nn import delta

# by hand: ∂L/∂d = f, ∂L/∂f = d, ∂L/∂e = ∂L/∂c = f, ∂L/∂a = f·b, ∂L/∂b = f·a
RIGHT = {"L": 1.0, "d": -2.0, "f": 4.0, "e": -2.0, "c": -2.0, "a": 6.0, "b": -4.0}


def neuron_by_hand() -> dict[str, float]:
    n = 2.0 * -3.0 + 0.0 * 1.0 + 6.8813735870195432
    do = 1.0
    dn = 1.0 - math.tanh(n) ** 2  # tanh′ = 1 − o²
    return {"o": do, "n": dn, "b": dn, "s": dn, "x1w1": dn, "x2w2": dn, "x1": dn * -3.0, "w1": dn * 2.0,
            "x2": dn * 1.0, "w2": dn * 0.0}


def test_all_right_passes_and_no_grad_is_touched() -> None:
    g = lecture()
    for i, v in enumerate(g.values()):
        v.grad = 7.0 + i  # sentinels: check_by_hand must leave them exactly as they were
    report = check_by_hand(g["L"], RIGHT)
    assert report and report.first_wrong is None and not report.wrong
    assert [r.name for r in report.rows] == ["L", "d", "e", "f", "c", "b", "a"]  # backward order
    assert all(report.verdict_of(k) == "right" for k in RIGHT)
    assert [v.grad for v in g.values()] == [7.0 + i for i in range(len(g))]
    assert str(report).startswith("check_by_hand: all right — 7 gradient(s)")
    assert_by_hand(g["L"], RIGHT)
    assert autograd.assert_by_hand is assert_by_hand and autograd.testing.assert_by_hand is assert_by_hand


def test_a_sign_slip_high_up_is_local_and_everything_below_inherited() -> None:
    g = lecture()
    slipped = {"L": 1.0, "d": 2.0, "f": 4.0, "e": 2.0, "c": 2.0, "a": -6.0, "b": 4.0}  # ∂L/∂d = −f written as f
    report = check_by_hand(g["L"], slipped)
    assert report.first_wrong is g["d"]
    assert report.verdict_of("d") == "local"
    assert [report.verdict_of(k) for k in ("e", "c", "a", "b")] == ["inherited"] * 4
    assert report.verdict_of("f") == "right" and report.verdict_of(g["L"]) == "right"
    text = str(report)
    assert text.splitlines()[0].startswith("check_by_hand: WRONG — root cause: ∂L/∂d")
    assert "the sign is flipped" in text and "[*: ∂y/∂a = b with y = L, a = d, b = f]" in text
    assert "Inherited (done right from your wrong numbers above): e, c, b, a" in text


def test_a_wrong_local_derivative_low_down() -> None:
    g = neuron()
    answers = neuron_by_hand()
    answers["w1"] = answers["n"] * -3.0  # ∂(x1·w1)/∂w1 taken as w1 instead of x1
    report = check_by_hand(g["o"], answers)
    assert report.first_wrong is g["w1"] and report.verdict_of("w1") == "local"
    assert [r.name for r in report.wrong] == ["w1"]
    assert "you used ∂x1w1/∂w1 = -3 where it is 2" in str(report)


def test_a_wrong_tanh_derivative_at_the_top_then_inherited() -> None:
    g = neuron()
    wrong = 1.0 - g["n"].data ** 2  # tanh′ at the input instead of 1 − o²
    answers = {"o": 1.0, "n": wrong, "s": wrong, "b": wrong, "x1w1": wrong, "w1": 2.0 * wrong, "x1": -3.0 * wrong}
    report = check_by_hand(g["o"], answers)
    assert report.first_wrong is g["n"] and report.verdict_of("n") == "local"
    assert all(report.verdict_of(k) == "inherited" for k in ("s", "b", "x1w1", "w1", "x1"))
    assert "[tanh: 1 − y²]" in str(report)


def test_fan_out_sums_the_learners_numbers_of_every_consumer() -> None:
    x = Value(0.5, label="x")
    u = x * x
    u.label = "u"
    t = x.tanh()
    t.label = "t"
    y = u + t
    y.label = "y"
    true_x = 2 * 0.5 + (1 - math.tanh(0.5) ** 2)
    assert check_by_hand(y, {"x": true_x}).passed
    forgot = check_by_hand(y, {"x": 2 * 0.5})  # only the path through u
    assert forgot.verdict_of("x") == "local" and "the term through t is missing" in str(forgot)
    # a wrong ∂y/∂t carried correctly into x through the sum: inherited
    report = check_by_hand(y, {"t": 2.0, "x": 2 * 0.5 + 2.0 * (1 - math.tanh(0.5) ** 2)})
    assert report.verdict_of("t") == "local" and report.verdict_of("x") == "inherited"
    # a wrong ∂y/∂t and a wrong sum into x on top of it: x's own step is wrong too
    report = check_by_hand(y, {"t": 2.0, "x": true_x})
    assert report.verdict_of("x") == "right"
    report = check_by_hand(y, {"t": 2.0, "x": 5.0})
    assert report.verdict_of("x") == "local" and "Also wrong in their own step: x" in str(report)


def test_a_reused_node_a_plus_a() -> None:
    a = Value(3.0, label="a")
    b = a + a
    b.label = "b"
    assert check_by_hand(b, {"a": 2.0}).passed
    once = check_by_hand(b, {"a": 1.0})
    assert once.verdict_of("a") == "local" and "you kept only the path through b" in str(once)


def test_nodes_not_given_count_with_their_true_numbers() -> None:
    g = lecture()
    report = check_by_hand(g["L"], {"a": 6.0, "b": -4.0})
    assert report.passed
    report = check_by_hand(g["L"], {"a": -6.0})
    assert report.verdict_of("a") == "local" and "true, you gave none" in str(report)


def test_the_seed_itself() -> None:
    g = lecture()
    report = check_by_hand(g["L"], {"L": 0.0, "d": 0.0})
    assert report.first_wrong is g["L"] and report.verdict_of("L") == "local"
    assert report.verdict_of("d") == "inherited" and "is the seed: 1" in str(report)


def test_forward_values_local_and_inherited() -> None:
    g = lecture()
    report = check_by_hand(g["L"], {"d": -2.0}, values={"e": 6.0, "d": 16.0, "L": -32.0})
    assert report.value_verdict_of("e") == "local"  # 2·(−3) is −6
    assert report.value_verdict_of("d") == "inherited" and report.value_verdict_of("L") == "inherited"
    assert report.first_wrong_value is g["e"] and report.first_wrong is None and not report
    assert "first wrong forward value: e" in str(report).splitlines()[0]
    ok = check_by_hand(g["L"], {"d": -2.0}, values={"e": -6, "d": 4, "L": -8})
    assert ok.passed


def test_karpathy_columns_exact_close_maxdiff() -> None:
    g = lecture()
    report = check_by_hand(g["L"], {"a": 6.0 + 1e-9, "b": -4.0}, atol=1e-6)
    a, b = report.row_of("a"), report.row_of("b")
    assert (a.exact, a.close, b.exact, b.close) == (False, True, True, True)
    assert a.maxdiff == pytest.approx(1e-9, rel=1e-3) and b.maxdiff == 0.0
    assert not check_by_hand(g["L"], {"a": 6.0 + 1e-3}, atol=1e-6, rtol=1e-6).passed


def test_note_network_by_names_against_the_delta_rule() -> None:
    model = nn.note_model()
    E = nn.half_sse(model([1.0, 0.5]), 1.0)
    tr = delta.trace(delta.Net.of(model), [1.0, 0.5], 1.0)
    grads = delta.gradients(delta.Net.of(model), [[1.0, 0.5]], [1.0]).named()
    answers: dict[str, float] = {"z_k": -tr.delta[1][0], "z_j0": -tr.delta[0][0], "z_j1": -tr.delta[0][1], **grads}
    report = check_by_hand(E, answers, names=model)
    assert report.passed and len(report.rows) == 12
    wrong = dict(answers, z_k=tr.delta[1][0])  # the note's δ_k = −∂E/∂z_k, written with the wrong sign
    wrong["z_j0"] = tr.delta[1][0] * 0.6 * tr.y[1][0] * (1 - tr.y[1][0])  # inherited from the wrong z_k
    report = check_by_hand(E, wrong, names=model)
    assert report.verdict_of("z_k") == "local" and report.verdict_of("z_j0") == "inherited"
    assert report.verdict_of("layers.1.neurons.0.w.0") == "right"  # right, though not from their z_k
    assert report.first_wrong is report.rows[0].node and report.rows[0].name == "z_k"
    assert "root cause: ∂E/∂z_k" in str(report)
    assert all(p.grad == 0.0 for p in model.parameters())


def test_micrograd_closure_nodes_work_and_keep_grads() -> None:
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    out = Value(a.data * b.data, (a, b), "*")
    out.label = "out"

    def _backward() -> None:
        a.grad += b.data * out.grad
        b.grad += a.data * out.grad

    out._backward = _backward
    y = out * 2.0
    y.label = "y"
    a.grad, b.grad = 0.25, 0.5
    assert check_by_hand(y, {"out": 2.0, "a": -6.0, "b": 4.0}).passed
    assert check_by_hand(y, {"a": 6.0}).verdict_of("a") == "local"
    assert (a.grad, b.grad, out.grad) == (0.25, 0.5, 0.0)


# ---------------------------------------------------------------------------------------------
# Random expressions: one planted slip gives one local root cause, the rest inherited or right.

_BAD_TANH = op("tanh", derivative=lambda x, y: 1.0 - x * x)(math.tanh)  # the slip: f′ at the input


def _apply(kind: str, a: Value, b: Value) -> Value:
    if kind == "+":
        return a + b
    if kind == "*":
        return a * b
    if kind == "-":
        return a - b
    return a.sin() if kind == "sin" else a * 1.7


def _random_graph(rng: random.Random, bad: int | None) -> tuple[Value, list[Value], Value | None]:
    """A random expression over three leaves; with ``bad``, the bad-th tanh uses the wrong derivative."""
    nodes = [Value(rng.uniform(-1.5, 1.5), label=f"x{i}") for i in range(3)]
    tanhs = 0
    planted = None
    for k in range(rng.randint(3, 9)):
        a, b = rng.choice(nodes), rng.choice(nodes)
        kind = rng.choice(("+", "*", "tanh", "-", "sin", "*c"))
        if kind == "tanh":
            slip = tanhs == bad
            v = (_BAD_TANH(a) if slip else a.tanh())
            planted = a if slip else planted
            tanhs += 1
        else:
            v = _apply(kind, a, b)
        v.label = f"n{k}"
        nodes.append(v)
    root = nodes[-1]
    for v in nodes[3:-1]:
        if rng.random() < 0.5:
            root = root + v  # fan-out: intermediate nodes feed the root too
    root.label = "L"
    return root, nodes, planted


@pytest.mark.parametrize("seed", range(300))
def test_random_expressions_one_planted_slip(seed: int) -> None:
    rng = random.Random(seed)
    state = rng.getstate()
    good, _, _ = _random_graph(rng, None)
    rng.setstate(state)
    bad, bad_nodes, planted = _random_graph(rng, 0)
    bad.backward()  # the learner's numbers: the chain rule with one wrong local derivative
    theirs = {v.label: v.grad for v in bad_nodes if v.label != "L" and _feeds(v, bad)}
    report = check_by_hand(good, theirs, atol=1e-9, rtol=1e-7)
    if planted is None or report.passed:  # no tanh, or the slip happens not to matter here
        assert all(r.close for r in report.rows)
        return
    root = report.first_wrong
    assert root is not None and root.label == planted.label
    assert report.verdict_of(root) == "local"
    assert all(r.verdict in ("inherited", "right") for r in report.wrong[1:]), str(report)


def _feeds(v: Value, root: Value) -> bool:
    return any(u is v for u in autograd.walk(root))


# ---------------------------------------------------------------------------------------------
# Hostile input: refused with a clear message, never a silent verdict.


def test_bad_keys_and_numbers_are_refused_clearly() -> None:
    g = lecture()
    L = g["L"]
    with pytest.raises(KeyError, match="no node of the graph is called 'dd'; did you mean 'd'"):
        check_by_hand(L, {"dd": 1.0})
    with pytest.raises(TypeError, match="without quotes"):
        check_by_hand(L, {"a": "6.0"})
    with pytest.raises(ValueError, match="NaN, which is not an answer"):
        check_by_hand(L, {"a": float("nan")})
    with pytest.raises(ValueError, match="does not fit in a float"):
        check_by_hand(L, {"a": 10**400})
    for bad in (True, None, 1j, [6.0], Value(6.0)):
        with pytest.raises(TypeError, match=r"the number for 'a'|Value node"):
            check_by_hand(L, {"a": bad})
    with pytest.raises(ValueError, match="gives node 'a' twice"):
        check_by_hand(L, {"a": 6.0, g["a"]: 6.0})
    with pytest.raises(ValueError, match="not in the graph"):
        check_by_hand(L, {Value(1.0): 1.0})
    with pytest.raises(TypeError, match="a key must be"):
        check_by_hand(L, {3: 1.0})
    with pytest.raises(TypeError, match="must be a mapping"):
        check_by_hand(L, [("a", 6.0)])
    with pytest.raises(ValueError, match="expected is empty"):
        check_by_hand(L, {})
    with pytest.raises(TypeError, match="the loss must be a Value"):
        check_by_hand(1.0, {"a": 1.0})
    with pytest.raises(ValueError, match="atol must be"):
        check_by_hand(L, {"a": 6.0}, atol=float("nan"))
    # numbers of other kinds are fine, and infinity is a number (wrong here, not refused)
    assert check_by_hand(L, {"a": np.float32(6.0), "b": Fraction(-4), "c": np.int64(-2)}).passed
    assert check_by_hand(L, {"a": math.inf}).verdict_of("a") == "local"


def test_an_ambiguous_label_is_refused_and_the_value_works() -> None:
    x1, x2 = Value(1.0, label="x"), Value(2.0, label="x")
    y = x1 * x2
    with pytest.raises(ValueError, match="the label 'x' names 2 nodes"):
        check_by_hand(y, {"x": 2.0})
    assert check_by_hand(y, {x1: 2.0, x2: 1.0}).passed


def test_assert_by_hand_message_is_the_report_within_100_columns() -> None:
    x = Value(0.5, label="<script>alert('x')</script>\n" + "é" * 300 + "\ud800")
    y = x.tanh() * x
    y.label = "y" * 150
    with pytest.raises(ByHandError) as info:
        assert_by_hand(y, {x: 123.0})
    assert isinstance(info.value, AssertionError) and info.value.report.first_wrong is x
    text = str(info.value)
    assert all(len(line) <= 100 for line in text.splitlines()), max(text.splitlines(), key=len)
    assert text.splitlines()[0].startswith("check_by_hand: WRONG — root cause")
    assert "\ud800" not in text and text.count("\n") == len(text.splitlines()) - 1  # no raw newline from a label
    text.encode("utf-8")
    assert show(x.label, 100).startswith("<script>alert('x')</script>\\n") and show("a\ud800") == "a\\ud800"
    html = info.value.report._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_verdict_of_a_node_not_given() -> None:
    g = lecture()
    report = check_by_hand(g["L"], {"a": 6.0})
    with pytest.raises(KeyError, match="you gave no gradient for 'b'"):
        report.verdict_of("b")


def test_threads_share_a_graph_without_touching_grads() -> None:
    import threading

    g = lecture()
    errors: list[Any] = []

    def work() -> None:
        try:
            for _ in range(50):
                assert check_by_hand(g["L"], RIGHT).passed
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and all(v.grad == 0.0 for v in g.values())


def test_bad_names_are_refused_naming_check_by_hand() -> None:
    g = lecture()
    with pytest.raises(TypeError, match=r"check_by_hand\(names=...\)"):
        check_by_hand(g["L"], {"a": 6.0}, names=42)
    with pytest.raises(TypeError, match=r"assert_by_hand\(names=...\)"):
        assert_by_hand(g["L"], {"a": 6.0}, names={"w": 1.0})
    assert check_by_hand(g["L"], {"weight_a": 6.0}, names={"weight_a": g["a"]}).passed


def test_numbers_right_within_tolerance_above_make_a_miss_local_not_inherited() -> None:
    # y = ((x·1)·1)·1, every ∂y/∂v is 1. ∂y/∂f = 1.00009 is right (rtol 1e-4); ∂y/∂e = 1.00018 is not, and it is
    # ∂y/∂f · 1 from that right-enough number: nothing above is wrong, so nothing could be inherited — the
    # first wrong number is always this step's own (the module's promise), and x below it is inherited from e
    x = Value(1.0, label="x")
    e = x * 1.0
    e.label = "e"
    f = e * 1.0
    f.label = "f"
    y = f * 1.0
    y.label = "y"
    report = check_by_hand(y, {"f": 1.00009, "e": 1.00018, "x": 1.00018}, atol=0.0, rtol=1e-4)
    assert report.verdict_of("f") == "right"
    assert report.first_wrong is e and report.verdict_of("e") == "local"
    assert report.verdict_of("x") == "inherited"
    # the same on the forward pass: e = 2.00036 from x = 2.00018 (right within rtol), so e's own miss
    x.data = 2.0
    values = check_by_hand(y, {"x": 1.0}, values={"x": 2.00018, "e": 2.00036}, atol=0.0, rtol=1e-4)
    assert values.value_verdict_of("x") == "right" and values.value_verdict_of("e") == "local"


def test_threads_on_a_micrograd_closure_node_get_right_numbers_and_keep_grads() -> None:
    # the closure is measured on borrowed .grad fields; two threads borrowing at once used to restore each
    # other's borrowed numbers: wrong gradients (~1e-5 for 2.0) and a.grad / out.grad left changed
    import threading
    import time

    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    out = Value(a.data * b.data, (a, b), "*")
    out.label = "out"

    def _backward() -> None:
        time.sleep(0.0005)  # a slow closure: the thread switch lands inside the borrow
        a.grad += b.data * out.grad
        b.grad += a.data * out.grad

    out._backward = _backward
    t = out.tanh()
    t.label = "t"
    dt = 1.0 - math.tanh(-6.0) ** 2  # ∂t/∂out = 1 − t², then ∂out/∂a = b, ∂out/∂b = a
    a.grad, b.grad, out.grad = 5.0, 7.0, 11.0
    bad: list[Any] = []

    def work() -> None:
        for _ in range(15):
            report = check_by_hand(t, {"a": -3.0 * dt, "b": 2.0 * dt})
            if not report.passed:
                bad.append([(r.name, r.theirs, r.true) for r in report.rows])

    threads = [threading.Thread(target=work) for _ in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert bad == []
    assert (a.grad, b.grad, out.grad) == (5.0, 7.0, 11.0)


def test_a_number_type_whose_float_raises_is_a_clear_type_error() -> None:
    import numbers

    class Liar:
        def __float__(self) -> float:
            raise RuntimeError("no float for you")

    numbers.Real.register(Liar)
    g = lecture()
    with pytest.raises(TypeError, match="check_by_hand: the number for 'a' is a Liar whose float"):
        check_by_hand(g["L"], {"a": Liar()})


def test_a_finite_number_is_never_close_to_an_infinite_gradient() -> None:
    # y = √x at x = 0: ∂y/∂x = 1/(2√x) = inf. |1e300 − inf| ≤ atol + rtol·inf is true, so 1e300 was "right"
    x = Value(0.0, label="x")
    y = x**0.5
    y.label = "y"
    assert check_by_hand(y, {"x": math.inf}).verdict_of("x") == "right"
    assert check_by_hand(y, {"x": 1e300}).verdict_of("x") == "local"
    assert check_by_hand(y, {"x": -math.inf}).verdict_of("x") == "local"


def test_a_forgotten_consumer_that_uses_the_node_twice_is_named() -> None:
    # s = 2x + eˣ + x·x: ∂s/∂x = 2 + eˣ + 2x. Forgetting w = x·x (both of its terms) is one missing path,
    # not a sum of single terms, so the hint must name w (it gave no hint at all)
    x = Value(0.7, label="x")
    u = x * 2.0
    u.label = "u"
    v = x.exp()
    v.label = "v"
    w = x * x
    w.label = "w"
    s = u + v + w
    s.label = "s"
    report = check_by_hand(s, {"x": 2.0 + math.exp(0.7)})
    assert report.verdict_of("x") == "local"
    assert "hint: the term through w is missing" in str(report)
    # a formula too long to sit beside its term gets a line of its own, never cut in the middle
    assert "      [*: ∂y/∂a = b with y = w, a = x, b = x]" in str(report).splitlines()


@pytest.mark.parametrize("seed", range(200))
def test_random_partial_answers_near_the_tolerance_the_root_cause_is_always_local(seed: int) -> None:
    # a learner gives a random half of the nodes, each exact, a little off (inside or just outside rtol) or
    # far off: whatever they give, the first wrong number in backward order has nothing wrong above it,
    # so it is "local"; and a wrong number is "inherited" only when some upstream number is wrong
    rng = random.Random(seed)
    root, nodes, _ = _random_graph(rng, None)
    root.backward()
    inner = [v for v in nodes if v.label != "L" and _feeds(v, root)]
    theirs: dict[Any, float] = {}
    for v in inner:
        if rng.random() < 0.5:
            continue
        off = rng.choice((0.0, 0.0, 0.5e-4, 0.9e-4, 1.1e-4, 2e-4, 0.3, -2.0))
        theirs[v] = v.grad * (1.0 + off)
    if not theirs:
        return
    report = check_by_hand(root, theirs, atol=0.0, rtol=1e-4)
    if report.first_wrong is not None:
        assert report.wrong[0].verdict == "local", str(report)
    for r in report.rows:
        if r.verdict == "inherited":
            assert any(not t.true for t in r.terms), str(report)


def test_errors_from_the_graph_name_check_by_hand_not_grad() -> None:
    a, b = Value(2.0, label="a"), Value(3.0, label="b")
    tagged = Value(6.0, (a, b), "*")  # micrograd's tag alone: no rule, no _backward
    tagged.label = "out"
    with pytest.raises(TypeError, match=r"^check_by_hand: node .* no derivative rule"):
        check_by_hand(tagged, {"a": 3.0})
    raising = Value(6.0, (a, b), "*")
    raising.label = "r"

    def _backward() -> None:
        raise ZeroDivisionError("oops")

    raising._backward = _backward
    with pytest.raises(ZeroDivisionError, match=r"^check_by_hand: the _backward closure of node"):
        check_by_hand(raising, {"a": 3.0})
