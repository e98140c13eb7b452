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
from typing import Any, NamedTuple

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


MAX_DEPTH = 32
"""How deeply a saved architecture may nest (a ``Sequential`` inside a ``Sequential`` …): deeper is refused."""


class Count(NamedTuple):
    """What an architecture implies: ``at_least`` parameters, exactly that many when ``exact``
    (not exact when it holds a registered type that cannot say how many it has)."""

    at_least: int
    exact: bool


def _entry(arch: Mapping[str, Any], key: str, low: int = 1) -> int:
    if key not in arch:
        raise ValueError(f"the {str(arch.get('type'))[:40]} architecture has no {key!r} entry")
    return _size(key, arch[key], low)


def _size(key: str, n: Any, low: int = 1) -> int:
    if isinstance(n, bool) or not isinstance(n, int) or n < low:
        what = "a positive whole number" if low == 1 else f"a whole number >= {low}"
        raise ValueError(f"{key} must be {what}, got {str(n)[:40]}")
    return n


def _shipped(kind: object, cls: type[Module]) -> bool:
    return isinstance(kind, str) and ARCHITECTURES.get(kind) is cls


def count_parameters(arch: Any, depth: int = 0) -> Count:
    """How many parameters an architecture implies, from its sizes alone, for every shipped type and
    recursively through ``Sequential`` (nothing is built): a neuron has nin + 1 (weights and bias), a
    layer nout·(nin + 1), an MLP the sum over its layers, a ``Conv2d`` out·(in·k² + 1), pools,
    ``Flatten`` and ``Activate`` none. A registered type counts through its ``parameter_count(arch)``
    classmethod if it has one, else it is not exact. Raises ValueError naming a missing or
    malformed entry, or nesting deeper than ``MAX_DEPTH``."""
    if not isinstance(arch, Mapping):
        raise ValueError(f"an architecture must be an object with a 'type', got {type(arch).__name__}")
    if depth > MAX_DEPTH:
        raise ValueError(f"the architecture nests more than {MAX_DEPTH} modules deep")
    kind = arch.get("type")
    if _shipped(kind, Neuron):
        return Count(_entry(arch, "nin") + 1, True)
    if _shipped(kind, Layer):
        return Count(_entry(arch, "nout") * (_entry(arch, "nin") + 1), True)
    if _shipped(kind, MLP):
        nouts = arch.get("nouts")
        if not isinstance(nouts, list) or not nouts:
            raise ValueError(f"nouts must be a non-empty list of layer sizes, got {str(nouts)[:40]}")
        sizes = [_entry(arch, "nin"), *(_size(f"nouts[{k}]", n) for k, n in enumerate(nouts))]
        return Count(sum(sizes[k + 1] * (sizes[k] + 1) for k in range(len(nouts))), True)
    if _shipped(kind, Conv2d):
        k = _entry(arch, "kernel_size")
        _entry(arch, "stride"), _entry(arch, "padding", 0)
        return Count(_entry(arch, "out_channels") * (_entry(arch, "in_channels") * k * k + 1), True)
    if any(_shipped(kind, cls) for cls in (MaxPool2d, AvgPool2d, Flatten, Activate)):
        return Count(0, True)
    if isinstance(kind, str) and kind == "Sequential" and getattr(ARCHITECTURES.get(kind), "__module__", "") \
            == "nn.models.sequential":
        modules = arch.get("modules")
        if not isinstance(modules, list) or not modules:
            raise ValueError(f"a Sequential's modules must be a non-empty list of architectures, got "
                             f"{str(modules)[:40]}")
        parts = []
        for i, m in enumerate(modules):
            try:
                parts.append(count_parameters(m, depth + 1))
            except ValueError as e:  # say where: modules[0].modules[2]: kernel_size must be …
                inner = str(e)
                raise ValueError(f"modules[{i}]" + ("." if inner.startswith("modules[") else ": ") + inner) from None
        return Count(sum(c.at_least for c in parts), all(c.exact for c in parts))
    cls = ARCHITECTURES.get(kind) if isinstance(kind, str) else None
    if cls is None:
        what = "no 'type' entry" if kind is None else f"unknown type {str(kind)[:80]!r}"
        raise ValueError(f"{what}; known: {', '.join(ARCHITECTURES)}")
    own = getattr(cls, "parameter_count", None)
    if callable(own):
        n = own(arch)
        return Count(_size(f"{kind}.parameter_count(arch)", n, 0), True)
    return Count(0, False)


def parameter_count(arch: Mapping[str, Any]) -> int | None:
    """The exact number of parameters an architecture implies (``count_parameters``), None if it
    cannot tell (a registered type without ``parameter_count``). Raises ValueError if malformed."""
    count = count_parameters(arch)
    return count.at_least if count.exact else None


def load_model(path: str | os.PathLike[str]) -> Module:
    """A new module rebuilt from the architecture in ``path``, with the saved parameters.

    Everything is validated first (see ``nn.serialize``): the number of parameters the
    architecture implies (``parameter_count``) is compared with the file's before anything is
    built. A malformed file raises ``nn.serialize.ModelFileError`` (a ``StateError``).
    """
    module = _load_model(path, ARCHITECTURES, count_parameters)
    if not isinstance(module, Module):  # from_architecture of a registered class returned something else
        raise StateError(f"load_model({os.fspath(path)!r}): rebuilt a {type(module).__name__}, not an nn.Module")
    return module
