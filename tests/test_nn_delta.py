"""The explicit delta rule (``nn.delta``) agrees with ``backward()``, and Δw = η δ y is one SGD step.

Formulas (the note's): δ_k = (t_k − y_k) f′(z_k) at the output, δ_j = f′(z_j) Σ_k δ_k w_jk below,
∂E/∂w_ij = −δ_j y_i, ∂E/∂b_j = −δ_j, Δw_ij = η δ_j y_i, for E = ½ Σ (t − y)² summed over the batch.
"""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
import nn
from nn import delta
from nn.activations import NAMES


def backward_grads(model: nn.MLP, X: list[list[float]], T: list[list[float]]) -> tuple[float, dict[str, float]]:
    E = autograd.sum([nn.half_sse(model(x), t) for x, t in zip(X, T, strict=True)])
    model.zero_grad()
    E.backward()
    return E.data, {name: p.grad for name, p in model.named_parameters()}


@st.composite
def networks(draw: st.DrawFn) -> tuple[nn.MLP, list[list[float]], list[list[float]]]:
    nin = draw(st.integers(1, 4))
    sizes = draw(st.lists(st.integers(1, 5), min_size=1, max_size=3))
    acts = draw(st.lists(st.sampled_from(NAMES), min_size=len(sizes), max_size=len(sizes)))
    model = nn.MLP(nin, sizes, activations=acts, seed=draw(st.integers(0, 10**6)))
    rng = random.Random(draw(st.integers(0, 10**6)))
    for p in model.parameters():  # non-zero biases too, so every term of the formula counts
        p.data = rng.uniform(-1.5, 1.5)
    batch = draw(st.integers(1, 3))
    X = [[rng.uniform(-2, 2) for _ in range(nin)] for _ in range(batch)]
    T = [[rng.uniform(-1, 1) for _ in range(sizes[-1])] for _ in range(batch)]
    return model, X, T


@settings(max_examples=60, deadline=None)
@given(networks())
def test_delta_rule_equals_backward_on_random_networks(
    case: tuple[nn.MLP, list[list[float]], list[list[float]]],
) -> None:
    model, X, T = case
    E, expected = backward_grads(model, X, T)
    g = delta.gradients(delta.Net.of(model), X, T)
    got = g.named()
    assert got.keys() == expected.keys()
    for name, value in expected.items():
        assert abs(got[name] - value) <= 1e-12 * max(1.0, abs(value)), name
    assert g.loss == pytest.approx(E, rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("acts", [["sigmoid", "sigmoid"], ["tanh", "linear"], ["relu", "tanh", "sigmoid"],
                                  ["leaky_relu", "leaky_relu", "linear"]])
def test_explicit_update_equals_one_sgd_step(acts: list[str]) -> None:
    sizes = [3] * (len(acts) - 1) + [2]
    a = nn.MLP(2, sizes, activations=acts, seed=4)
    b = nn.MLP(2, sizes, activations=acts, seed=4)
    X = [[0.5, -1.0], [1.5, 0.25], [-0.7, 0.8]]
    T = [[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]]
    eta = 0.3
    before = a.state_dict()
    delta.step(a, X, T, eta)  # Δw_ij = η Σ δ_j y_i
    backward_grads(b, X, T)
    nn.SGD(b.parameters(), lr=eta).step()  # w ← w − η ∂E/∂w
    assert max(abs(v - before[name]) for name, v in a.state_dict().items()) > 1e-3  # the step did something
    for (name, p), q in zip(a.named_parameters(), b.parameters(), strict=True):
        assert abs(p.data - q.data) <= 1e-12, name


def test_the_notes_2_2_1_example_by_hand() -> None:
    """y = 0.8, t = 1: δ_k = (t − y) y (1 − y) = 0.032; δ_j = y_j (1 − y_j) δ_k w_jk; ∂E/∂w_jk = −δ_k y_j."""
    model = nn.note_model()
    X, T = nn.note_example()
    x = X[0]
    net = delta.Net.of(model)
    tr = delta.trace(net, x, T[0])
    y_hidden = [1 / (1 + math.exp(-(net.b[0][j] + net.w[0][j][0] * x[0] + net.w[0][j][1] * x[1]))) for j in range(2)]
    assert tr.y[1] == pytest.approx(y_hidden, rel=1e-15)
    assert tr.y[2][0] == pytest.approx(0.8, abs=1e-15)
    d_k = (1.0 - 0.8) * 0.8 * (1 - 0.8)
    assert tr.delta[1][0] == pytest.approx(d_k, rel=1e-13)
    d_j = [y_hidden[j] * (1 - y_hidden[j]) * d_k * net.w[1][0][j] for j in range(2)]
    assert tr.delta[0] == pytest.approx(d_j, rel=1e-13)
    g = delta.gradients(net, X, T).named()
    assert g["layers.1.neurons.0.w.1"] == pytest.approx(-d_k * y_hidden[1], rel=1e-13)
    assert g["layers.0.neurons.1.w.0"] == pytest.approx(-d_j[1] * x[0], rel=1e-13)
    assert g["layers.0.neurons.0.b"] == pytest.approx(-d_j[0], rel=1e-13)


def test_other_losses_through_the_output_error() -> None:
    """With e = −∂E/∂y for the hinge loss (t/n where the margin is violated), the rule gives backward's grads."""
    model = nn.MLP(2, [4, 1], seed=3)
    X, y = nn.moons(12, seed=5, signed=True)
    loss = nn.hinge([model(x) for x in X], y)
    model.zero_grad()
    loss.backward()

    def hinge_error(out: list[float], t: int) -> list[float]:
        return [t / len(X) if 1 - t * out[0] > 0 else 0.0]

    got = delta.gradients(delta.Net.of(model), X, y, hinge_error).named()
    for name, p in model.named_parameters():
        assert abs(got[name] - p.grad) <= 1e-12, name


def test_mismatched_targets_are_reported() -> None:
    net = delta.Net.of(nn.MLP(2, [2, 2], seed=0))
    with pytest.raises(ValueError, match="2 output\\(s\\) but 1 target\\(s\\)"):
        delta.gradients(net, [[1.0, 2.0]], [[1.0]])
    with pytest.raises(ValueError, match="layer expects 2 input\\(s\\), got 3"):
        delta.gradients(net, [[1.0, 2.0, 3.0]], [[1.0, 0.0]])
