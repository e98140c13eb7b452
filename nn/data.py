"""Small data sets: XOR, two interleaving moons (generated here, seeded, no scikit-learn), the
study note's 2-2-1 example with initial weights that make its first prediction 0.8, and the 8×8
handwritten digits (a copy shipped in ``nn/datasets``, read offline).

Inputs are lists of float rows; labels are ints (0/1, or ±1 with ``signed=True``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from autograd import Value, no_grad
from nn import datasets
from nn.init import Seed, make_rng
from nn.layers import MLP

Rows = list[list[float]]


def xor(signed: bool = False) -> tuple[Rows, list[int]]:
    """The four XOR points: label 1 when exactly one input is 1 (−1/+1 with ``signed``)."""
    X = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
    y = [0, 1, 1, 0]
    return X, ([2 * t - 1 for t in y] if signed else y)


def moons(n: int = 100, noise: float = 0.1, seed: Seed = None, signed: bool = False) -> tuple[Rows, list[int]]:
    """Two interleaving half circles in the plane, ``n`` points, Gaussian noise of std ``noise``.

    The upper moon (label 0) is (cos θ, sin θ) and the lower one (label 1) is
    (1 − cos θ, ½ − sin θ) for θ evenly spaced over [0, π]; the points are shuffled, then the
    noise is added. ``signed=True`` gives labels −1/+1 (micrograd's demo uses ``y*2 - 1``).
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 2:
        raise ValueError(f"moons: n must be an int >= 2, got {n!r}")
    if isinstance(noise, bool) or not isinstance(noise, (int, float)) or not 0.0 <= noise < math.inf:
        raise ValueError(f"moons: noise must be a finite number >= 0, got {noise!r}")
    rng = make_rng(seed, "moons(seed)")
    n_upper = n // 2
    n_lower = n - n_upper

    def angles(k: int) -> list[float]:
        return [math.pi * i / (k - 1) for i in range(k)] if k > 1 else [0.0]

    points = [([math.cos(a), math.sin(a)], 0) for a in angles(n_upper)]
    points += [([1.0 - math.cos(a), 0.5 - math.sin(a)], 1) for a in angles(n_lower)]
    rng.shuffle(points)
    X = [[x + rng.gauss(0.0, noise), y + rng.gauss(0.0, noise)] for (x, y), _ in points]
    labels = [label for _, label in points]
    return X, ([2 * t - 1 for t in labels] if signed else labels)


def digits(seed: Seed = 0, test_size: int = datasets.TEST_SIZE) -> tuple[Rows, list[int], Rows, list[int]]:
    """The 8×8 handwritten digits: ``(X_train, y_train, X_test, y_test)``.

    1,797 images (the UCI optdigits test set as shipped in scikit-learn, CC BY 4.0), each a list of
    64 pixels row by row scaled from 0–16 to [0, 1], labels 0–9; a stratified split shuffled by
    ``seed``: 1,437 training and 360 test images by default (every class in proportion). Read from
    the copy shipped with ``nn`` (no network); ``image(row)`` reshapes a row for ``nn.Conv2d``.
    """
    return datasets.split(seed, test_size)


def image(row: Sequence[float], side: int = datasets.SIDE) -> list[list[list[float]]]:
    """A flat row of side² pixels as a one-channel image ``[channel][row][column]`` (for ``nn.Conv2d``)."""
    if len(row) != side * side:
        raise ValueError(f"image: expected {side * side} pixels for a {side}×{side} image, got {len(row)}")
    return [[list(row[r * side : (r + 1) * side]) for r in range(side)]]


# -- the study note's example ------------------------------------------------------------------
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
