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
from collections.abc import Mapping
from typing import Any

from nn.models.activations import Activate
from nn.models.conv import AvgPool2d, Conv2d, Flatten, MaxPool2d
from nn.models.layers import MLP, Layer, Neuron
from nn.models.module import Module
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


def _entry(arch: Mapping[str, Any], key: str) -> int:
    if key not in arch:
        raise ValueError(f"the {arch.get('type')} architecture has no {key!r} entry")
    return _size(key, arch[key])


def _size(key: str, n: Any) -> int:
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"{key} must be a positive whole number, got {str(n)[:40]}")
    return n


def parameter_count(arch: Mapping[str, Any]) -> int | None:
    """How many parameters a shipped architecture implies, from its sizes alone (None for other types):
    a neuron has nin + 1 (weights and bias), a layer nout·(nin + 1), an MLP the sum over its layers.
    Raises ValueError naming a missing or malformed size."""
    kind = arch.get("type")
    if kind == "Neuron" and ARCHITECTURES.get(kind) is Neuron:
        return _entry(arch, "nin") + 1
    if kind == "Layer" and ARCHITECTURES.get(kind) is Layer:
        return _entry(arch, "nout") * (_entry(arch, "nin") + 1)
    if kind == "MLP" and ARCHITECTURES.get(kind) is MLP:
        nouts = arch.get("nouts")
        if not isinstance(nouts, list) or not nouts:
            raise ValueError(f"nouts must be a non-empty list of layer sizes, got {str(nouts)[:40]}")
        sizes = [_entry(arch, "nin"), *(_size(f"nouts[{k}]", n) for k, n in enumerate(nouts))]
        return sum(sizes[k + 1] * (sizes[k] + 1) for k in range(len(nouts)))
    return None


def load_model(path: str | os.PathLike[str]) -> Module:
    """A new module rebuilt from the architecture in ``path``, with the saved parameters.

    Everything is validated first (see ``nn.serialize``): the number of parameters the
    architecture implies (``parameter_count``) is compared with the file's before anything is
    built. A malformed file raises ``nn.serialize.ModelFileError`` (a ``StateError``).
    """
    module = _load_model(path, ARCHITECTURES, parameter_count)
    if not isinstance(module, Module):  # from_architecture of a registered class returned something else
        raise StateError(f"load_model({os.fspath(path)!r}): rebuilt a {type(module).__name__}, not an nn.Module")
    return module
