"""``Module``: the base of neurons, layers and networks — parameters with stable names, and their state.

A module's parameters are the ``Value`` leaves found in its public attributes: a ``Value``, a
module, or a list/tuple of those, searched in the order the attributes were set. Their names are
the attribute paths joined with dots, so an ``MLP`` names its parameters
``layers.0.neurons.1.w.0`` (layer 0, neuron 1, weight from input 0) and ``layers.0.neurons.1.b``.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from typing import Any

import nn.serialize as serialize
from autograd import Value
from autograd.errors import as_number


class Module:
    """Base class: ``parameters()``, ``named_parameters()``, ``zero_grad()``, state and JSON files.

    Subclasses set their parameters as attributes (``self.w = [...]``, ``self.b = Value(0.0)``,
    ``self.layers = [...]``) and implement ``forward`` (PyTorch's rule: ``module(x)`` calls it). A
    subclass that can be rebuilt from a saved file implements ``architecture()`` and
    ``from_architecture()``; ``nn.load_model`` rebuilds the classes ``nn`` ships, and a subclass of
    one's own once registered with ``nn.architectures.register`` (nothing is registered by merely
    subclassing).
    """

    # -- parameters ----------------------------------------------------------------------------
    def named_parameters(self, prefix: str = "") -> list[tuple[str, Value]]:
        """``(name, parameter)`` pairs in a stable order; a parameter reachable twice is listed once."""
        names: list[str] = []
        params = self._collect(prefix, names)
        return list(zip(names, params, strict=True))

    def parameters(self) -> list[Value]:
        """The parameters (``Value`` leaves) in the order of ``named_parameters()``, each once.

        The one source of the parameter list (the same walk as ``named_parameters()``, without
        building the names): subclasses do not override it, so an optimiser, ``l2`` and
        ``zero_grad`` all see what ``named_parameters()`` names.
        """
        return self._collect("", None)

    def _collect(self, prefix: str, names: list[str] | None) -> list[Value]:
        """The walk: public attributes in the order they were set, depth first; lists and tuples by
        index; each ``Value`` kept at its first path (deduplicated by identity, so a tied or shared
        parameter appears once). Appends each kept parameter's dotted path to ``names`` if given."""
        params: list[Value] = []
        seen: set[int] = set()

        def visit(obj: Any, path: str) -> None:
            if isinstance(obj, Value):
                if id(obj) not in seen:
                    seen.add(id(obj))
                    params.append(obj)
                    if names is not None:
                        names.append(path)
            elif isinstance(obj, Module):
                for key, attr in vars(obj).items():
                    if not key.startswith("_"):
                        visit(attr, f"{path}.{key}" if names is not None else "")
            elif isinstance(obj, (list, tuple)):
                for i, item in enumerate(obj):
                    if isinstance(item, Value):  # visit(item, …) inlined: most parameters sit in weight lists
                        if id(item) not in seen:
                            seen.add(id(item))
                            params.append(item)
                            if names is not None:
                                names.append(f"{path}.{i}")
                    else:
                        visit(item, f"{path}.{i}" if names is not None else "")

        for key, attr in vars(self).items():
            if not key.startswith("_"):
                visit(attr, prefix + key if names is not None else "")
        return params

    def zero_grad(self) -> None:
        """Set every parameter's ``grad`` to 0.0 (gradients accumulate across ``backward()`` calls)."""
        for p in self.parameters():
            p.grad = 0.0

    def num_parameters(self) -> int:
        """How many scalar parameters the module has."""
        return len(self.parameters())

    # -- state ---------------------------------------------------------------------------------
    def state_dict(self) -> dict[str, float]:
        """``{name: value}`` for every parameter (plain floats, a copy)."""
        return {name: p.data for name, p in self.named_parameters()}

    def load_state_dict(self, state: Mapping[str, Any], strict: bool = True) -> serialize.IncompatibleKeys:
        """Set the parameters from ``{name: value}``: the same names (``strict``), finite real numbers.

        With ``strict=False`` (PyTorch's flag) only the names present are loaded and the others
        ignored; the result lists the ``missing_keys`` and ``unexpected_keys``. Everything is checked
        before anything changes; on a problem ``nn.serialize.StateError`` (a ValueError) says what
        is wrong and the module is left untouched.
        """
        for p, value in serialize.checked_values(self, state, "load_state_dict", strict=strict):
            p.data = value
        names = [name for name, _ in self.named_parameters()]
        return serialize.IncompatibleKeys([n for n in names if n not in state],
                                          [str(n) for n in state if n not in set(names)])

    def save(self, path: str, optimizer: Any = None) -> None:
        """Write the architecture and parameters to the JSON file ``path`` atomically.

        With ``optimizer`` its state (``optimizer.state_dict()``) goes beside it, to
        ``optimizer_path(path)`` (``model.json`` → ``model.optimizer.json``), so training can resume;
        the two files change together or not at all (``nn.serialize.save``).
        """
        serialize.save(self, path, optimizer)  # both files change together or not at all (see nn.serialize.save)

    def load(self, path: str) -> None:
        """Set the parameters from a JSON file written by ``save`` (validated first; see ``nn.serialize``)."""
        serialize.load_into(self, path)

    # -- architecture (for files) --------------------------------------------------------------
    def architecture(self) -> dict[str, Any]:
        """What it takes to rebuild this module (saved beside the parameters): at least its type."""
        return {"type": type(self).__name__}

    @classmethod
    def from_architecture(cls, arch: Mapping[str, Any]) -> Module:
        """A new module built from ``architecture()``'s dict (weights are then loaded from the file)."""
        raise TypeError(f"{cls.__name__} cannot be rebuilt from a file; build it and call .load(path) instead")

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """The module's computation (PyTorch's rule): subclasses implement it; calling the module runs it."""
        raise NotImplementedError(f"{type(self).__name__} must implement forward()")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """``module(x)`` is ``module.forward(x)``; micrograd's rule on top: a list of one output is that output."""
        out = self.forward(*args, **kwargs)
        return out[0] if self.squeeze and type(out) is list and len(out) == 1 else out

    squeeze = False  # True for Layer and MLP: micrograd returns their single output as a Value, not a list


def as_node(v: Any, where: str, what: str) -> Value:
    """``v`` as a node: a ``Value`` kept, a real number made a leaf, anything else a TypeError naming ``what``."""
    if isinstance(v, Value):
        return v
    if isinstance(v, numbers.Real) and not isinstance(v, bool):
        return Value(as_number(v, f"{where} ({what})"))
    raise TypeError(f"{where}: {what} must be Values or real numbers, got {v!r:.80}")
