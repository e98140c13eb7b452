"""The delta rule, explicitly: the note's formulas on plain floats, no graph, no ``backward()``.

For a fully connected network (an ``MLP``) with the half-SSE error E = ½ Σ_k (t_k − y_k)²:

    forward:  z_j = Σ_i w_ij y_i + b_j,   y_j = f(z_j)        (y_i of the first layer are the inputs x_i)
    output:   δ_k = (t_k − y_k) f′(z_k)
    hidden:   δ_j = f′(z_j) Σ_k δ_k w_jk                       (k runs over the next layer)
    gradient: ∂E/∂w_ij = −δ_j y_i,   ∂E/∂b_j = −δ_j
    update:   Δw_ij = η δ_j y_i,     Δb_j = η δ_j               (a gradient-descent step, rate η)

The sign: the note's δ uses (t − y), so δ is −∂E/∂z, and Δw = η δ y *descends* the error. Over a
batch, E and the gradients are sums over the samples. ``output_error`` generalises the first line
to other losses: it returns e_k = −∂E/∂y_k (t_k − y_k for half-SSE), and δ_k = e_k f′(z_k).

Weights are read from an ``MLP``'s current parameters (w_ij is ``layers.L.neurons.j.w.i``), and the
results are keyed by the same names, so they can be set side by side with ``p.grad`` after
``backward()``.

This module is an **independent oracle** for ``backward()``: f and f′ of every activation are
written out below on plain floats with ``math`` only, in the note's formulas — nothing comes from
the engine's ops or their derivatives — so a wrong derivative in the engine makes the two disagree.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from nn.models.layers import MLP

LEAKY_SLOPE = 0.01
"""leaky_relu's slope for z ≤ 0 (written here again on purpose; a test checks it equals ``nn.models.activations``'s)."""


def _sigmoid(z: float) -> float:
    """y = 1 / (1 + e⁻ᶻ), without overflow for large |z| (e⁻|ᶻ| ≤ 1)."""
    if z >= 0.0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def _softplus(z: float) -> float:
    """y = ln(1 + eᶻ) = max(z, 0) + ln(1 + e⁻|ᶻ|), stable for large |z|."""
    return max(z, 0.0) + math.log1p(math.exp(-abs(z)))


@dataclass(frozen=True)
class Formula:
    """An activation on floats: y = f(z) and f′(z) given z and y (some derivatives are cheapest in y)."""

    f: Callable[[float], float]
    df: Callable[[float, float], float]


FORMULAS: dict[str, Formula] = {
    "sigmoid": Formula(_sigmoid, lambda z, y: y * (1.0 - y)),  # f′ = y(1 − y)
    "tanh": Formula(math.tanh, lambda z, y: 1.0 - y * y),  # f′ = 1 − y²
    "relu": Formula(lambda z: 0.0 if z <= 0.0 else z, lambda z, y: 0.0 if z <= 0.0 else 1.0),  # f′ = 1 if z > 0 else 0
    "leaky_relu": Formula(lambda z: z if z > 0.0 else LEAKY_SLOPE * z,
                          lambda z, y: 1.0 if z > 0.0 else LEAKY_SLOPE),  # f′ = 1 if z > 0 else 0.01
    "linear": Formula(lambda z: z, lambda z, y: 1.0),  # f′ = 1
    "softplus": Formula(_softplus, lambda z, y: _sigmoid(z)),  # f′ = σ(z)
}
"""f and f′ per activation name (the names of ``nn.models.activations``), in the note's formulas."""


def formula(name: str) -> Formula:
    """The float formulas of the activation called ``name`` (a ValueError if the delta rule lacks it)."""
    if name not in FORMULAS:
        raise ValueError(f"delta rule: no formula for activation {name!r}; known: {', '.join(FORMULAS)}")
    return FORMULAS[name]

OutputError = Callable[[list[float], Any], list[float]]
"""e = −∂E/∂y for one sample, given the output layer's y and the sample's target(s)."""


@dataclass
class Net:
    """A network's weights as floats: per layer, ``w[j][i]`` (neuron j, input i), ``b[j]``, and f."""

    w: list[list[list[float]]]
    b: list[list[float]]
    f: list[Formula]

    @classmethod
    def of(cls, model: MLP) -> Net:
        """The current weights of ``model`` (copied)."""
        return cls(
            [[[wi.data for wi in n.w] for n in layer.neurons] for layer in model.layers],
            [[n.b.data for n in layer.neurons] for layer in model.layers],
            [formula(layer.activation) for layer in model.layers],
        )


@dataclass
class Trace:
    """One sample's forward and backward quantities: ``y[0]`` is the input, then per layer L
    ``z[L]``, ``y[L + 1]`` and ``delta[L]``; ``error`` is e = −∂E/∂y at the output (t − y)."""

    z: list[list[float]]
    y: list[list[float]]
    delta: list[list[float]]
    error: list[float]


