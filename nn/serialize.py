"""Saving a module's parameters to JSON and loading them back, safely.

The file holds a format name and version, the module's architecture and its parameters by name::

    {"format": "deltagrad.nn", "version": 2,
     "architecture": {"type": "MLP", "nin": 2, "nouts": [2, 1], "activations": ["sigmoid", "sigmoid"]},
     "parameters": {"layers.0.neurons.0.w.0": 0.15, ...}}

Saving is atomic: the text goes to a temporary file in the same directory, is flushed to disk, and
then replaces the target in one ``os.replace``, so a crash never leaves a half-written file (the
old file, if any, stays whole until the new one is complete).
Loading checks everything first — valid JSON, the format and version, the architecture, the exact
set of names, that every value is a finite real number — and only then changes the model; any
problem raises ``StateError`` saying what is wrong, and the model is left as it was. No pickle.
"""

from __future__ import annotations

import json
import math
import numbers
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple, Protocol

from autograd import Value
from autograd.drawing.render import atomic_write

FORMAT = "deltagrad.nn"
VERSION = 2
READS = (1, 2)
V2_TYPES = frozenset({"Sequential", "Conv2d", "MaxPool2d", "AvgPool2d", "Flatten", "Activate"})
"""Version 2 adds these module types (the layout is unchanged). A file is written as version 2 only when
its architecture uses one of them, so files of ``MLP``, ``Layer`` and ``Neuron`` stay version 1, byte
for byte what older versions wrote and read; both versions load."""


def version_for(arch: Any) -> int:
    """1 for an architecture of version-1 types only, else 2 (``V2_TYPES`` anywhere in it)."""
    if isinstance(arch, dict):
        if arch.get("type") in V2_TYPES:
            return 2
        return max([1, *(version_for(v) for v in arch.values())])
    if isinstance(arch, list):
        return max([1, *(version_for(v) for v in arch)])
    return 1


class StateError(ValueError):
    """A state dict or a saved file does not fit the model (the message says why)."""


class Savable(Protocol):
    """What saving and loading need from a module (``nn.Module`` has it): names, values, architecture."""

    def named_parameters(self) -> list[tuple[str, Value]]: ...

    def state_dict(self) -> dict[str, float]: ...

    def architecture(self) -> dict[str, Any]: ...


class Rebuildable(Protocol):
    """A module class that a saved architecture can rebuild (``MLP``, ``Layer``, ``Neuron``)."""

    def from_architecture(self, arch: Mapping[str, Any]) -> Savable: ...


Architectures = Mapping[str, Rebuildable]
"""The module types a file may name, by the ``"type"`` in its architecture (see ``nn.architectures``)."""


def _short(names: list[str], limit: int = 5) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f", … ({len(names) - limit} more)" if len(names) > limit else "")


class IncompatibleKeys(NamedTuple):
    """What ``load_state_dict(state, strict=False)`` left out (PyTorch's names): parameter names."""

    missing_keys: list[str]
    unexpected_keys: list[str]


def checked_values(module: Savable, state: Mapping[str, Any], where: str,
                   strict: bool = True) -> list[tuple[Value, float]]:
    """Pair each parameter with its new value from ``state``, or raise ``StateError`` (nothing is changed).

    ``state`` must have exactly the module's parameter names (with ``strict=False``: any of them,
    others ignored), each mapped to a finite real number.
    """
    if not isinstance(state, Mapping):
        raise StateError(f"{where}: expected a mapping of parameter names to numbers, got {type(state).__name__}")
    named = module.named_parameters()
    expected = [name for name, _ in named]
    missing = [n for n in expected if n not in state]
    unexpected = [str(n) for n in state if n not in set(expected)]
    if strict and (missing or unexpected):
        parts = [f"{where}: got {len(state)} parameter(s), the model has {len(expected)}"]
        if missing:
            parts.append(f"missing: {_short(missing)}")
        if unexpected:
            parts.append(f"unexpected: {_short(unexpected)}")
        raise StateError("; ".join(parts) + " (is it the same architecture?)")
    out: list[tuple[Value, float]] = []
    for name, p in named:
        if name not in state:
            continue
        value = state[name]
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise StateError(f"{where}: parameter {name!r} must be a real number, got {value!r}")
        number = float(value)
        if not math.isfinite(number):
            raise StateError(f"{where}: parameter {name!r} is {number!r}; only finite numbers can be loaded")
        out.append((p, number))
    return out


