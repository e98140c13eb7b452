"""``Module``: the base of neurons, layers and networks — parameters with stable names, and their state.

A module's parameters are the ``Value`` leaves found in its public attributes: a ``Value``, a
module, or a list/tuple of those, searched in the order the attributes were set. Their names are
the attribute paths joined with dots, so an ``MLP`` names its parameters
``layers.0.neurons.1.w.0`` (layer 0, neuron 1, weight from input 0) and ``layers.0.neurons.1.b``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

from autograd import Value


class Module:
    """Base class: ``parameters()``, ``named_parameters()``, ``zero_grad()``, state and JSON files.

    Subclasses set their parameters as attributes (``self.w = [...]``, ``self.b = Value(0.0)``,
    ``self.layers = [...]``) and implement ``__call__``. A subclass that can be rebuilt from a
    saved file implements ``architecture()`` and ``from_architecture()``.
    """

    registry: ClassVar[dict[str, type[Module]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        Module.registry[cls.__name__] = cls

    # -- parameters ----------------------------------------------------------------------------
    def named_parameters(self, prefix: str = "") -> list[tuple[str, Value]]:
        """``(name, parameter)`` pairs in a stable order; a parameter reachable twice is listed once."""
        out: list[tuple[str, Value]] = []
        seen: set[int] = set()
        for name, p in self._walk(prefix):
            if id(p) not in seen:
                seen.add(id(p))
                out.append((name, p))
        return out

    def _walk(self, prefix: str) -> Iterator[tuple[str, Value]]:
        stack: list[tuple[str, Any]] = [
            (prefix + name, attr) for name, attr in reversed(vars(self).items()) if not name.startswith("_")
        ]
        while stack:
            name, obj = stack.pop()
            if isinstance(obj, Value):
                yield name, obj
            elif isinstance(obj, Module):
                stack.extend(
                    (f"{name}.{k}", a) for k, a in reversed(vars(obj).items()) if not k.startswith("_")
                )
            elif isinstance(obj, (list, tuple)):
                stack.extend((f"{name}.{i}", item) for i, item in reversed(list(enumerate(obj))))

    def parameters(self) -> list[Value]:
        """The parameters (``Value`` leaves) in the order of ``named_parameters()``."""
        return [p for _, p in self.named_parameters()]

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

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Set the parameters from ``{name: value}``, strictly: the same names, finite real numbers.

        Everything is checked before anything changes; on a problem ``nn.serialize.StateError``
        (a ValueError) says what is wrong and the module is left untouched.
        """
        from nn.serialize import checked_values

        for p, value in checked_values(self, state, "load_state_dict"):
            p.data = value

    def save(self, path: str) -> None:
        """Write the architecture and parameters to the JSON file ``path`` atomically."""
        from nn.serialize import save

        save(self, path)

    def load(self, path: str) -> None:
        """Set the parameters from a JSON file written by ``save`` (validated first; see ``nn.serialize``)."""
        from nn.serialize import load_into

        load_into(self, path)

    # -- architecture (for files) --------------------------------------------------------------
    def architecture(self) -> dict[str, Any]:
        """What it takes to rebuild this module (saved beside the parameters): at least its type."""
        return {"type": type(self).__name__}

    @classmethod
    def from_architecture(cls, arch: Mapping[str, Any]) -> Module:
        """A new module built from ``architecture()``'s dict (weights are then loaded from the file)."""
        raise TypeError(f"{cls.__name__} cannot be rebuilt from a file; build it and call .load(path) instead")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must implement __call__")
