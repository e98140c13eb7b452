"""Habits of micrograd users, replayed on our ``Value`` exactly as such code is written.

Each test is code in the style of micrograd's notebooks and lecture (a user's own ``draw_dot``,
``_backward()`` called by hand in reverse topological order, a hand-made MLP trained with
``p.grad = 0.0`` loops). The numbers are checked against formulas worked out by hand, central
differences computed here on plain floats, and the ``micrograd`` package itself where it has the op.
"""

from __future__ import annotations

import math
import random
import shutil
from collections.abc import Callable
from typing import Any

import graphviz
import pytest
from micrograd.engine import Value as MicrogradValue

from autograd import Value

# ---------------------------------------------------------------------------------------------
# A user's own graph drawing, micrograd's notebook style: _prev, _op, label, data, grad, set, id()


def trace(root: Any) -> tuple[set[Any], set[tuple[Any, Any]]]:
    nodes, edges = set(), set()

    def build(v: Any) -> None:
        if v not in nodes:
            nodes.add(v)
            for child in v._prev:
                edges.add((child, v))
                build(child)

    build(root)
    return nodes, edges


def users_draw_dot(root: Any) -> graphviz.Digraph:
    dot = graphviz.Digraph(format="svg", graph_attr={"rankdir": "LR"})
    nodes, edges = trace(root)
    for n in nodes:
        uid = str(id(n))
        dot.node(name=uid, label="{ %s | data %.4f | grad %.4f }" % (n.label, n.data, n.grad),  # noqa: UP031
                 shape="record")  # micrograd notebook style, % formatting and all
        if n._op:
            dot.node(name=uid + n._op, label=n._op)
            dot.edge(uid + n._op, uid)
    for n1, n2 in edges:
        dot.edge(str(id(n1)), str(id(n2)) + n2._op)
    return dot


def micrograd_value(data: float, label: str = "") -> Any:
    """A micrograd 0.1.0 node with a label (the package's Value takes none; the lecture's does)."""
    v = MicrogradValue(data)
    v.label = label
    return v


def lecture_graph(make: Callable[..., Any] = Value) -> dict[str, Any]:
    """The lecture's first expression: L = (a·b + c)·f."""
    a = make(2.0, label="a")
    b = make(-3.0, label="b")
    c = make(10.0, label="c")
    e = a * b
    e.label = "e"
    d = e + c
    d.label = "d"
    f = make(-2.0, label="f")
    L = d * f
    L.label = "L"
    return dict(a=a, b=b, c=c, e=e, d=d, f=f, L=L)


def test_a_users_draw_dot_builds_the_lecture_graph() -> None:
    v = lecture_graph()
    v["L"].backward()
    dot = users_draw_dot(v["L"])
    source = dot.source
    # 7 value nodes (a, b, c, e, d, f, L) + 3 op nodes; 6 edges into ops + 3 op -> value edges
    assert source.count("shape=record") == 7
    assert source.count(" -> ") == 9
    for name, n in v.items():
        assert f"{{ {name} | data {n.data:.4f} | grad {n.grad:.4f} }}" in source
    # by hand: L = d·f, ∂L/∂d = f = −2, ∂L/∂f = d = 4, ∂L/∂c = ∂L/∂e = −2, ∂L/∂a = −2·b = 6, ∂L/∂b = −2·a = −4
    assert [v[k].grad for k in "abcdef"] == [6.0, -4.0, -2.0, -2.0, -2.0, 4.0]
    op_names = {str(id(v["e"])) + "*", str(id(v["d"])) + "+", str(id(v["L"])) + "*"}
    for name in op_names:
        assert f"\t{name} [label=" in source or f'\t"{name}" [label=' in source
    if shutil.which("dot"):
        svg = dot.pipe(encoding="utf-8")
        assert svg.count('class="node"') == 10 and svg.count('class="edge"') == 9


def test_the_users_draw_dot_gives_the_same_source_as_on_micrograd_values() -> None:
    """The same drawing code on micrograd's Value: same labels, data, grads and ops (ids aside)."""

    def normalised(dot: graphviz.Digraph, nodes: dict[str, Any]) -> list[str]:
        text = dot.source
        for name, n in nodes.items():  # ids differ between runs: name them
            text = text.replace(str(id(n)), name)
        return sorted(text.splitlines())

    ours, theirs = lecture_graph(), lecture_graph(micrograd_value)
    ours["L"].backward()
    theirs["L"].backward()
    assert normalised(users_draw_dot(ours["L"]), ours) == normalised(users_draw_dot(theirs["L"]), theirs)


