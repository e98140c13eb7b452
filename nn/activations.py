"""The activations a neuron can use, y = f(z), as nodes of the graph (``backward()`` finds f′ in the engine).

Each entry records its activation on a ``Value`` — ``on_value(z)`` is one node whose local
derivative the engine's op supplies. The derivatives, in the note's notation:

* sigmoid:     y = 1 / (1 + e⁻ᶻ)              f′(z) = y (1 − y)
* tanh:        y = tanh z                      f′(z) = 1 − y²
* relu:        y = max(0, z)                   f′(z) = 1 for z > 0, else 0 (0 at the kink)
* leaky_relu:  y = z for z > 0, else 0.01·z    f′(z) = 1 for z > 0, else 0.01
* linear:      y = z                           f′(z) = 1
* softplus:    y = ln(1 + eᶻ)                  f′(z) = σ(z) = 1 / (1 + e⁻ᶻ)

The same formulas on plain floats are written out, independently of the engine, in ``nn.delta``
(the delta rule is an oracle for ``backward()``, so it must not borrow the engine's derivatives).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from autograd import Op, Value, ops

LEAKY_SLOPE = 0.01
"""The slope of ``leaky_relu`` for z ≤ 0 (the engine's default, as PyTorch's)."""


@dataclass(frozen=True)
class Activation:
    """An activation: its name, how a neuron's ``repr`` shows it, and y = f(z) as a node."""

    name: str
    title: str  # the neuron's repr prefix, micrograd's style: 'ReLU' → ReLUNeuron(2)
    on_value: Callable[[Value], Value]
    op: Op | None = None  # the one-input op ``on_value`` records, when it is exactly one node (for ``dense``)


def _identity(z: Value) -> Value:
    """y = z;  f′(z) = 1 (no node)."""
    return z


def _leaky(z: Value) -> Value:
    """y = z for z > 0, else 0.01·z;  f′(z) = 1 for z > 0, else 0.01."""
    return z.leaky_relu(LEAKY_SLOPE)


def _softplus(z: Value) -> Value:
    """y = ln(1 + eᶻ);  f′(z) = σ(z) — the engine's built-in ``Value.softplus()`` (one node)."""
    return z.softplus()


ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in (
        Activation("sigmoid", "Sigmoid", lambda z: z.sigmoid(), ops.SIGMOID),
        Activation("tanh", "Tanh", lambda z: z.tanh(), ops.TANH),
        Activation("relu", "ReLU", lambda z: z.relu(), ops.RELU),
        Activation("leaky_relu", "LeakyReLU", _leaky),  # the op takes the slope: not a plain one-input op
        Activation("linear", "Linear", _identity),
        Activation("softplus", "Softplus", _softplus, ops.SOFTPLUS),
    )
}

NAMES: tuple[str, ...] = tuple(ACTIVATIONS)


def get(name: object, where: str = "activation") -> Activation:
    """The activation called ``name``, or a ValueError listing the valid names."""
    if isinstance(name, str) and name in ACTIVATIONS:
        return ACTIVATIONS[name]
    raise ValueError(f"{where}: unknown activation {name!r}; choose one of {', '.join(NAMES)}")
