"""A network computed with every neuron written out, for drawing on a slide: z = w_0·x_0 + w_1·x_1 + b.

``MLP`` and ``Layer`` compute each neuron's z_j = Σ_i w_ij x_i + b_j as **one** node (``linear`` or,
over plain numbers, ``linear_c``): fast, and a drawing of a network stays small — but a lecture
on the forward pass wants to point at each product w_ij · x_i and each sum. ``written_out(model, x)``
computes the same outputs from the same parameter nodes with one ``*`` node per weight and one ``+``
node per term, then the neuron's activation y_j = f(z_j); plain-number inputs become leaves named
``x_0``, ``x_1``, … (the note's x_i). ∂z/∂w_i = x_i, ∂z/∂x_i = w_i and ∂z/∂b = 1 then show edge by edge.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from autograd import Value
from nn.models.layers import MLP, Layer, Neuron


def _neuron(n: Neuron, xs: Sequence[Value]) -> Value:
    z: Value = n.w[0] * xs[0]  # w_0·x_0 + w_1·x_1 + … + b, left to right
    for w, x in zip(n.w[1:], xs[1:], strict=True):
        z = z + w * x
    return n._act.on_value(z + n.b)


def written_out(model: MLP | Layer | Neuron, x: Any) -> Value | list[Value]:
    """``model(x)``, each neuron as separate ``*`` and ``+`` nodes (see the module docstring)."""
    if not isinstance(model, (MLP, Layer, Neuron)):
        raise TypeError(f"written_out: expected an MLP, a Layer or a Neuron, got {type(model).__name__}")
    items = list(x) if isinstance(x, (list, tuple)) else [x]
    xs = [v if isinstance(v, Value) else Value(v, label=f"x_{i}") for i, v in enumerate(items)]
    layers: list[Any] = model.layers if isinstance(model, MLP) else [model]
    for layer in layers:
        neurons = layer.neurons if isinstance(layer, Layer) else [layer]
        if len(xs) != len(neurons[0].w):
            raise ValueError(f"written_out: {type(layer).__name__} expects {len(neurons[0].w)} input(s), got {len(xs)}")
        xs = [_neuron(n, xs) for n in neurons]
    return xs[0] if len(xs) == 1 else xs