# ---------------------------------------------------------------------------------------------
# Backward by hand: set .grad, then node._backward() in reverse topological order


def lecture_neuron(tanh_by_exp: bool) -> dict[str, Value]:
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    n = x1 * w1 + x2 * w2 + b
    n.label = "n"
    if tanh_by_exp:  # the lecture's second version: o = (e^{2n} − 1)/(e^{2n} + 1)
        e = (2 * n).exp()
        o = (e - 1) / (e + 1)
    else:
        o = n.tanh()
    o.label = "o"
    return dict(x1=x1, x2=x2, w1=w1, w2=w2, b=b, n=n, o=o)


def users_topo(root: Value) -> list[Value]:
    topo: list[Value] = []
    visited: set[Value] = set()

    def build_topo(v: Value) -> None:
        if v not in visited:
            visited.add(v)
            for child in v._prev:
                build_topo(child)
            topo.append(v)

    build_topo(root)
    return topo


@pytest.mark.parametrize("tanh_by_exp", [False, True])
def test_backward_node_by_node_by_hand(tanh_by_exp: bool) -> None:
    """∂o/∂n = 1 − o²; ∂o/∂w1 = x1(1 − o²), ∂o/∂x1 = w1(1 − o²), ∂o/∂w2 = x2(1 − o²), ∂o/∂x2 = w2(1 − o²)."""
    v = lecture_neuron(tanh_by_exp)
    for node in users_topo(v["o"]):
        node.grad = 0.0
    v["o"].grad = 1.0
    for node in reversed(users_topo(v["o"])):
        node._backward()
    auto = lecture_neuron(tanh_by_exp)
    auto["o"].backward()
    n = 2.0 * -3.0 + 0.0 * 1.0 + 6.8813735870195432
    o = math.tanh(n)
    dn = 1.0 - o * o
    assert math.isclose(v["o"].data, o, rel_tol=1e-12)
    want = dict(n=dn, b=dn, x1=-3.0 * dn, w1=2.0 * dn, x2=1.0 * dn, w2=0.0)
    for name, value in want.items():
        assert math.isclose(v[name].grad, value, rel_tol=1e-9, abs_tol=1e-12), name
        assert math.isclose(auto[name].grad, v[name].grad, rel_tol=1e-12, abs_tol=1e-15), name


def test_the_tanh_made_of_exp_matches_central_differences_on_floats() -> None:
    """(e − 1)/(e + 1) with e = exp(2n): backward() against differences of the same formula on floats."""

    def f(x1: float, w1: float, b: float) -> float:
        e = math.exp(2 * (x1 * w1 + b))
        return (e - 1) / (e + 1)

    point = (0.7, -0.4, 0.3)
    leaves = [Value(t) for t in point]
    e = (2 * (leaves[0] * leaves[1] + leaves[2])).exp()
    o = (e - 1) / (e + 1)
    o.backward()
    for i in range(3):
        h = 1e-6
        up, down = list(point), list(point)
        up[i] += h
        down[i] -= h
        assert math.isclose(leaves[i].grad, (f(*up) - f(*down)) / (2 * h), rel_tol=1e-7)


# ---------------------------------------------------------------------------------------------
# A user's own Neuron / Layer / MLP built from Value, trained with p.grad = 0.0 loops


class Neuron:
    def __init__(self, nin: int, make: Callable[[float], Any]) -> None:
        self.w = [make(random.uniform(-1, 1)) for _ in range(nin)]
        self.b = make(random.uniform(-1, 1))

    def __call__(self, x: list[Any]) -> Any:
        act = sum((wi * xi for wi, xi in zip(self.w, x, strict=True)), self.b)
        return act.relu()

    def parameters(self) -> list[Any]:
        return [*self.w, self.b]


class Layer:
    def __init__(self, nin: int, nout: int, make: Callable[[float], Any]) -> None:
        self.neurons = [Neuron(nin, make) for _ in range(nout)]

    def __call__(self, x: list[Any]) -> Any:
        outs = [n(x) for n in self.neurons]
        return outs[0] if len(outs) == 1 else outs

    def parameters(self) -> list[Any]:
        return [p for n in self.neurons for p in n.parameters()]


