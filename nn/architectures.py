"""The module types a saved file may name, and ``load_model``: rebuild a network from its JSON file.

A file's architecture says ``{"type": "MLP", ...}``; ``load_model`` looks the type up in
``ARCHITECTURES`` — the classes ``nn`` ships (``Neuron``, ``Layer``, ``MLP``, ``Conv2d``, the pools,
``Flatten``, ``Activate``, ``Sequential``), keyed by the classes
themselves, so a user's own subclass that happens to be called ``MLP`` never takes over loading.
A module class of one's own is added explicitly with ``register(cls)`` (it must implement
``architecture()`` and ``from_architecture()``); subclassing alone registers nothing.
"""

from __future__ import annotations

import os

from nn.conv import Activate, AvgPool2d, Conv2d, Flatten, MaxPool2d
from nn.layers import MLP, Layer, Neuron
from nn.module import Module
from nn.serialize import StateError
from nn.serialize import load_model as _load_model

ARCHITECTURES: dict[str, type[Module]] = {
    cls.__name__: cls for cls in (Neuron, Layer, MLP, Conv2d, MaxPool2d, AvgPool2d, Flatten, Activate)
}  # nn.Sequential adds itself (nn/sequential.py): it rebuilds its modules from this table
"""``{"type" in a file: the class that rebuilds it}``."""


def register(cls: type[Module], name: str | None = None) -> type[Module]:
    """Let ``load_model`` rebuild ``cls`` from files whose architecture type is ``name`` (the class's
    name by default). The shipped names cannot be taken over. Returns ``cls`` (usable as a decorator)."""
    key = cls.__name__ if name is None else name
    current = ARCHITECTURES.get(key)
    if current is not None and current is not cls:
        raise ValueError(f"register: the module type {key!r} is already {current.__module__}.{current.__qualname__}")
    ARCHITECTURES[key] = cls
    return cls


def load_model(path: str | os.PathLike[str]) -> Module:
    """A new module rebuilt from the architecture in ``path``, with the saved parameters.

    Everything is validated first (see ``nn.serialize``); a problem raises ``StateError``.
    """
    module = _load_model(path, ARCHITECTURES)
    if not isinstance(module, Module):  # from_architecture of a registered class returned something else
        raise StateError(f"load_model({os.fspath(path)!r}): rebuilt a {type(module).__name__}, not an nn.Module")
    return module
