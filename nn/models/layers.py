"""``Neuron``, ``Layer`` and ``MLP``: micrograd's API, with one fused node per neuron.

A neuron j computes z_j = Σ_i w_ij x_i + b_j and y_j = f(z_j). The sum is recorded as **one**
n-ary node (``autograd.dot``) instead of micrograd's 2n + 1 nodes, which is most of why a training
step is fast: backward visits a node once and gets every local derivative from one loop,
∂z_j/∂w_ij = x_i, ∂z_j/∂x_i = w_ij, ∂z_j/∂b_j = 1. The float is the same as micrograd's (summed
from b in input order), so gradients agree with micrograd's to rounding.

As in micrograd: ``MLP(2, [16, 16, 1])`` has ReLU hidden layers and a linear output, weights from
uniform(−1, 1) and zero biases; calling it on a list of floats, a numpy row or ``Value``s returns a
``Value`` when the last layer has one output and a list otherwise. Unlike micrograd's, a one-wide
hidden layer works: ``MLP(2, [16, 1, 1])`` (micrograd's ``Layer`` unwraps its single output to a
bare ``Value``, which the next layer then cannot iterate over; here layers pass lists between
them, and a layer with one input also accepts a bare ``Value`` or number).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Union

import nn.models.activations as acts
import nn.models.init as initialise
from autograd import Value, dot
from autograd.errors import as_number
from autograd.reductions import Row, dense, dense_const, dense_rows, parent_rows
from nn.models.module import Module

Inputs = Union[Value, float, Iterable[Any]]


def _count(n: object, what: str) -> int:
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"{what} must be a positive int, got {n!r}")
    return n


def as_values(x: Inputs, nin: int, where: object) -> tuple[Value, ...]:
    """The inputs as a tuple of ``nin`` nodes: numbers become leaves once here, not once per neuron.

    ``where`` (the layer or neuron) names the caller in the error message.
    """
    if isinstance(x, Value) or (not isinstance(x, (str, bytes)) and not hasattr(x, "__iter__")):
        items: list[Any] = [x]
    else:
        items = list(x)
    if len(items) != nin:
        name = f"Layer({nin}→{len(where.neurons)})" if isinstance(where, Layer) else repr(where)
        raise ValueError(f"{name}: expected {nin} input(s), got {len(items)}; inputs: {_preview(items)}")
    for v in items:
        if type(v) is not Value:
            return tuple(v if isinstance(v, Value) else Value(v) for v in items)
    return tuple(items)  # a tuple: autograd.dot takes it as it is


def plain_numbers(x: Inputs, nin: int) -> tuple[float, ...] | None:
    """``x`` as a tuple of ``nin`` floats when it is a list or tuple of plain ``float``/``int`` (data such
    as pixels), else None. A layer keeps such inputs as constants: no leaf node per input."""
    if type(x) is not list and type(x) is not tuple:
        return None
    if len(x) != nin:
        return None
    for v in x:
        if type(v) is not float and (type(v) is not int):
            return None
    try:
        return tuple(map(float, x))
    except OverflowError:  # an int beyond the floats: name it (as_number's message)
        for i, v in enumerate(x):
            as_number(v, f"layer input [{i}]")
        raise


def _preview(items: list[Any]) -> str:
    text = repr(items)
    return text if len(text) <= 80 else text[:77] + "..."


class Neuron(Module):
    """One neuron: y = f(Σ_i w_i x_i + b).

    ``Neuron(nin, nonlin=True)`` is micrograd's: ReLU if ``nonlin`` else linear. ``activation``
    (one of ``nn.models.activations.NAMES``) takes precedence over ``nonlin`` when given. ``init`` picks the
    weight scheme (``nn.models.init``), ``seed`` an int, a ``random.Random`` or None (the global ``random``).
    """

    def __init__(
        self,
        nin: int,
        nonlin: bool = True,
        *,
        activation: str | None = None,
        init: str = "uniform",
        seed: initialise.Seed = None,
        fan_out: int = 1,
    ) -> None:
        _count(nin, "Neuron: nin (number of inputs)")
        self.activation = activation if activation is not None else ("relu" if nonlin else "linear")
        rng = initialise.make_rng(seed, "Neuron(seed)")
        self.w = [Value(v) for v in initialise.weights(initialise.check_scheme(init, "Neuron"), nin, fan_out, rng)]
        self.b = Value(0.0)

    @property
    def activation(self) -> str:
        """The activation's name; setting it changes what the neuron computes."""
        return self._act.name

    @activation.setter
    def activation(self, name: str) -> None:
        self._act = acts.get(name, "Neuron")
        self._f = self._act.on_value

    @property
    def nonlin(self) -> bool:
        """micrograd's flag: True unless the neuron is linear (setting it picks ReLU or linear)."""
        return self._act.name != "linear"

    @nonlin.setter
    def nonlin(self, value: bool) -> None:
        self.activation = "relu" if value else "linear"

    def fire(self, xs: Sequence[Value]) -> Value:
        """y = f(z), z = Σ w_i x_i + b as one node; ``xs`` must already be ``nin`` nodes."""
        return self._f(dot(self.w, xs, self.b))

    def forward(self, x: Inputs) -> Value:
        """y = f(Σ_i w_i x_i + b) for ``nin`` inputs (nodes or numbers)."""
        return self.fire(as_values(x, len(self.w), self))

    def architecture(self) -> dict[str, Any]:
        return {"type": "Neuron", "nin": len(self.w), "activation": self.activation}

    @classmethod
    def from_architecture(cls, arch: Mapping[str, Any]) -> Neuron:
        return cls(arch["nin"], activation=arch["activation"], seed=0)

    def __repr__(self) -> str:
        return f"{self._act.title}Neuron({len(self.w)})"


