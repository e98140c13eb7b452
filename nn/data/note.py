"""The study note's example: the 2-2-1 network whose first prediction is 0.8 for the target 1.

Forward z_j = Σ_i w_ij x_i + b_j, y_j = σ(z_j) in the hidden layer and at the output; the weights are the
note's, and the output bias b_k is solved for so that the first prediction is exactly 0.8.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from autograd import Value, no_grad
from nn.models.init import Seed, make_rng
from nn.models.layers import MLP

Rows = list[list[float]]

NOTE_INPUT = [1.0, 0.5]
NOTE_TARGET = 1.0
NOTE_FIRST_PREDICTION = 0.8

NOTE_WEIGHTS: dict[str, float] = {
    # hidden neuron j = 0, 1: z_j = w_0j x_0 + w_1j x_1 + b_j,  y_j = σ(z_j)
    "layers.0.neurons.0.w.0": 0.5,
    "layers.0.neurons.0.w.1": -0.3,
    "layers.0.neurons.0.b": 0.1,
    "layers.0.neurons.1.w.0": 0.2,
    "layers.0.neurons.1.w.1": 0.8,
    "layers.0.neurons.1.b": -0.1,
    # output k: z_k = w_0k y_0 + w_1k y_1 + b_k,  y_k = σ(z_k); b_k is solved for (see note_model)
    "layers.1.neurons.0.w.0": 0.6,
    "layers.1.neurons.0.w.1": 0.9,
}


def note_example() -> tuple[Rows, list[float]]:
    """The note's single training sample: input (x_0, x_1) and target t = 1."""
    return [list(NOTE_INPUT)], [NOTE_TARGET]


def _inverse(activation: str, y: float) -> float:
    """z with f(z) = y for the output activation f (the logit for sigmoid)."""
    if activation == "sigmoid" and 0.0 < y < 1.0:
        return math.log(y / (1.0 - y))
    if activation == "tanh" and -1.0 < y < 1.0:
        return math.atanh(y)
    if activation == "linear" or (activation in ("relu", "leaky_relu") and y > 0.0):
        return y
    raise ValueError(f"set_first_prediction: a {activation} output cannot produce {y!r}")


def set_first_prediction(model: MLP, x: Any, y0: float) -> float:
    """Set the output neuron's bias so that ``model(x)`` is y0 (to float rounding); return the bias.

    With y_k = f(z_k) and z_k = Σ_j w_jk y_j + b_k, the bias is b_k = f⁻¹(y0) − Σ_j w_jk y_j.
    """
    out = model.layers[-1]
    if len(out.neurons) != 1:
        raise ValueError("set_first_prediction: the model must have exactly one output")
    neuron = out.neurons[0]
    with no_grad():
        hidden: Any = x
        for layer in model.layers[:-1]:
            hidden = layer.forward(hidden)
        ys = [v.data if isinstance(v, Value) else float(v) for v in (hidden if isinstance(hidden, list) else x)]
    weighted = 0.0
    for w, yj in zip(neuron.w, ys, strict=True):
        weighted += w.data * yj
    neuron.b.data = _inverse(neuron.activation, y0) - weighted
    return neuron.b.data


def note_model(hidden: Sequence[int] = (2,), activation: str = "sigmoid", seed: Seed = 0) -> MLP:
    """The note's network: 2 inputs, ``hidden`` layer sizes, 1 sigmoid output whose first prediction is 0.8.

    The default 2-2-1 sigmoid network takes ``NOTE_WEIGHTS``; other shapes start from seeded
    uniform(−1, 1) weights. Either way the output bias is solved so that the prediction for the
    note's input is 0.8.
    """
    sizes = [*hidden, 1]
    model = MLP(2, sizes, activation, "sigmoid", seed=make_rng(seed, "note_model(seed)"))
    if list(hidden) == [2] and activation == "sigmoid":
        state = model.state_dict()
        state.update(NOTE_WEIGHTS)
        model.load_state_dict(state)
    set_first_prediction(model, NOTE_INPUT, NOTE_FIRST_PREDICTION)
    return model
