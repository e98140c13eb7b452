"""How the steps call the nodes: labels, parameter names, the note's z/y/δ of each neuron, ``v{i}``.

* A node given a name (``names=model``: ``named_parameters()``, a mapping or pairs) is called by it
  (``layers.0.neurons.1.w.0``); else by its label; else ``v{i}``, its number in ``draw_dot``.
* A neuron of a model is ``layers.L.neurons.J``: the node computed from its parameters is its
  z = Σ_i w_i x_i + b, and the one-input node after it its y = f(z). In a two-layer network
  (the note's 2-2-1) the output neurons are k and the hidden ones j, as in the note: z_k, y_k,
  δ_k at the output (z_k0, z_k1, … when there are several), z_j0, y_j0, δ_j0, … below. In other
  models a neuron is named by its path: z[L0.n1].
* The note's δ of a neuron is δ = −∂E/∂z (its δ_k = (t − y_k) f′(z_k) for E = ½ Σ (t − y)²),
  so that Δw_ij = η δ_j y_i descends the error.
"""

from __future__ import annotations

import re
from typing import Any

from autograd.drawing.groups import named_values, owner_of
from autograd.drawing.labels import visible
from autograd.engine import Value
from autograd.graph import parents_of

_NEURON = re.compile(r"^(?:(.*)\.)?layers\.(\d+)\.neurons\.(\d+)$")


def fmt(x: float, digits: int = 4) -> str:
    """A number as the steps print it: ``digits`` decimals (−0.0320), or ``digits`` significant digits
    when tiny or huge (4.565e−05, never 0.0000)."""
    if x != x or x in (float("inf"), float("-inf")):
        text = str(x)
    elif x == 0.0 or 10.0 ** (1 - digits) <= abs(x) < 1e5:
        text = f"{x:.{digits}f}"
    else:
        text = f"{x:.{digits}g}"
    return text.replace("-", "−")


def check_precision(precision: object, what: str) -> int:
    """``precision`` if it is an int from 1 to 17 (digits to print), else a ValueError naming ``what``."""
    if isinstance(precision, bool) or not isinstance(precision, int) or not 1 <= precision <= 17:
        raise ValueError(f"{what}: precision (digits to print) must be an int from 1 to 17, got {precision!r}")
    return precision


def _pairs(names: Any) -> list[tuple[str, Value]]:
    try:
        return named_values(names)
    except TypeError as e:
        raise TypeError(str(e).replace("draw_dot(groups=...)", "explain(names=...)")) from None


class Naming:
    """The name of every node of one graph (see the module docstring)."""

    def __init__(self, root: Value, order: list[Value], names: Any = None) -> None:
        self.index = {v: i for i, v in enumerate(order)}
        self.root = root
        pairs = _pairs(names) if names is not None else []
        self.given = {v: visible(name) for name, v in pairs}  # user text: shown with visible escapes
        self.root_name = visible(root.label) or (self.given.get(root) or ("E" if pairs else "L"))
        self.neuron: dict[Value, str] = {}  # z of a neuron → its letter-and-index (k, j0, [L0.n1])
        self.roles: dict[Value, str] = {}
        if pairs:
            self._find_neurons(order, pairs)

    def _find_neurons(self, order: list[Value], pairs: list[tuple[str, Value]]) -> None:
        owners = {v: owner_of(name) for name, v in pairs}
        neurons: dict[str, tuple[int, int]] = {}
        for owner in set(owners.values()):
            m = _NEURON.match(owner)
            if m:
                neurons[owner] = (int(m.group(2)), int(m.group(3)))
        if not neurons:
            return
        layers = max(L for L, _ in neurons.values()) + 1
        width = {L: 1 + max(J for L2, J in neurons.values() if L2 == L) for L, _ in neurons.values()}

        def call(owner: str) -> str:
            L, J = neurons[owner]
            if layers == 2:
                letter = "k" if L == 1 else "j"
                return letter if width[L] == 1 else f"{letter}{J}"
            return f"[L{L}.n{J}]"

        consumers: dict[Value, list[Value]] = {}
        for v in order:
            for p in parents_of(v):
                consumers.setdefault(p, []).append(v)
        for v in order:
            if v in owners or v.is_leaf:
                continue
            found = {owners[p] for p in parents_of(v) if p in owners}
            if len(found) == 1 and (owner := found.pop()) in neurons:
                sub = call(owner)
                self.neuron[v], self.roles[v] = sub, f"z_{sub}"
                ps = parents_of(v)
                if neurons[owner][0] == 0 and len(ps) % 2 == 1:  # the first layer's inputs are the x_i
                    k = len(ps) // 2
                    for i, x in enumerate(ps[k : 2 * k]):
                        if x.is_leaf and x not in owners:
                            self.roles.setdefault(x, f"x_{i}")
                after = consumers.get(v, [])
                if len(after) == 1 and len(parents_of(after[0])) == 1:
                    self.roles[after[0]] = f"y_{sub}"

    def name(self, v: Value) -> str:
        if v is self.root:  # the output is E (or L) in every step: ∂E/∂E · ∂E/∂v17, as the drawing shows it
            return self.root_name
        if v in self.given:
            return self.given[v]
        if v.label:
            return visible(v.label)
        if v in self.roles:  # the note's z, y and x of a model's neurons
            return self.roles[v]
        return f"v{self.index[v]}"

    def delta_of(self, v: Value, grad: float) -> tuple[str, float] | None:
        """The note's (δ name, δ = −∂E/∂z) when ``v`` is a neuron's z with gradient ``grad``, else None."""
        sub = self.neuron.get(v)
        return None if sub is None else (f"δ_{sub}", -grad)