def to_json(module: Savable) -> str:
    """The file's text for ``module`` (raises StateError if a parameter is NaN or infinite)."""
    state = module.state_dict()
    bad = [name for name, v in state.items() if not math.isfinite(v)]
    if bad:
        raise StateError(f"save: parameter(s) {_short(bad)} are not finite (NaN or ±inf); training diverged?")
    arch = module.architecture()
    document = {"format": FORMAT, "version": version_for(arch), "architecture": arch, "parameters": state}
    return json.dumps(document, indent=1, allow_nan=False) + "\n"


def write_atomic(path: str | os.PathLike[str], data: str | bytes) -> None:
    """Write ``data`` (text as UTF-8) to ``path`` so that the file is either the old one or the complete
    new one (``autograd.drawing.render.atomic_write``: a temporary file beside it, fsync, ``os.replace``)."""
    atomic_write(Path(path), data.encode("utf-8") if isinstance(data, str) else data)


def optimizer_path(path: str | os.PathLike[str]) -> Path:
    """Where an optimiser's state goes beside the model file ``path``: ``model.json`` → ``model.optimizer.json``."""
    target = Path(os.fspath(path))
    return target.with_name(f"{target.stem}.optimizer.json")


def save(module: Savable, path: str | os.PathLike[str]) -> None:
    """Save ``module``'s architecture and parameters to the JSON file ``path``, atomically."""
    write_atomic(path, to_json(module))


def _reject_constant(name: str) -> float:
    raise StateError(f"{name} is not a number a saved model may contain")


def read_document(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Parse and check a saved file's envelope (format, version, sections); raise StateError if wrong."""
    where = f"load({os.fspath(path)!r})"
    with open(path, encoding="utf-8") as f:
        text = f.read()
    try:
        document = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as e:
        raise StateError(
            f"{where}: not valid JSON ({e.msg} at line {e.lineno}, column {e.colno}); "
            "the file is truncated or corrupt — save the model again"
        ) from None
    except StateError as e:
        raise StateError(f"{where}: {e}") from None
    if not isinstance(document, dict):
        raise StateError(f"{where}: expected a JSON object, got {type(document).__name__}")
    if document.get("format") != FORMAT:
        raise StateError(f"{where}: not a deltagrad model file (format is {document.get('format')!r}, "
                         f"expected {FORMAT!r})")
    version = document.get("version")
    if version not in READS or isinstance(version, bool):
        raise StateError(f"{where}: unsupported format version {version!r}; this deltagrad reads versions "
                         f"{', '.join(map(str, READS))}")
    for key in ("architecture", "parameters"):
        if not isinstance(document.get(key), dict):
            raise StateError(f"{where}: the {key!r} section is missing or not an object")
    return document


def load_into(module: Savable, path: str | os.PathLike[str]) -> None:
    """Set ``module``'s parameters from ``path``; everything is validated before anything changes."""
    where = f"load({os.fspath(path)!r})"
    document = read_document(path)
    arch, mine = document["architecture"], module.architecture()
    if arch != mine:
        raise StateError(f"{where}: the file holds a model with architecture {arch}, this model is {mine}")
    for p, value in checked_values(module, document["parameters"], where):
        p.data = value


def load_model(path: str | os.PathLike[str], architectures: Architectures) -> Savable:
    """A new module rebuilt from the architecture in ``path`` by the class ``architectures`` maps its
    ``"type"`` to, with the saved parameters (``nn.load_model`` passes the classes ``nn`` ships)."""
    where = f"load_model({os.fspath(path)!r})"
    document = read_document(path)
    arch = document["architecture"]
    kind = arch.get("type")
    cls = architectures.get(kind) if isinstance(kind, str) else None
    if cls is None:
        raise StateError(f"{where}: unknown module type {kind!r}")
    try:
        module = cls.from_architecture(arch)
    except (TypeError, ValueError) as e:
        raise StateError(f"{where}: bad architecture {arch}: {e}") from None
    for p, value in checked_values(module, document["parameters"], where):
        p.data = value
    return module
