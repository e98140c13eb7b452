"""Grouping a drawing by neuron and layer (``draw_dot(root, groups=...)``), from parameter names."""

from __future__ import annotations

import random
from typing import cast

import pytest

import autograd
from autograd import Value
from autograd.drawing.draw import draw_dot
from autograd.drawing.groups import assign_clusters, cluster_chain, named_values, owner_of, short_name
from autograd.graph import topological_order
from tests.support.dot import clusters_of, parse


@pytest.mark.parametrize(("name", "owner", "chain", "short"), [
    ("layers.0.neurons.1.w.0", "layers.0.neurons.1", ["layers.0", "layers.0.neurons.1"], "w.0"),
    ("layers.0.neurons.1.b", "layers.0.neurons.1", ["layers.0", "layers.0.neurons.1"], "b"),
    ("encoder.weight", "encoder", ["encoder"], "weight"),
    ("blocks.2.attn.w.3", "blocks.2.attn", ["blocks.2", "blocks.2.attn"], "w.3"),
    ("w.0", "", [], "w.0"),
    ("b", "", [], "b"),
])
def test_owner_chain_and_short_name(name: str, owner: str, chain: list[str], short: str) -> None:
    assert owner_of(name) == owner
    assert cluster_chain(owner) == chain
    assert short_name(name) == short


def test_named_values_from_a_model_a_mapping_or_pairs() -> None:
    a, b = Value(1.0), Value(2.0)

    class Model:
        def named_parameters(self) -> list[tuple[str, Value]]:
            return [("n.0.w.0", a), ("n.0.b", b), ("alias", a)]

    expected = [("n.0.w.0", a), ("n.0.b", b)]  # a shared parameter keeps its first name
    assert named_values(Model()) == expected
    assert named_values({"n.0.w.0": a, "n.0.b": b}) == expected
    assert named_values([("n.0.w.0", a), ("n.0.b", b)]) == expected
    for bad in (3, "layers", [("x", 1.0)], [(1, a)], [a]):
        with pytest.raises(TypeError, match="groups"):
            named_values(bad)


def _layer_names(src: str) -> dict[str, list[str]]:
    cells, _, _ = parse(src)
    where = clusters_of(src)
    return {name: where[name] for name in cells}


def test_an_nn_mlp_is_grouped_by_layer_and_neuron() -> None:
    nn = pytest.importorskip("nn")
    if not hasattr(nn, "MLP"):
        pytest.skip("nn.MLP is not available yet")
    random.seed(3)
    model = nn.MLP(2, [3, 1])
    xs = [Value(0.5, label="in0"), Value(-1.5, label="in1")]
    y = model(xs)
    loss = (y - 1.0) ** 2
    loss.backward()
    src = draw_dot(loss, groups=model)
    where = _layer_names(src.source)
    order = topological_order(loss)
    index = {v: i for i, v in enumerate(order)}
    for name, p in model.named_parameters():
        owner = owner_of(name)
        layer, neuron = owner.split(".neurons.")
        assert where[f"v{index[p]}"] == [layer, f"neurons.{neuron}"], name
    for i, v in enumerate(order):  # each neuron's z_j (linear) and y_j = f(z_j) sit with its parameters
        if v._prev and str(v._op) == "linear":
            w0 = v._prev[0]
            assert where[f"v{i}"] == where[f"v{index[w0]}"] == where[f"op{i}"]
            (act,) = [u for u in order if u._prev == (v,)]
            assert where[f"v{index[act]}"] == where[f"v{i}"]
    assert where[f"v{index[xs[0]]}"] == [] and where[f"v{index[loss]}"] == []  # inputs and the loss: outside


def test_a_micrograd_style_neuron_keeps_its_partial_sums_and_activation() -> None:
    w = [Value(0.1 * (i + 1)) for i in range(3)]
    b = Value(0.2)
    x = [Value(1.0, label=f"x{i}") for i in range(3)]
    act = sum((wi * xi for wi, xi in zip(w, x, strict=True)), b)  # b + w0x0, then + w1x1, + w2x2
    out = act.relu()
    shifted = out - 1.0  # arithmetic after the activation: not part of the neuron
    names = {f"neuron.w.{i}": wi for i, wi in enumerate(w)} | {"neuron.b": b}
    clusters = assign_clusters(topological_order(shifted), {v: owner_of(n) for n, v in names.items()})
    inside = {v for v in topological_order(shifted) if clusters.get(v) == "neuron"}
    assert act in inside and out in inside and shifted not in inside
    assert all(xi not in inside for xi in x)
    assert len(inside) == 3 + 1 + 3 + 3 + 1  # w, b, three products, three partial sums, relu


def test_micrograd_sum_starting_from_zero_still_groups() -> None:
    w = [Value(0.5), Value(-0.5)]
    x = [Value(1.0), Value(2.0)]
    z = cast(Value, sum(wi * xi for wi, xi in zip(w, x, strict=True)))  # 0 + w0x0: a node with a constant
    y = z.tanh()
    clusters = assign_clusters(topological_order(y), {w[0]: "n.0", w[1]: "n.0"})
    assert clusters.get(z) == "n.0" and clusters.get(y) == "n.0"


def test_nodes_mixing_neurons_join_neither() -> None:
    a, b = Value(1.0), Value(2.0)
    both = a * b
    clusters = assign_clusters(topological_order(both), {a: "layers.0.neurons.0", b: "layers.0.neurons.1"})
    assert both not in clusters


def test_unlabelled_parameters_show_their_name_and_labels_win() -> None:
    w, b = Value(0.5), Value(0.1, label="bias!")
    z = autograd.dot([w], [Value(2.0)], b)
    cells, _, _ = parse(draw_dot(z, groups={"layers.0.neurons.0.w.0": w, "layers.0.neurons.0.b": b}).source)
    firsts = sorted(c[0] for k, c in cells.items() if k.startswith("v"))
    # one naming everywhere: the drawing calls a parameter as named_parameters() and explain do
    assert "layers.0.neurons.0.w.0" in firsts and "bias!" in firsts and "layers.0.neurons.0.b" not in firsts
    assert "w.0" not in firsts


def test_hostile_group_names_stay_labels() -> None:
    w = Value(0.5)
    y = (w * 2.0).tanh()
    src = draw_dot(y, groups={'la"yers.0.<ne>|{u}.w.0': w}).source
    assert src.count("subgraph cluster_") == 2  # 'la"yers.0' ⊃ '<ne>|{u}' (its owner), nothing else
    assert "&lt;ne&gt;|{u}" in src and 'la&quot;yers.0' in src