def half_sse_error(y: list[float], t: Any) -> list[float]:
    """e_k = t_k − y_k, i.e. −∂E/∂y_k for E = ½ Σ_k (t_k − y_k)²."""
    ts = [float(t)] if not hasattr(t, "__iter__") else [float(v) for v in t]
    if len(ts) != len(y):
        raise ValueError(f"delta rule: {len(y)} output(s) but {len(ts)} target(s)")
    return [tk - yk for tk, yk in zip(ts, y, strict=True)]


def forward(net: Net, x: Sequence[float]) -> tuple[list[list[float]], list[list[float]]]:
    """z_j = Σ_i w_ij y_i + b_j and y_j = f(z_j), layer by layer; returns (z per layer, y per layer)."""
    ys = [[float(v) for v in x]]
    zs: list[list[float]] = []
    for W, B, act in zip(net.w, net.b, net.f, strict=True):
        prev = ys[-1]
        if len(prev) != len(W[0]):
            raise ValueError(f"delta rule: layer expects {len(W[0])} input(s), got {len(prev)}")
        z = []
        for wj, bj in zip(W, B, strict=True):
            total = bj  # summed from b in input order, as the engine's dot
            for wij, yi in zip(wj, prev, strict=True):
                total += wij * yi
            z.append(total)
        zs.append(z)
        ys.append([act.f(v) for v in z])
    return zs, ys


def trace(net: Net, x: Sequence[float], t: Any, output_error: OutputError = half_sse_error) -> Trace:
    """Forward, then the deltas: δ_k = e_k f′(z_k) at the output, δ_j = f′(z_j) Σ_k δ_k w_jk below."""
    zs, ys = forward(net, x)
    last = len(zs) - 1
    e = output_error(ys[-1], t)
    deltas: list[list[float]] = [[]] * len(zs)
    deltas[last] = [ek * net.f[last].df(zk, yk) for ek, zk, yk in zip(e, zs[last], ys[-1], strict=True)]
    for L in range(last - 1, -1, -1):
        above, W_above, act = deltas[L + 1], net.w[L + 1], net.f[L]
        deltas[L] = [
            act.df(zj, yj) * sum_products(above, [wk[j] for wk in W_above])
            for j, (zj, yj) in enumerate(zip(zs[L], ys[L + 1], strict=True))
        ]
    return Trace(zs, ys, deltas, e)


def sum_products(a: list[float], b: list[float]) -> float:
    """Σ_k a_k b_k, left to right."""
    total = 0.0
    for ak, bk in zip(a, b, strict=True):
        total += ak * bk
    return total


@dataclass
class Gradients:
    """∂E/∂w_ij (``w[L][j][i]``), ∂E/∂b_j (``b[L][j]``) summed over a batch, and the error E."""

    w: list[list[list[float]]]
    b: list[list[float]]
    loss: float

    def named(self) -> dict[str, float]:
        """The gradients under the parameter names of ``MLP.named_parameters()``."""
        out: dict[str, float] = {}
        for L, (W, B) in enumerate(zip(self.w, self.b, strict=True)):
            for j, (wj, bj) in enumerate(zip(W, B, strict=True)):
                for i, g in enumerate(wj):
                    out[f"layers.{L}.neurons.{j}.w.{i}"] = g
                out[f"layers.{L}.neurons.{j}.b"] = bj
        return out


def gradients(net: Net, X: Sequence[Sequence[float]], T: Sequence[Any],
              output_error: OutputError = half_sse_error) -> Gradients:
    """∂E/∂w_ij = −Σ_samples δ_j y_i and ∂E/∂b_j = −Σ_samples δ_j, by the delta rule.

    ``loss`` is E = ½ Σ e² (the half-SSE) whatever ``output_error`` is.
    """
    if len(X) != len(T):
        raise ValueError(f"delta rule: {len(X)} input row(s) but {len(T)} target(s)")
    gw = [[[0.0] * len(wj) for wj in W] for W in net.w]
    gb = [[0.0] * len(B) for B in net.b]
    loss = 0.0
    for x, t in zip(X, T, strict=True):
        tr = trace(net, x, t, output_error)
        loss += 0.5 * sum_products(tr.error, tr.error)
        for L, deltas in enumerate(tr.delta):
            inputs = tr.y[L]
            for j, dj in enumerate(deltas):
                row = gw[L][j]
                for i, yi in enumerate(inputs):
                    row[i] -= dj * yi
                gb[L][j] -= dj
    return Gradients(gw, gb, loss)


def step(model: MLP, X: Sequence[Sequence[float]], T: Sequence[Any], eta: float,
         output_error: OutputError = half_sse_error) -> Gradients:
    """One explicit update of ``model`` in place: Δw_ij = η Σ δ_j y_i, Δb_j = η Σ δ_j (returns the gradients)."""
    g = gradients(Net.of(model), X, T, output_error)
    for L, layer in enumerate(model.layers):
        for j, n in enumerate(layer.neurons):
            for i, wi in enumerate(n.w):
                wi.data += eta * -g.w[L][j][i]  # −∂E/∂w_ij = δ_j y_i
            n.b.data += eta * -g.b[L][j]
    return g
