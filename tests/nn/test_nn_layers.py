"""``Neuron``, ``Layer``, ``MLP``: micrograd's API and defaults, activations, initialisation, inputs."""

from __future__ import annotations

import math
import random
import statistics

import numpy as np
import pytest

import autograd
import nn
from autograd import Value
from nn.models.activations import LEAKY_SLOPE

micrograd_nn = pytest.importorskip("micrograd.nn")


def scalar(out: Value | list[Value]) -> Value:
    """A one-output network's result, which is a bare Value (typed as ``Value | list[Value]``)."""
    assert isinstance(out, Value)
    return out


def test_mlp_defaults_are_micrograds() -> None:
    model = nn.MLP(2, [16, 16, 1])
    assert [layer.activation for layer in model.layers] == ["relu", "relu", "linear"]
    assert len(model.parameters()) == (2 * 16 + 16) + (16 * 16 + 16) + (16 + 1) == 337
    for layer in model.layers:
        for n in layer.neurons:
            assert all(-1.0 <= w.data <= 1.0 for w in n.w)
            assert n.b.data == 0.0
    # the weights really spread over (−1, 1): not all of one sign, not all tiny
    ws = [w.data for layer in model.layers for n in layer.neurons for w in n.w]
    assert min(ws) < -0.8 and max(ws) > 0.8


def test_same_seed_gives_micrograds_weights_and_repr() -> None:
    random.seed(1337)
    theirs = micrograd_nn.MLP(2, [16, 16, 1])
    random.seed(1337)
    ours = nn.MLP(2, [16, 16, 1])
    assert [p.data for p in ours.parameters()] == [float(p.data) for p in theirs.parameters()]
    assert repr(ours) == repr(theirs)
    assert repr(nn.Neuron(3)) == "ReLUNeuron(3)" and repr(nn.Neuron(3, nonlin=False)) == "LinearNeuron(3)"
    assert repr(nn.Layer(2, 2)) == "Layer of [ReLUNeuron(2), ReLUNeuron(2)]"


def test_repr_names_other_activations() -> None:
    model = nn.MLP(3, [2, 1], activations=["tanh", "sigmoid"], seed=0)
    assert repr(model) == "MLP of [Layer of [TanhNeuron(3), TanhNeuron(3)], Layer of [SigmoidNeuron(2)]]"
    assert repr(nn.Neuron(1, activation="leaky_relu")) == "LeakyReLUNeuron(1)"


def test_output_is_a_value_for_one_output_and_a_list_otherwise() -> None:
    one, two = nn.MLP(2, [3, 1], seed=0), nn.MLP(2, [3, 2], seed=0)
    assert isinstance(one([1.0, 2.0]), Value)
    out = two([1.0, 2.0])
    assert isinstance(out, list) and len(out) == 2 and all(isinstance(v, Value) for v in out)
    layer = nn.Layer(2, 1, seed=0)
    assert isinstance(layer([1.0, 2.0]), Value)


def test_inputs_may_be_floats_numpy_rows_or_values() -> None:
    model = nn.MLP(2, [4, 1], seed=3)
    row = np.array([0.25, -1.5])
    expected = scalar(model([0.25, -1.5])).data
    assert scalar(model(row)).data == expected
    assert scalar(model(list(map(Value, row)))).data == expected
    assert scalar(model((np.float64(0.25), -1.5))).data == expected
    assert scalar(model([1, 2])).data == scalar(model([1.0, 2.0])).data  # ints are fine


def test_forward_is_the_formula() -> None:
    """y = f(z), z = Σ_i w_i x_i + b, by hand for each activation."""
    x = [0.3, -0.7, 1.1]
    formulas = {
        "sigmoid": lambda z: 1.0 / (1.0 + math.exp(-z)),
        "tanh": math.tanh,
        "relu": lambda z: max(z, 0.0),
        "leaky_relu": lambda z: z if z > 0 else LEAKY_SLOPE * z,
        "linear": lambda z: z,
    }
    for name, f in formulas.items():
        for seed in range(4):
            n = nn.Neuron(3, activation=name, seed=seed)
            n.b.data = 0.2 * seed - 0.3
            z = n.b.data + sum(w.data * xi for w, xi in zip(n.w, x, strict=True))
            assert n(x).data == pytest.approx(f(z), rel=1e-15, abs=1e-15), name


def test_gradient_of_a_neuron_is_the_formula() -> None:
    """∂y/∂w_i = f′(z) x_i, ∂y/∂b = f′(z), ∂y/∂x_i = f′(z) w_i; for tanh f′(z) = 1 − y²."""
    n = nn.Neuron(2, activation="tanh", seed=5)
    xs = [Value(0.4), Value(-0.9)]
    y = n(xs)
    y.backward()
    slope = 1.0 - y.data**2
    for w, x in zip(n.w, xs, strict=True):
        assert w.grad == pytest.approx(slope * x.data, rel=1e-14)
        assert x.grad == pytest.approx(slope * w.data, rel=1e-14)
    assert n.b.grad == pytest.approx(slope, rel=1e-14)


