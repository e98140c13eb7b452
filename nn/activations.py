"""The activations a layer can use, each as y = f(z) and its derivative f′(z), in the note's notation.

One table serves both worlds: ``on_value`` records the activation as a node of the graph (so that
``backward()`` finds f′ in ``autograd.ops``), and ``f`` / ``df`` are that op's own forward and
local derivative on plain floats, used by the explicit delta rule (``nn.delta``). ``df(z, y)``
takes both the pre-activation z and the output y = f(z) because some derivatives are cheapest in
terms of y:

* sigmoid:     y = 1 / (1 + e⁻ᶻ)              f′(z) = y (1 − y)
* tanh:        y = tanh z                      f′(z) = 1 − y²
* relu:        y = max(0, z)                   f′(z) = 1 for z > 0, else 0 (0 at the kink)
* leaky_relu:  y = z for z > 0, else 0.01·z    f′(z) = 1 for z > 0, else 0.01
* linear:      y = z                           f′(z) = 1
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from autograd import Op, Value, ops

LEAKY_SLOPE = 0.01
"""The slope of ``leaky_relu`` for z ≤ 0 (the engine's default, as PyTorch's)."""


@dataclass(frozen=True)
class Activation:
    """An activation: its name, how a neuron's ``repr`` shows it, and f, f′ on nodes and floats."""

    name: str
    title: str  # the neuron's repr prefix, micrograd's style: 'ReLU' → ReLUNeuron(2)
    on_value: Callable[[Value], Value]
    f: Callable[[float], float]
    df: Callable[[float, float], float]  # f′(z) given z and y = f(z)
    op: Op | None = None  # the one-input op ``on_value`` records, when it is exactly one node (for ``dense``)


def _identity(z: Value) -> Value:
    return z


def _leaky(z: Value) -> Value:
    return z.leaky_relu(LEAKY_SLOPE)


def _derivative(op: Op, c: float | None = None) -> Callable[[float, float], float]:
    """f′(z) from the op's own local derivative in ``autograd/ops.py`` (the one definition)."""
    return lambda z, y: op.deriv(z, y, c)


ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in (
        Activation("sigmoid", "Sigmoid", lambda z: z.sigmoid(), ops.SIGMOID.forward, _derivative(ops.SIGMOID),
                   ops.SIGMOID),
        Activation("tanh", "Tanh", lambda z: z.tanh(), ops.TANH.forward, _derivative(ops.TANH), ops.TANH),
        Activation("relu", "ReLU", lambda z: z.relu(), ops.RELU.forward, _derivative(ops.RELU), ops.RELU),
        Activation(
            "leaky_relu",
            "LeakyReLU",
            _leaky,
            lambda z: ops.LEAKY_RELU.forward(z, LEAKY_SLOPE),
            _derivative(ops.LEAKY_RELU, LEAKY_SLOPE),
        ),
        Activation("linear", "Linear", _identity, lambda z: z, lambda z, y: 1.0),
    )
}

NAMES: tuple[str, ...] = tuple(ACTIVATIONS)


def get(name: object, where: str = "activation") -> Activation:
    """The activation called ``name``, or a ValueError listing the valid names."""
    if isinstance(name, str) and name in ACTIVATIONS:
        return ACTIVATIONS[name]
    raise ValueError(f"{where}: unknown activation {name!r}; choose one of {', '.join(NAMES)}")
