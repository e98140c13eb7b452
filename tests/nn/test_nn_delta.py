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
from nn.models import activations
from nn.models.activations import NAMES

ON_VALUES = NAMES
"""The activations a network can run (every one of them)."""


def backward_grads(model: nn.MLP, X: list[list[float]], T: list[list[float]]) -> tuple[float, dict[str, float]]:
    E = autograd.sum([nn.half_sse(model(x), t) for x, t in zip(X, T, strict=True)])
    model.zero_grad()
    E.backward()
    return E.data, {name: p.grad for name, p in model.named_parameters()}


@st.composite
def networks(draw: st.DrawFn) -> tuple[nn.MLP, list[list[float]], list[list[float]]]:
    nin = draw(st.integers(1, 4))
    sizes = draw(st.lists(st.integers(1, 5), min_size=1, max_size=3))
    acts = draw(st.lists(st.sampled_from(ON_VALUES), min_size=len(sizes), max_size=len(sizes)))
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


# -- the delta rule is an oracle: its f′ are its own, so a wrong engine derivative is caught --------

def _agrees_with_backward(model: nn.MLP, X: list[list[float]], T: list[list[float]]) -> bool:
    """The comparison "delta rule == backward()": every gradient within 1e-12 (relative)."""
    _, expected = backward_grads(model, X, T)
    got = delta.gradients(delta.Net.of(model), X, T).named()
    return all(abs(got[name] - value) <= 1e-12 * max(1.0, abs(value)) for name, value in expected.items())


def test_a_wrong_engine_derivative_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    """Patch the engine's sigmoid f′ from y(1 − y) to y: backward() changes, the delta rule does not."""
    model = nn.note_model()
    X = [[0.35, 0.9], [-0.4, 0.2]]
    T = [[0.5], [1.0]]
    assert _agrees_with_backward(model, X, T)
    before = delta.gradients(delta.Net.of(model), X, T).named()
    assert autograd.ops.SIGMOID.deriv(0.0, 0.5, None) == 0.25  # the op whose .deriv backward calls: y(1 − y)
    monkeypatch.setattr(autograd.ops.SIGMOID, "deriv", lambda x, y, c: y)  # wrong: f′ = y
    assert not _agrees_with_backward(model, X, T)  # the mismatch is detected
    assert delta.gradients(delta.Net.of(model), X, T).named() == before  # the oracle did not move
    monkeypatch.undo()
    assert _agrees_with_backward(model, X, T)


@pytest.mark.parametrize("name", ["tanh", "leaky_relu"])
def test_other_wrong_derivatives_are_caught(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    model = nn.MLP(2, [3, 1], activations=[name, "linear"], seed=1)
    for p in model.parameters():
        p.data = 0.5 if p.data > 0 else -0.3  # some z > 0 and some z < 0
    X, T = [[0.7, -0.2], [0.1, 0.9]], [[1.0], [-1.0]]
    assert _agrees_with_backward(model, X, T)
    op = {"tanh": autograd.ops.TANH, "leaky_relu": autograd.ops.LEAKY_RELU}[name]
    right = op.deriv
    monkeypatch.setattr(op, "deriv", lambda x, y, c: 2.0 * right(x, y, c) + 0.5)
    assert not _agrees_with_backward(model, X, T)


def test_the_formulas_cover_every_activation_and_are_the_notes() -> None:
    assert set(delta.FORMULAS) == set(activations.NAMES)
    assert delta.LEAKY_SLOPE == activations.LEAKY_SLOPE
    for z in (-2.5, -0.3, 0.4, 3.0):
        s = 1.0 / (1.0 + math.exp(-z))
        cases = {  # name: (f(z), f′(z)) by the note's formulas
            "sigmoid": (s, s * (1 - s)),
            "tanh": (math.tanh(z), 1 - math.tanh(z) ** 2),
            "relu": (max(z, 0.0), 1.0 if z > 0 else 0.0),
            "leaky_relu": (z if z > 0 else 0.01 * z, 1.0 if z > 0 else 0.01),
            "linear": (z, 1.0),
            "softplus": (math.log(1.0 + math.exp(z)), s),
        }
        for name, (y, dy) in cases.items():
            fm = delta.formula(name)
            assert fm.f(z) == pytest.approx(y, rel=1e-14), name
            assert fm.df(z, fm.f(z)) == pytest.approx(dy, rel=1e-14), name
            h = 1e-6  # and f′ is f's slope (central difference), except at relu's kink
            assert fm.df(z, fm.f(z)) == pytest.approx((fm.f(z + h) - fm.f(z - h)) / (2 * h), rel=1e-6, abs=1e-9)
    with pytest.raises(ValueError, match="no formula for activation 'gelu'"):
        delta.formula("gelu")


def test_softplus_formula_is_stable_for_large_inputs() -> None:
    """y = ln(1 + eᶻ) = max(z, 0) + ln(1 + e⁻|ᶻ|): no overflow at ±1000; f′ = σ(z) saturates to 1 and 0."""
    sp = delta.formula("softplus")
    assert sp.f(1000.0) == 1000.0 and sp.f(-1000.0) == 0.0
    assert sp.f(-40.0) == pytest.approx(math.exp(-40.0), rel=1e-12)  # ln(1 + ε) ≈ ε, not 0
    assert sp.df(1000.0, sp.f(1000.0)) == 1.0 and sp.df(-1000.0, sp.f(-1000.0)) == 0.0
    assert sp.f(0.0) == pytest.approx(math.log(2.0), rel=1e-15) and sp.df(0.0, sp.f(0.0)) == 0.5


def test_softplus_is_an_nn_activation() -> None:
    act = activations.get("softplus")
    assert act.name == "softplus" and act.title == "Softplus"
    assert repr(nn.Neuron(2, activation="softplus")) == "SoftplusNeuron(2)"


def test_softplus_on_values_equals_the_delta_rule() -> None:
    model = nn.MLP(2, [3, 2], activations=["softplus", "softplus"], seed=6)
    X, T = [[0.5, -1.0], [2.0, 0.3]], [[1.0, 0.0], [0.0, 1.0]]
    assert _agrees_with_backward(model, X, T)
    n = nn.Neuron(1, activation="softplus", seed=0)
    n.w[0].data, n.b.data = 1.0, 0.0
    assert n([0.0]).data == pytest.approx(math.log(2.0), rel=1e-15)