def test_a_neuron_is_one_dot_node_and_inputs_become_leaves_once() -> None:
    layer = nn.Layer(3, 4, seed=1)
    outs = layer.forward([Value(1.0), 2.0, 3.0])  # one node among the inputs: every input is a node
    zs = [y._prev[0] for y in outs]  # y = relu(z)
    assert all(z._op == "linear" for z in zs)
    inputs = [z._prev[3:6] for z in zs]  # each z's parents: w_0..w_2, x_0..x_2, b
    assert all(ins == inputs[0] for ins in inputs)  # the same three leaves for every neuron


def test_a_layer_on_plain_numbers_keeps_them_as_constants() -> None:
    """Data (a list of floats or ints): z_j = Σ w_ij x_i + b_j is one linear_c node whose parents are
    only (w_0j…w_2j, b_j); ∂z_j/∂w_ij = x_i, ∂z_j/∂b_j = 1, and the same floats as on Value inputs."""
    layer = nn.Layer(3, 4, activation="tanh", seed=1)
    x = [1.0, 2, -3.0]
    outs = layer.forward(x)
    ref = layer.forward([Value(v) for v in x])
    for y, r, n in zip(outs, ref, layer.neurons, strict=True):
        z = y._prev[0]
        assert z._op == "linear_c" and z._prev == (*n.w, n.b)
        assert y.data == r.data
    autograd.sum(outs).backward()
    got = [p.grad for p in layer.parameters()]
    layer.zero_grad()
    autograd.sum(ref).backward()
    assert got == [p.grad for p in layer.parameters()]
    assert [p.grad for p in layer.neurons[0].w] == pytest.approx([(1 - outs[0].data ** 2) * v for v in x], rel=1e-15)


def test_one_wide_hidden_layer_works_where_micrograds_fails() -> None:
    # micrograd's Layer returns a bare Value when it has one neuron; its next layer then does
    # zip(self.w, x) on that Value, which is not iterable.
    random.seed(0)
    with pytest.raises(TypeError):
        micrograd_nn.MLP(2, [16, 1, 1])([1.0, 2.0])
    model = nn.MLP(2, [16, 1, 1], seed=2)  # a seed where the one-wide ReLU is active (z_h > 0)
    y = model([1.0, 2.0])
    assert isinstance(y, Value)
    y.backward()
    hidden = model.layers[1].neurons[0]
    assert all(isinstance(p.grad, float) for p in model.parameters())
    # and chaining layers by hand, as micrograd users do, works too: a one-input layer takes a Value
    h = model.layers[1](model.layers[0]([1.0, 2.0]))
    assert isinstance(h, Value) and scalar(model.layers[2](h)).data == scalar(model([1.0, 2.0])).data
    # chain rule through the one-wide layer: ∂y/∂w_i = w_out · relu′(z_h) · a_i (a: first layer's outputs)
    a = [v.data for v in model.layers[0].forward([1.0, 2.0])]
    z_h = hidden.b.data + sum(w.data * ai for w, ai in zip(hidden.w, a, strict=True))
    w_out = model.layers[2].neurons[0].w[0].data
    assert z_h > 0
    for w, ai in zip(hidden.w, a, strict=True):
        assert w.grad == pytest.approx(w_out * (1.0 if z_h > 0 else 0.0) * ai, rel=1e-13, abs=1e-15)


def test_activations_per_layer() -> None:
    model = nn.MLP(2, [3, 3, 1], "tanh", "sigmoid", seed=0)
    assert [layer.activation for layer in model.layers] == ["tanh", "tanh", "sigmoid"]
    model = nn.MLP(2, [3, 1], activations=["leaky_relu", "tanh"], seed=0)
    assert [layer.activation for layer in model.layers] == ["leaky_relu", "tanh"]
    assert -1.0 < scalar(model([5.0, -2.0])).data < 1.0


def test_seeds_are_reproducible_and_distinct() -> None:
    a, b, c = nn.MLP(2, [3, 1], seed=7), nn.MLP(2, [3, 1], seed=7), nn.MLP(2, [3, 1], seed=8)
    assert a.state_dict() == b.state_dict() != c.state_dict()
    rng1, rng2 = random.Random(4), random.Random(4)
    assert nn.MLP(2, [3, 1], seed=rng1).state_dict() == nn.MLP(2, [3, 1], seed=rng2).state_dict()
    # neurons of one layer get different weights (one stream for the layer, not one seed per neuron)
    layer = nn.Layer(4, 3, seed=1)
    assert len({tuple(w.data for w in n.w) for n in layer.neurons}) == 3