class MLP:
    def __init__(self, nin: int, nouts: list[int], make: Callable[[float], Any]) -> None:
        sz = [nin, *nouts]
        self.layers = [Layer(sz[i], sz[i + 1], make) for i in range(len(nouts))]

    def __call__(self, x: list[Any]) -> Any:
        for layer in self.layers:
            x = layer(x)
        return x

    def parameters(self) -> list[Any]:
        return [p for layer in self.layers for p in layer.parameters()]


XS = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
YS = [1.0, -1.0, -1.0, 1.0]


def train(make: Callable[[float], Any], steps: int) -> tuple[list[float], list[float]]:
    """The lecture's loop: forward, loss = Σ (y − t)², p.grad = 0.0, backward, p.data += −0.01·p.grad."""
    random.seed(7)
    model = MLP(3, [4, 4, 1], make)
    losses = []
    for _ in range(steps):
        ypred = [model(x) for x in XS]
        loss = sum(((yout - ygt) ** 2 for ygt, yout in zip(YS, ypred, strict=True)), make(0.0))
        for p in model.parameters():
            p.grad = 0.0
        loss.backward()
        for p in model.parameters():
            p.data += -0.01 * p.grad
        losses.append(loss.data)
    return losses, [p.data for p in model.parameters()]


def test_a_hand_made_mlp_trains_as_on_micrograd() -> None:
    ours, ours_params = train(Value, 20)
    theirs, their_params = train(MicrogradValue, 20)
    assert ours == pytest.approx(theirs, rel=1e-12)
    assert ours_params == pytest.approx(their_params, rel=1e-12, abs=1e-14)
    assert ours[-1] < ours[0]


def test_a_hand_made_neurons_gradient_matches_central_differences() -> None:
    """One relu neuron on one input: ∂/∂w_i of (relu(w·x + b) − t)² against differences on floats."""
    random.seed(3)
    neuron = Neuron(3, Value)
    x, t = [0.5, -1.0, 2.0], 0.25

    def loss(ws: list[float], b: float) -> float:
        z = sum(w * xi for w, xi in zip(ws, x, strict=True)) + b
        return (max(z, 0.0) - t) ** 2

    neuron.b.data = 1.0  # away from relu's kink
    out = (neuron([Value(xi) for xi in x]) - t) ** 2
    for p in neuron.parameters():
        p.grad = 0.0
    out.backward()
    ws, b, h = [w.data for w in neuron.w], neuron.b.data, 1e-6
    for i in range(3):
        up, down = list(ws), list(ws)
        up[i] += h
        down[i] -= h
        assert math.isclose(neuron.w[i].grad, (loss(up, b) - loss(down, b)) / (2 * h), rel_tol=1e-6)
    assert math.isclose(neuron.b.grad, (loss(ws, b + h) - loss(ws, b - h)) / (2 * h), rel_tol=1e-6)


# ---------------------------------------------------------------------------------------------
# Small habits


def test_small_habits() -> None:
    a = Value(2.0, label="a")
    assert (a.label, a.data, a.grad, a._op, a._prev) == ("a", 2.0, 0.0, "", ())
    n = Value(0.5, label="n")
    y = (2 * n).exp()
    assert y._op == "exp" and y._prev[0]._op == "*" and isinstance(y._op, str)
    assert str(id(y)) + y._op == f"{id(y)}exp"  # micrograd's node names: concatenation works
    y.backward()
    assert math.isclose(n.grad, 2 * math.exp(1.0), rel_tol=1e-15)  # d/dn e^{2n} = 2e^{2n}
    a.grad = 5.0  # setting grad by hand, as the lecture does
    assert a.grad == 5.0


def test_math_exp_on_a_value_raises_as_on_micrograd() -> None:
    """``x * math.exp(x)`` would give ∂/∂x = e (the factor taken as a constant) instead of 2e."""
    x = Value(1.0)
    with pytest.raises(TypeError, match=r"x\.exp\(\)"):
        x * math.exp(x)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        MicrogradValue(1.0) * math.exp(MicrogradValue(1.0))
    y = x * x.exp()
    y.backward()
    assert math.isclose(x.grad, 2 * math.e, rel_tol=1e-15)  # (1 + x)eˣ at 1
