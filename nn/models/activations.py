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

As modules (for ``nn.Sequential``, as PyTorch's): ``nn.Sigmoid()``, ``nn.Tanh()``, ``nn.ReLU()``,
``nn.LeakyReLU()``, ``nn.Identity()`` and ``nn.Softplus()`` apply f to every element of a list or an
image; each is an ``Activate`` (``Activate('relu')`` makes an ``nn.ReLU``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from autograd import Op, Value, ops
from autograd.engine import make_node
from nn.models.module import Module

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


class Activate(Module):
    """y = f(x) for every element of a list or nested list (an image), f one of ``NAMES``; f′ as above.

    ``Activate(name)`` returns the class for that activation (``Activate('relu')`` is an ``nn.ReLU``), so
    ``isinstance(m, nn.ReLU)`` holds however the module was made (also when loaded from a file).
    """

    kind = ""  # the activation's name, set by each subclass

    def __new__(cls, activation: str | None = None) -> Activate:
        if cls is Activate:
            cls = MODULES[get(activation, "Activate").name]
        return super().__new__(cls)

    def __init__(self, activation: str | None = None) -> None:
        if activation is not None and get(activation, type(self).__name__).name != self.kind:
            raise ValueError(f"{type(self).__name__}: is the {self.kind!r} activation, got activation={activation!r}")
        self.activation = self.kind

    def forward(self, x: Any) -> Any:
        act = ACTIVATIONS[self.activation]
        return self._map(act.on_value, act.op, x)

    def _map(self, f: Any, op: Op | None, x: Any) -> Any:
        if isinstance(x, (list, tuple)):
            if op is not None and all(type(v) is Value for v in x):  # a row of nodes: one op node each
                fwd = op.forward
                return [make_node(fwd(v.data), op, v) for v in x]
            return [self._map(f, op, v) for v in x]
        return f(x if isinstance(x, Value) else Value(x))

    def architecture(self) -> dict[str, Any]:
        return {"type": "Activate", "activation": self.activation}

    @classmethod
    def from_architecture(cls, arch: Mapping[str, Any]) -> Activate:
        return Activate(arch["activation"])

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Sigmoid(Activate):
    """y = σ(x) = 1/(1 + e⁻ˣ) elementwise;  f′ = y(1 − y)."""

    kind = "sigmoid"


class Tanh(Activate):
    """y = tanh x elementwise;  f′ = 1 − y²."""

    kind = "tanh"


class ReLU(Activate):
    """y = max(0, x) elementwise;  f′ = 1 for x > 0, else 0."""

    kind = "relu"


class LeakyReLU(Activate):
    """y = x for x > 0, else 0.01·x elementwise;  f′ = 1 for x > 0, else 0.01."""

    kind = "leaky_relu"


class Identity(Activate):
    """y = x (the ``linear`` activation);  f′ = 1."""

    kind = "linear"


class Softplus(Activate):
    """y = ln(1 + eˣ) elementwise;  f′ = σ(x)."""

    kind = "softplus"


MODULES: dict[str, type[Activate]] = {m.kind: m for m in (Sigmoid, Tanh, ReLU, LeakyReLU, Identity, Softplus)}
"""The module class of each activation, by name."""