class _Checked:
    """What ``Layer._rows`` checked last: the layer's width, copies of its neurons' weight lists, their
    biases, and the rows and parent tuples built from them.

    Derived data, revalidated against the neurons' own ``w`` lists and ``b`` on every call, so it is
    kept in a ``__slots__`` object (no ``__dict__``), which the structure guard of ``autograd.compile``
    does not walk (``autograd/compiler/guard.py``): the guard compares the neurons' lists themselves,
    and comparing these copies too on each compiled call would only cost time. Replaced whole, never
    changed in place, so a thread reads one consistent check.
    """

    __slots__ = ("nin", "ws", "bs", "rows", "parents")

    def __init__(self, nin: int, ws: list[list[Value]], bs: list[Value], rows: tuple[Row, ...],
                 parents: tuple[tuple[Value, ...], ...]) -> None:
        self.nin, self.ws, self.bs, self.rows, self.parents = nin, ws, bs, rows, parents


class Layer(Module):
    """``nout`` neurons over the same ``nin`` inputs; keyword arguments go to each ``Neuron``."""

    def __init__(self, nin: int, nout: int, **kwargs: Any) -> None:
        _count(nin, "Layer: nin (number of inputs)")
        _count(nout, "Layer: nout (number of neurons)")
        kwargs["seed"] = initialise.make_rng(kwargs.get("seed"), "Layer(seed)")  # one stream for all neurons
        kwargs.setdefault("fan_out", nout)
        self.neurons = [Neuron(nin, **kwargs) for _ in range(nout)]
        self.nin = nin

    def forward(self, x: Inputs) -> list[Value]:
        """Every neuron's output, always as a list (inputs are converted to nodes once).

        Each neuron j gives one ``linear`` node z_j = Σ_i w_ij x_i + b_j (``linear_c`` when the
        inputs are a list of plain numbers, kept as its constant) and one activation node
        y_j = f(z_j) — the same nodes as ``Neuron.fire`` — built by ``autograd.reductions.dense``
        from the weights the neurons hold *now* (``n.w[0] = Value(…)``, ``layer.neurons.append(…)``
        or ``n.activation = "tanh"`` take effect on the next call: only the check of the parameters
        is kept between calls, and only while they are the very same objects, see ``_rows``).
        """
        data = plain_numbers(x, self.nin)  # data (pixels): kept as constants, no node per input
        neurons = self.neurons
        rows, parents = self._rows(neurons)
        act = neurons[0]._act
        shared = all(n._act is act for n in neurons) and (act.op is not None or act.name == "linear")
        if data is None:
            zs = dense(rows, as_values(x, self.nin, self), act.op if shared else None)
        else:
            zs = dense_const(parents, data, act.op if shared else None)
        if shared:
            return zs  # y_j = f(z_j) with one shared one-input op (or y_j = z_j)
        return [n._f(z) for n, z in zip(neurons, zs, strict=True)]

    _checked: _Checked | None = None

    def _rows(self, neurons: list[Neuron]) -> tuple[tuple[Row, ...], tuple[tuple[Value, ...], ...]]:
        """The neurons' current weights and biases, checked (``dense_rows``), and as parent tuples.

        The last check is reused only while every weight and bias is the very same object as then
        (compared by identity, ``Value``'s ``==``, in C: a small part of a full check), so any edit
        (``n.w[0] = Value(…)``, ``n.b = …``, a new neuron) is seen on the next call. Reusing the
        parent tuples lets ``backward()`` see a row's leaves once per pass, not once per sample.
        """
        ws, bs = [n.w for n in neurons], [n.b for n in neurons]
        last = self._checked
        if last is not None and last.nin == self.nin and last.bs == bs and last.ws == ws:
            return last.rows, last.parents
        for w in ws:
            if len(w) != self.nin:
                raise ValueError(f"{self!r}: a neuron has {len(w)} weights but the layer has {self.nin} inputs")
        rows = dense_rows(ws, bs)
        self._checked = _Checked(self.nin, [list(w) for w in ws], bs, rows, parent_rows(rows))
        return rows, self._checked.parents

    squeeze = True  # micrograd's rule: one output is returned as that Value (``forward`` always gives a list)

    @property
    def activation(self) -> str:
        return self.neurons[0].activation

    def architecture(self) -> dict[str, Any]:
        return {"type": "Layer", "nin": self.nin, "nout": len(self.neurons), "activation": self.activation}

    @classmethod
    def from_architecture(cls, arch: Mapping[str, Any]) -> Layer:
        return cls(arch["nin"], arch["nout"], activation=arch["activation"], seed=0)

    def __repr__(self) -> str:
        return f"Layer of [{', '.join(str(n) for n in self.neurons)}]"


