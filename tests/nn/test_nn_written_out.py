"""written_out(model, x): the same network with every neuron's w·x + b as separate * and + nodes."""

from __future__ import annotations

import random
from typing import cast

import pytest

import nn
from autograd import Value, draw_dot
from autograd.graph import topological_order
from nn.models.layers import MLP
from nn.models.written_out import written_out


def _grads(model: MLP, out: Value) -> list[float]:
    model.zero_grad()
    out.backward()
    return [p.grad for p in model.parameters()]


@pytest.mark.parametrize("seed", range(20))
def test_same_outputs_and_gradients_as_the_fused_network(seed: int) -> None:
    rng = random.Random(seed)
    sizes = [rng.randint(1, 4) for _ in range(rng.randint(1, 3))] + [1]
    nin = rng.randint(1, 4)
    acts = rng.choice(["sigmoid", "tanh", "relu", "linear"])
    model = MLP(nin, sizes, acts, "sigmoid", seed=seed)
    x = [rng.uniform(-2, 2) for _ in range(nin)]
    fused, apart = cast(Value, model(x)), cast(Value, written_out(model, x))
    assert abs(fused.data - apart.data) <= 1e-12  # oracle: the model's own fused forward pass
    g_fused, g_apart = _grads(model, fused), _grads(model, apart)
    assert all(abs(a - b) <= 1e-12 for a, b in zip(g_fused, g_apart, strict=True))
    ops = [v._op for v in topological_order(apart) if v._prev]
    weights = sum(len(n.w) for layer in model.layers for n in layer.neurons)
    neurons = sum(len(layer.neurons) for layer in model.layers if layer.activation != "linear")  # y = f(z) nodes
    assert ops.count("*") == weights  # one product w_ij·x_i per weight
    assert ops.count("+") == weights  # n − 1 sums of products, and + b, per neuron
    assert "linear" not in ops and "linear_c" not in ops and len([o for o in ops if o not in "*+"]) == neurons


def test_the_drawing_shows_each_product_and_the_inputs_as_x_i() -> None:
    model = nn.note_model()
    src = draw_dot(cast(Value, written_out(model, [1.0, 0.5])), groups=model).source
    assert "<B>x_0</B>" in src and "<B>x_1</B>" in src
    assert src.count('label=<*>') >= 6 and "linear" not in src


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(TypeError, match="written_out"):
        written_out("model", [1.0])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="expects 2 input"):
        written_out(nn.note_model(), [1.0, 2.0, 3.0])