def test_xavier_and_he_scales() -> None:
    """Xavier: U(−a, a), a = √(6/(n_in + n_out)); He: N(0, 2/n_in)."""
    layer = nn.Layer(50, 30, init="xavier", seed=0)
    a = math.sqrt(6.0 / 80)
    ws = [w.data for n in layer.neurons for w in n.w]
    assert max(abs(w) for w in ws) <= a and max(abs(w) for w in ws) > 0.9 * a
    he = [w.data for n in nn.Layer(50, 40, init="he", seed=0).neurons for w in n.w]
    assert statistics.pstdev(he) == pytest.approx(math.sqrt(2.0 / 50), rel=0.1)
    assert abs(statistics.fmean(he)) < 0.02


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: nn.MLP(2, []), "nouts"),
        (lambda: nn.MLP(0, [1]), "nin"),
        (lambda: nn.MLP(2, [3, 0]), "nouts\\[1\\]"),
        (lambda: nn.MLP(2, [3, 1], "swish"), "unknown activation 'swish'"),
        (lambda: nn.MLP(2, [3, 1], activations=["relu"]), "one name per layer"),
        (lambda: nn.MLP(2, [3, 1], init="glorot"), "unknown initialisation 'glorot'"),
        (lambda: nn.Neuron(True), "nin"),
        (lambda: nn.Layer(2, -1), "nout"),
    ],
)
def test_bad_construction_says_what_is_wrong(make: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make()  # type: ignore[operator]


def test_bad_seed_and_wrong_input_count() -> None:
    with pytest.raises(TypeError, match="seed"):
        nn.MLP(2, [1], seed="x")  # type: ignore[arg-type]
    model = nn.MLP(2, [3, 1], seed=0)
    with pytest.raises(ValueError, match="expected 2 input\\(s\\), got 3"):
        model([1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match="real number"):
        model(["a", 1.0])


def test_changing_a_neurons_activation_changes_what_it_computes() -> None:
    n = nn.Neuron(2, seed=0)
    n.b.data = -5.0  # z < 0 for the input below, so ReLU gives 0 and linear gives z
    z = n.b.data + n.w[0].data * 0.5 + n.w[1].data * 0.25
    assert n([0.5, 0.25]).data == 0.0 and n.nonlin
    n.nonlin = False  # micrograd's flag
    assert repr(n) == "LinearNeuron(2)" and n([0.5, 0.25]).data == pytest.approx(z, rel=1e-15)
    n.activation = "tanh"
    assert n([0.5, 0.25]).data == pytest.approx(math.tanh(z), rel=1e-15)
    with pytest.raises(ValueError, match="unknown activation 'gelu'"):
        n.activation = "gelu"
    assert n.activation == "tanh"


# -- no hidden state: every edit of a neuron or a layer takes effect on the next call -------------

def test_edits_take_effect_on_the_next_call() -> None:
    """micrograd's habits: ``n.w[0] = Value(…)``, ``layer.neurons.append(…)`` and the like just work."""
    layer = nn.Layer(2, 2, seed=1)
    x = [0.5, -0.25]

    def by_hand() -> list[float]:  # y_j = f(Σ_i w_ij x_i + b_j) from what the neurons hold now
        return [n(x).data for n in layer.neurons]

    def outputs() -> list[float]:
        out = layer(x)
        return [out.data] if isinstance(out, Value) else [v.data for v in out]

    layer.neurons[0].w[0] = Value(3.0)
    assert outputs() == by_hand() and layer.neurons[0].w[0].data == 3.0
    layer.neurons[1].b = Value(-2.0)
    assert outputs() == by_hand() and outputs()[1] == 0.0  # relu(z) with z < 0 (|w| ≤ 1, b = −2)
    layer.neurons.append(nn.Neuron(2, activation="tanh", seed=4))
    assert len(outputs()) == 3 and outputs() == by_hand()
    assert layer.parameters()[-3:] == [*layer.neurons[2].w, layer.neurons[2].b]  # parameters() follows too
    layer.neurons.pop(0)
    assert len(outputs()) == 2 and outputs() == by_hand()
    layer.neurons[0].w = [Value(1.0), Value(1.0)]
    layer.neurons[0].b = Value(0.0)
    layer.neurons[0].nonlin = False
    assert outputs()[0] == 0.25


def test_an_mlp_follows_edits_of_its_layers() -> None:
    model = nn.MLP(2, [3, 1], seed=2)
    before = scalar(model([1.0, 2.0])).data
    out = model.layers[-1].neurons[0]
    out.b.data += 1.0  # the same node, a new float
    assert scalar(model([1.0, 2.0])).data == pytest.approx(before + 1.0, rel=1e-15)
    out.w = [Value(0.0)] * 3  # the same Value three times: tied weights
    assert scalar(model([1.0, 2.0])).data == out.b.data
    names = [name for name, _ in model.named_parameters()]
    assert names[-2:] == ["layers.1.neurons.0.w.0", "layers.1.neurons.0.b"]  # a tied weight is listed once
    assert len(model.parameters()) == len({id(p) for p in model.parameters()}) == 9 + 2


def test_parameters_come_from_named_parameters_everywhere() -> None:
    model = nn.MLP(2, [3, 2, 1], seed=0)
    for module in (model, model.layers[1], model.layers[1].neurons[0]):
        assert module.parameters() == [p for _, p in module.named_parameters()]
        assert type(module).parameters is nn.Module.parameters  # one definition, not one per class