class MLP(Module):
    """A fully connected network: ``MLP(nin, nouts)``, layer k with ``nouts[k]`` neurons.

    By default (micrograd's) the hidden layers use ``activation='relu'`` and the last layer
    ``output_activation='linear'``; ``activations`` (one name per layer) sets every layer at once.
    ``init`` and ``seed`` choose the initial weights (see ``nn.models.init``).
    """

    def __init__(
        self,
        nin: int,
        nouts: Sequence[int],
        activation: str = "relu",
        output_activation: str = "linear",
        *,
        activations: Sequence[str] | None = None,
        init: str = "uniform",
        seed: initialise.Seed = None,
    ) -> None:
        _count(nin, "MLP: nin (number of inputs)")
        if isinstance(nouts, (str, bytes)) or not isinstance(nouts, Sequence) or len(nouts) == 0:
            raise ValueError(f"MLP: nouts must be a non-empty list of layer sizes such as [16, 16, 1], got {nouts!r}")
        sizes = [nin, *(_count(n, f"MLP: layer size nouts[{k}]") for k, n in enumerate(nouts))]
        if activations is None:
            names = [activation] * (len(nouts) - 1) + [output_activation]
        else:
            names = list(activations)
            if len(names) != len(nouts):
                raise ValueError(f"MLP: activations needs one name per layer ({len(nouts)}), got {names!r}")
        rng = initialise.make_rng(seed, "MLP(seed)")
        self.layers = [
            Layer(sizes[k], sizes[k + 1], activation=acts.get(names[k], f"MLP: layer {k}").name, init=init, seed=rng)
            for k in range(len(nouts))
        ]
        self.nin = nin

    def forward(self, x: Inputs) -> list[Value]:
        """The output layer's values, always as a list."""
        out: Any = x
        for layer in self.layers:
            out = layer.forward(out)
        result: list[Value] = out
        return result

    squeeze = True  # micrograd's rule: one output is returned as that Value (``forward`` always gives a list)

    @property
    def sizes(self) -> list[int]:
        """[nin, n_1, …, n_out]."""
        return [self.nin, *(len(layer.neurons) for layer in self.layers)]

    def architecture(self) -> dict[str, Any]:
        return {
            "type": "MLP",
            "nin": self.nin,
            "nouts": self.sizes[1:],
            "activations": [layer.activation for layer in self.layers],
        }

    @classmethod
    def from_architecture(cls, arch: Mapping[str, Any]) -> MLP:
        return cls(arch["nin"], list(arch["nouts"]), activations=list(arch["activations"]), seed=0)

    def __repr__(self) -> str:
        return f"MLP of [{', '.join(str(layer) for layer in self.layers)}]"

